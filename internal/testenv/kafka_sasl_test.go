package testenv_test

import (
	"os"
	"strings"
	"testing"

	"github.com/IBM/sarama"

	"github.com/fdud/fdud/internal/testenv"
)

// TestKafkaSASLSSL starts a broker with the SASL_SSL listener on the oldest
// and the newest release of the matrix and checks that the test user gets
// in with TLS and SCRAM-SHA-512, that a wrong password does not, and that
// the client properties file is the one an operator writes.
func TestKafkaSASLSSL(t *testing.T) {
	for _, v := range []testenv.KafkaVersion{testenv.Kafka241, testenv.Kafka4} {
		t.Run("kafka="+v.String(), func(t *testing.T) {
			k := testenv.StartKafka(t, testenv.KafkaOptions{Version: v, SASLSSL: true})
			s := k.SASL(t)
			if s.Bootstrap == "" || s.Bootstrap == k.Bootstrap {
				t.Fatalf("SASL_SSL bootstrap %q (PLAINTEXT %q)", s.Bootstrap, k.Bootstrap)
			}
			text, err := os.ReadFile(s.CommandConfig)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range []string{"security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-512",
				"sasl.jaas.config=" + s.JAASConfig, "ssl.truststore.type=PEM", "ssl.truststore.location=" + s.CAFile} {
				if !strings.Contains(string(text), line+"\n") {
					t.Errorf("client properties lack %q:\n%s", line, text)
				}
			}
			cfg := k.SASLSaramaConfig()
			c, err := sarama.NewClient(strings.Split(s.Bootstrap, ","), cfg)
			if err != nil {
				t.Fatalf("connect over SASL_SSL: %v", err)
			}
			brokers := c.Brokers()
			c.Close()
			if len(brokers) != 1 || brokers[0].Addr() != s.Bootstrap {
				t.Errorf("over SASL_SSL the cluster advertises %v, want the SASL_SSL listener %s", brokers, s.Bootstrap)
			}
			cfg.Net.SASL.Password = "wrong"
			if c, err := sarama.NewClient(strings.Split(s.Bootstrap, ","), cfg); err == nil {
				c.Close()
				t.Error("a wrong password got in")
			}
		})
	}
}
