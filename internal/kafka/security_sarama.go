package kafka

import "github.com/IBM/sarama"

// Configure sets sarama's TLS and SASL settings from the command config, so
// that clients other than fdud's own (tests producing and consuming through
// the cluster an operator names) connect exactly as fdud does.
func (sec *Security) Configure(conf *sarama.Config) { sec.apply(conf) }
