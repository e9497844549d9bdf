package kafka

import (
	"github.com/IBM/sarama"
	"github.com/xdg-go/scram"
)

const (
	sha256Hash = "SHA-256"
	sha512Hash = "SHA-512"
)

// scramClient adapts xdg-go/scram (sarama's own examples use it; sarama
// ships no SCRAM implementation) to sarama.SCRAMClient.
type scramClient struct {
	hash scram.HashGeneratorFcn
	conv *scram.ClientConversation
}

func newSCRAMClient(hash string) sarama.SCRAMClient {
	if hash == sha512Hash {
		return &scramClient{hash: scram.SHA512}
	}
	return &scramClient{hash: scram.SHA256}
}

func (s *scramClient) Begin(user, password, authzID string) error {
	c, err := s.hash.NewClient(user, password, authzID)
	if err != nil {
		return err
	}
	s.conv = c.NewConversation()
	return nil
}

func (s *scramClient) Step(challenge string) (string, error) { return s.conv.Step(challenge) }

func (s *scramClient) Done() bool { return s.conv.Done() }
