package testenv

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/xdg-go/scram"
)

// SASLSSL is how a client reaches a cluster started with
// KafkaOptions.SASLSSL: a SASL_SSL listener with SCRAM-SHA-512 on every
// broker, beside the PLAINTEXT one the brokers talk to each other on.
type SASLSSL struct {
	// Bootstrap is 127.0.0.1:port,... of every broker's SASL_SSL listener.
	Bootstrap string
	// CommandConfig is a client properties file written as an operator
	// writes one for --command-config: security.protocol, sasl.mechanism,
	// sasl.jaas.config with the user and password, and the CA as a PEM
	// truststore (ssl.truststore.location is an absolute path).
	CommandConfig string
	// CAFile is the PEM certificate of the test CA that signed the brokers'
	// certificate (for 127.0.0.1 and localhost).
	CAFile string
	// Username and Password are the SCRAM-SHA-512 user's; Password is
	// random, so that a test can look for it in any output.
	Username, Password string
	// JAASConfig is the sasl.jaas.config line of CommandConfig.
	JAASConfig string
}

// SASLListener is the name of the extra listener (and its protocol).
const SASLListener = "SASL_SSL"

// brokerTLS is the key material every broker's SASL_SSL listener serves:
// one PKCS12 keystore (the brokers all listen on 127.0.0.1), signed by a CA
// made for the test.
type brokerTLS struct {
	caFile, keystore, storePass string
}

// configureSASLSSL adds the SASL_SSL listener to every broker's properties
// before start: a port of its own, the keystore and SCRAM-SHA-512. The user
// is created once the brokers run (startSASLSSL).
func (k *Kafka) configureSASLSSL(t testing.TB) {
	t.Helper()
	if k.Version.IsLegacy() {
		t.Fatalf("testenv: SASL_SSL needs Kafka 0.10.2 or later, not %s", k.Version)
	}
	bt, err := makeBrokerTLS(filepath.Join(k.dir, "tls"))
	if err != nil {
		t.Fatalf("testenv: SASL_SSL certificates: %v", err)
	}
	k.sasl = &SASLSSL{CAFile: bt.caFile, Username: "fdud-admin", Password: "fdud-pw-" + randomHex(12)}
	var addrs []string
	for _, b := range k.brokers {
		b.SASLAddr = fmt.Sprintf("127.0.0.1:%d", FreePort(t))
		addrs = append(addrs, b.SASLAddr)
		p := b.props
		for key, v := range map[string]string{"listeners": SASLListener + "://" + b.SASLAddr, "advertised.listeners": SASLListener + "://" + b.SASLAddr} {
			if p[key] != "" {
				v = p[key] + "," + v
			}
			p[key] = v
		}
		// ZooKeeper mode's default map has SASL_SSL; KRaft's is set by
		// brokerProperties and lacks it.
		if m := p["listener.security.protocol.map"]; m != "" && !strings.Contains(m, SASLListener+":") {
			p["listener.security.protocol.map"] = m + "," + SASLListener + ":" + SASLListener
		}
		ln := "listener.name." + strings.ToLower(SASLListener) + "."
		p["sasl.enabled.mechanisms"] = "SCRAM-SHA-512"
		p[ln+"sasl.enabled.mechanisms"] = "SCRAM-SHA-512"
		p[ln+"scram-sha-512.sasl.jaas.config"] = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
		p[ln+"ssl.keystore.type"] = "PKCS12"
		p[ln+"ssl.keystore.location"] = bt.keystore
		p[ln+"ssl.keystore.password"] = bt.storePass
		p[ln+"ssl.key.password"] = bt.storePass
	}
	k.sasl.Bootstrap = strings.Join(addrs, ",")
}

// startSASLSSL creates the SCRAM user on the running cluster, writes the
// client properties and waits until every broker authenticates the user.
func (k *Kafka) startSASLSSL(ctx context.Context, t testing.TB) {
	t.Helper()
	s := k.sasl
	cred := "SCRAM-SHA-512=[iterations=4096,password=" + s.Password + "]"
	args := []string{"--alter", "--add-config", cred, "--entity-type", "users", "--entity-name", s.Username}
	if k.Version.KRaft { // AlterUserScramCredentials (2.7+)
		args = append([]string{"--bootstrap-server", k.Bootstrap}, args...)
	} else {
		args = append([]string{"--zookeeper", k.ZooKeeperConnect}, args...)
	}
	if r := RunCommand(t, k.ToolCommand(ctx, "kafka-configs.sh", args...)); r.ExitCode != 0 {
		t.Fatalf("testenv: create SCRAM user %s: %s", s.Username, r)
	}
	s.JAASConfig = fmt.Sprintf(`org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";`, s.Username, s.Password)
	s.CommandConfig = filepath.Join(k.dir, "client-sasl-ssl.properties")
	text := "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=" + s.JAASConfig + "\n" +
		"ssl.truststore.type=PEM\nssl.truststore.location=" + s.CAFile + "\n"
	if err := os.WriteFile(s.CommandConfig, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := k.SASLSaramaConfig()
	for _, b := range k.brokers {
		var last error
		if err := poll(ctx, func() (bool, error) {
			_, last = brokerMetadata(b.SASLAddr, nil, cfg)
			return last == nil, nil
		}); err != nil {
			t.Fatalf("testenv: broker %d: SASL_SSL listener %s: %v (last: %v)\n%s", b.ID, b.SASLAddr, err, last, k.tails(20))
		}
	}
	t.Logf("kafka %s: SASL_SSL (SCRAM-SHA-512, user %s) at %s", k.Version, s.Username, s.Bootstrap)
}

// SASL returns how to reach the cluster's SASL_SSL listeners; it fails the
// test when the cluster was started without KafkaOptions.SASLSSL.
func (k *Kafka) SASL(t testing.TB) *SASLSSL {
	t.Helper()
	if k.sasl == nil {
		t.Fatal("testenv: the cluster was started without KafkaOptions.SASLSSL")
	}
	return k.sasl
}

// SASLSaramaConfig is SaramaConfig for the SASL_SSL listeners: TLS trusting
// the test CA, SCRAM-SHA-512 as the test user.
func (k *Kafka) SASLSaramaConfig() *sarama.Config {
	c := k.SaramaConfig()
	pemData, err := os.ReadFile(k.sasl.CAFile)
	if err != nil {
		panic(err) // written by configureSASLSSL
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemData)
	c.Net.TLS.Enable = true
	c.Net.TLS.Config = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	c.Net.SASL.Enable = true
	c.Net.SASL.Handshake = true
	c.Net.SASL.Version = sarama.SASLHandshakeV1
	c.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA512
	c.Net.SASL.User, c.Net.SASL.Password = k.sasl.Username, k.sasl.Password
	c.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &scramSHA512{} }
	return c
}

type scramSHA512 struct{ conv *scram.ClientConversation }

func (s *scramSHA512) Begin(user, password, authzID string) error {
	c, err := scram.SHA512.NewClient(user, password, authzID)
	if err != nil {
		return err
	}
	s.conv = c.NewConversation()
	return nil
}

func (s *scramSHA512) Step(challenge string) (string, error) { return s.conv.Step(challenge) }
func (s *scramSHA512) Done() bool                            { return s.conv.Done() }

// makeBrokerTLS makes a CA (ca.pem, made here) and a PKCS12 keystore for
// the brokers (made by the JDK's keytool, which Kafka 2.4 can read: PEM
// keystores came with 2.7), its certificate signed by the CA for 127.0.0.1
// and localhost.
func makeBrokerTLS(dir string) (brokerTLS, error) {
	bt := brokerTLS{caFile: filepath.Join(dir, "ca.pem"), keystore: filepath.Join(dir, "broker.p12"), storePass: randomHex(8)}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return bt, err
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return bt, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fdud test CA " + randomHex(4)},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		return bt, err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	if err := os.WriteFile(bt.caFile, caPEM, 0o644); err != nil {
		return bt, err
	}

	keytool, err := findKeytool()
	if err != nil {
		return bt, err
	}
	store := []string{"-keystore", bt.keystore, "-storetype", "PKCS12", "-storepass", bt.storePass, "-noprompt"}
	if _, err := runKeytool(keytool, append([]string{"-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1",
		"-dname", "CN=127.0.0.1", "-validity", "2"}, store...)...); err != nil {
		return bt, err
	}
	csrPEM, err := runKeytool(keytool, append([]string{"-certreq", "-alias", "broker"}, store...)...)
	if err != nil {
		return bt, err
	}
	block, _ := pem.Decode(csrPEM)
	if block == nil {
		return bt, fmt.Errorf("keytool -certreq printed no PEM: %q", csrPEM)
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return bt, fmt.Errorf("keytool's certificate request: %w", err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, csr.PublicKey, caKey)
	if err != nil {
		return bt, err
	}
	chain := filepath.Join(dir, "broker-chain.pem")
	if err := os.WriteFile(chain, append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER}), caPEM...), 0o644); err != nil {
		return bt, err
	}
	if _, err := runKeytool(keytool, append([]string{"-importcert", "-alias", "ca", "-file", bt.caFile}, store...)...); err != nil {
		return bt, err
	}
	if _, err := runKeytool(keytool, append([]string{"-importcert", "-alias", "broker", "-file", chain}, store...)...); err != nil {
		return bt, err
	}
	return bt, nil
}

// findKeytool finds the JDK's keytool beside java.
func findKeytool() (string, error) {
	if p, err := exec.LookPath("keytool"); err == nil {
		return p, nil
	}
	java, err := findJava()
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(java); err == nil {
		if p := filepath.Join(filepath.Dir(real), "keytool"); fileExists(p) {
			return p, nil
		}
	}
	return "", errors.New("keytool (part of the JDK) is not installed")
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func runKeytool(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "JAVA_TOOL_OPTIONS=-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), args[0], err, stderr.String())
	}
	return out, nil
}

// HasSASLSSL says whether the cluster was started with KafkaOptions.SASLSSL.
func (k *Kafka) HasSASLSSL() bool { return k.sasl != nil }
