package kafka

import (
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/IBM/sarama"

	"github.com/fdud/fdud/internal/cluster"
)

const testPassword = "s3cr=t;\"pw"

func TestParseJAAS(t *testing.T) {
	e, err := parseJAAS(`org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="a \"quoted\" pw" extra=plain;`)
	if err != nil {
		t.Fatal(err)
	}
	if e.Module != scramModule || e.Flag != "required" || e.Options["username"] != "alice" ||
		e.Options["password"] != `a "quoted" pw` || e.Options["extra"] != "plain" {
		t.Errorf("got %+v", e)
	}
}

func TestSecurityFromProperties(t *testing.T) {
	dir := t.TempDir()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	caFile := write("ca.pem", read("ca.pem"))
	keystoreFile := write("keystore.pem", read("keystore.pem"))
	jksFile := write("truststore.jks", "\xfe\xed\xfe\xed binary")
	plainJAAS := `org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="` +
		strings.ReplaceAll(testPassword, `"`, `\"`) + `";`
	scramJAAS := strings.Replace(plainJAAS, "plain.PlainLoginModule", "scram.ScramLoginModule", 1)

	tests := []struct {
		name    string
		props   map[string]string
		wantErr string // substring; "" means success
		check   func(t *testing.T, s *Security)
	}{
		{name: "default plaintext", props: map[string]string{"client.id": "x"}, check: func(t *testing.T, s *Security) {
			if s.Protocol != "PLAINTEXT" || s.TLS != nil || s.Mechanism != "" || len(s.Ignored) != 1 {
				t.Errorf("got %+v", s)
			}
		}},
		{name: "sasl plain", props: map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN", "sasl.jaas.config": plainJAAS},
			check: func(t *testing.T, s *Security) {
				if s.Mechanism != "PLAIN" || s.Username != "alice" || string(s.Password) != testPassword || s.TLS != nil {
					t.Errorf("got %+v", s)
				}
				conf := sarama.NewConfig()
				s.apply(conf)
				if !conf.Net.SASL.Enable || conf.Net.SASL.Mechanism != sarama.SASLTypePlaintext || conf.Net.SASL.Password != testPassword {
					t.Errorf("sarama SASL not configured")
				}
			}},
		{name: "scram 512 over tls with pem trust", props: map[string]string{"security.protocol": "sasl_ssl", "sasl.mechanism": "SCRAM-SHA-512",
			"sasl.jaas.config": scramJAAS, "ssl.truststore.type": "PEM", "ssl.truststore.location": caFile},
			check: func(t *testing.T, s *Security) {
				if s.TLS == nil || s.TLS.RootCAs == nil || s.TLS.InsecureSkipVerify {
					t.Errorf("tls not configured: %+v", s.TLS)
				}
				conf := sarama.NewConfig()
				s.apply(conf)
				if conf.Net.SASL.Mechanism != sarama.SASLTypeSCRAMSHA512 || conf.Net.SASL.SCRAMClientGeneratorFunc == nil {
					t.Fatal("scram not configured")
				}
				c := conf.Net.SASL.SCRAMClientGeneratorFunc()
				if err := c.Begin("alice", testPassword, ""); err != nil {
					t.Fatal(err)
				}
				first, err := c.Step("")
				if err != nil || !strings.HasPrefix(first, "n,,n=alice,r=") {
					t.Errorf("client-first message %q, %v", first, err)
				}
			}},
		{name: "scram 256", props: map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-256", "sasl.jaas.config": scramJAAS},
			check: func(t *testing.T, s *Security) {
				if s.Mechanism != "SCRAM-SHA-256" {
					t.Errorf("got %+v", s)
				}
			}},
		{name: "ssl inline trust and client cert, no hostname check", props: map[string]string{"security.protocol": "SSL",
			"ssl.truststore.type": "PEM", "ssl.truststore.certificates": read("ca.pem"),
			"ssl.keystore.type": "PEM", "ssl.keystore.certificate.chain": read("client.pem"), "ssl.keystore.key": read("client.key"),
			"ssl.endpoint.identification.algorithm": ""},
			check: func(t *testing.T, s *Security) {
				if len(s.TLS.Certificates) != 1 || !s.TLS.InsecureSkipVerify || s.TLS.VerifyConnection == nil {
					t.Errorf("got %+v", s.TLS)
				}
				if err := s.TLS.VerifyConnection(tls.ConnectionState{}); err == nil {
					t.Error("a connection without certificates must not verify")
				}
			}},
		{name: "ssl keystore file", props: map[string]string{"security.protocol": "SSL", "ssl.keystore.type": "PEM", "ssl.keystore.location": keystoreFile},
			check: func(t *testing.T, s *Security) {
				if len(s.TLS.Certificates) != 1 || s.TLS.RootCAs != nil {
					t.Errorf("got %+v", s.TLS)
				}
			}},
		{name: "untyped PEM truststore accepted", props: map[string]string{"security.protocol": "SSL", "ssl.truststore.location": caFile}},
		{name: "unknown protocol", props: map[string]string{"security.protocol": "SASL_TLS"}, wantErr: `security.protocol "SASL_TLS" is not supported`},
		{name: "gssapi", props: map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "GSSAPI"}, wantErr: "sasl.mechanism GSSAPI is not supported"},
		{name: "oauthbearer", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "OAUTHBEARER"}, wantErr: "OAUTHBEARER is not supported"},
		{name: "default mechanism is gssapi", props: map[string]string{"security.protocol": "SASL_SSL"}, wantErr: "GSSAPI"},
		{name: "jks truststore", props: map[string]string{"security.protocol": "SSL", "ssl.truststore.type": "JKS", "ssl.truststore.location": jksFile,
			"ssl.truststore.password": testPassword}, wantErr: "ssl.truststore.type JKS is not supported"},
		{name: "untyped binary truststore", props: map[string]string{"security.protocol": "SSL", "ssl.truststore.location": jksFile}, wantErr: "is not PEM"},
		{name: "pkcs12 keystore", props: map[string]string{"security.protocol": "SSL", "ssl.keystore.type": "PKCS12", "ssl.keystore.location": jksFile,
			"ssl.keystore.password": testPassword, "ssl.key.password": testPassword}, wantErr: "ssl.keystore.type PKCS12 is not supported"},
		{name: "encrypted key", props: map[string]string{"security.protocol": "SSL", "ssl.keystore.type": "PEM",
			"ssl.keystore.certificate.chain": read("client.pem"), "ssl.keystore.key": read("client-enc.key"), "ssl.key.password": testPassword},
			wantErr: "encrypted private keys are not supported"},
		{name: "chain without key", props: map[string]string{"security.protocol": "SSL", "ssl.keystore.certificate.chain": read("client.pem")}, wantErr: "together"},
		{name: "mismatched module", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-256", "sasl.jaas.config": plainJAAS},
			wantErr: "does not go with sasl.mechanism"},
		{name: "missing jaas", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN"}, wantErr: "needs sasl.jaas.config"},
		{name: "unterminated jaas", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN",
			"sasl.jaas.config": strings.TrimSuffix(plainJAAS, ";")}, wantErr: "must end with ';'"},
		{name: "unterminated quote", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN",
			"sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="pass`}, wantErr: "unterminated"},
		{name: "broken quoting", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN",
			"sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="` + testPassword + `";`}, wantErr: "offset"},
		{name: "two modules", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN", "sasl.jaas.config": plainJAAS + plainJAAS},
			wantErr: "more than one login module"},
		{name: "no password", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN",
			"sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required username="alice";`}, wantErr: "username and password"},
		{name: "callback handler", props: map[string]string{"security.protocol": "SASL_SSL", "sasl.login.callback.handler.class": "x.Y"},
			wantErr: "sasl.login.callback.handler.class is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := securityFromProperties(tt.props, os.ReadFile)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tt.check != nil {
					tt.check(t, s)
				}
				// The secret must not print, whatever verb is used.
				for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
					if strings.Contains(fmt.Sprintf(f, s), testPassword) || strings.Contains(fmt.Sprintf(f, *s), testPassword) {
						t.Errorf("%s of Security shows the password", f)
					}
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), testPassword) || strings.Contains(err.Error(), "s3cr") || strings.Contains(err.Error(), "pw") {
				t.Errorf("error %q leaks the password", err)
			}
		})
	}
}

func TestLoadCommandConfig(t *testing.T) {
	p := filepath.Join(t.TempDir(), "client.properties")
	text := "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n" +
		`sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \` + "\n" +
		`   username="alice" password="` + testPassword + `"` + "\n" // no ';'
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadCommandConfig(p)
	if err == nil || !cluster.IsInvalid(err) || strings.Contains(err.Error(), "s3cr") {
		t.Fatalf("got %v, want an input error without the password", err)
	}
	if _, err := LoadCommandConfig(filepath.Join(t.TempDir(), "missing")); !cluster.IsInvalid(err) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if s, err := LoadCommandConfig(""); err != nil || s.Protocol != "PLAINTEXT" {
		t.Errorf("no file: %+v %v", s, err)
	}
}
