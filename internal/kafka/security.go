package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/IBM/sarama"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/properties"
	"github.com/fdud/fdud/internal/zookeeper"
)

// Security is what a --command-config file says about reaching the brokers.
// Password never prints itself.
type Security struct {
	Protocol  string // PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL
	Mechanism string // PLAIN, SCRAM-SHA-256, SCRAM-SHA-512; "" without SASL
	Username  string
	Password  zookeeper.Secret
	TLS       *tls.Config // nil without TLS
	// Ignored lists keys of the file that do not concern connecting (client.id,
	// request.timeout.ms, ...), for a debug log line.
	Ignored []string
}

const (
	plainModule = "org.apache.kafka.common.security.plain.PlainLoginModule"
	scramModule = "org.apache.kafka.common.security.scram.ScramLoginModule"
)

// LoadCommandConfig reads a Kafka client properties file. An empty path means
// PLAINTEXT. Settings fdud cannot honour are named in an InputError.
func LoadCommandConfig(path string) (*Security, error) {
	if path == "" {
		return &Security{Protocol: "PLAINTEXT"}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, cluster.Invalidf("command config: %w", err)
	}
	props, err := properties.Parse(string(data))
	if err != nil {
		return nil, cluster.Invalidf("command config %s: %w", path, err)
	}
	sec, err := securityFromProperties(props, os.ReadFile)
	if err != nil {
		return nil, cluster.Invalidf("command config %s: %w", path, err)
	}
	return sec, nil
}

// securityFromProperties maps client properties onto Security. readFile
// reads the PEM files the properties name.
func securityFromProperties(props map[string]string, readFile func(string) ([]byte, error)) (*Security, error) {
	sec := &Security{Protocol: strings.ToUpper(strings.TrimSpace(props["security.protocol"]))}
	if sec.Protocol == "" {
		sec.Protocol = "PLAINTEXT"
	}
	var useTLS, useSASL bool
	switch sec.Protocol {
	case "PLAINTEXT":
	case "SSL":
		useTLS = true
	case "SASL_PLAINTEXT":
		useSASL = true
	case "SASL_SSL":
		useTLS, useSASL = true, true
	default:
		return nil, fmt.Errorf("security.protocol %q is not supported (want PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)", sec.Protocol)
	}
	// Settings that change how a Java client authenticates in ways fdud
	// cannot follow: refuse rather than connect differently.
	for _, k := range []string{"sasl.login.callback.handler.class", "sasl.client.callback.handler.class",
		"sasl.login.class", "ssl.engine.factory.class", "ssl.provider"} {
		if props[k] != "" {
			return nil, fmt.Errorf("%s is not supported", k)
		}
	}
	if useSASL {
		if err := sec.loadSASL(props); err != nil {
			return nil, err
		}
	}
	if useTLS {
		cfg, err := loadTLS(props, readFile)
		if err != nil {
			return nil, err
		}
		sec.TLS = cfg
	}
	for k := range props {
		if !strings.HasPrefix(k, "ssl.") && !strings.HasPrefix(k, "sasl.") && k != "security.protocol" {
			sec.Ignored = append(sec.Ignored, k)
		}
	}
	slices.Sort(sec.Ignored)
	return sec, nil
}

func (sec *Security) loadSASL(props map[string]string) error {
	mech := strings.ToUpper(strings.TrimSpace(props["sasl.mechanism"]))
	switch mech {
	case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512":
	case "":
		return errors.New("sasl.mechanism is not set, and Kafka's default (GSSAPI) is not supported: set PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
	case "GSSAPI", "OAUTHBEARER":
		return fmt.Errorf("sasl.mechanism %s is not supported (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)", mech)
	default:
		return fmt.Errorf("sasl.mechanism %q is not supported (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)", mech)
	}
	sec.Mechanism = mech
	raw := props["sasl.jaas.config"]
	if strings.TrimSpace(raw) == "" {
		return fmt.Errorf("sasl.mechanism %s needs sasl.jaas.config with username and password", mech)
	}
	entry, err := parseJAAS(raw)
	if err != nil {
		return fmt.Errorf("sasl.jaas.config: %w", err)
	}
	want := plainModule
	if mech != "PLAIN" {
		want = scramModule
	}
	if entry.Module != want {
		return fmt.Errorf("sasl.jaas.config: login module %s does not go with sasl.mechanism %s (want %s)", entry.Module, mech, want)
	}
	if entry.Options["tokenauth"] == "true" {
		return errors.New("sasl.jaas.config: delegation tokens (tokenauth=true) are not supported")
	}
	sec.Username = entry.Options["username"]
	sec.Password = zookeeper.Secret(entry.Options["password"])
	if sec.Username == "" || sec.Password == "" {
		return errors.New("sasl.jaas.config: username and password are both required")
	}
	return nil
}

func loadTLS(props map[string]string, readFile func(string) ([]byte, error)) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: minTLSVersion(props["ssl.enabled.protocols"])}
	trustPEM, err := truststorePEM(props, readFile)
	if err != nil {
		return nil, err
	}
	var roots *x509.CertPool // nil: the system's roots
	if trustPEM != nil {
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(trustPEM) {
			return nil, errors.New("ssl.truststore: no PEM certificate found")
		}
		cfg.RootCAs = roots
	}
	chainPEM, keyPEM, err := keystorePEM(props, readFile)
	if err != nil {
		return nil, err
	}
	if keyPEM != nil {
		if encryptedPEM(keyPEM) {
			return nil, errors.New("ssl.keystore: encrypted private keys are not supported: decrypt it (openssl pkcs8 -topk8 -nocrypt) and protect the file instead")
		}
		cert, err := tls.X509KeyPair(chainPEM, keyPEM)
		if err != nil {
			// tls's messages name the block types, never the key material.
			return nil, fmt.Errorf("ssl.keystore: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}

	// An empty ssl.endpoint.identification.algorithm turns off host name
	// verification only; the chain is still verified, as in Java.
	if alg, ok := props["ssl.endpoint.identification.algorithm"]; ok && strings.TrimSpace(alg) == "" {
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = verifyChainOnly(roots)
	}
	return cfg, nil
}

// minTLSVersion is TLS 1.2 unless ssl.enabled.protocols allows TLS 1.3 only.
func minTLSVersion(protos string) uint16 {
	if protos != "" && !strings.Contains(protos, "TLSv1.2") && strings.Contains(protos, "TLSv1.3") {
		return tls.VersionTLS13
	}
	return tls.VersionTLS12
}

// truststorePEM returns the certificates to trust, given inline or in a
// file, or nil when the properties name none. Only PEM is supported.
func truststorePEM(props map[string]string, readFile func(string) ([]byte, error)) ([]byte, error) {
	trustType := strings.ToUpper(strings.TrimSpace(props["ssl.truststore.type"]))
	switch {
	case props["ssl.truststore.certificates"] != "":
		if trustType != "" && trustType != "PEM" {
			return nil, fmt.Errorf("ssl.truststore.certificates needs ssl.truststore.type=PEM, not %s", trustType)
		}
		return []byte(props["ssl.truststore.certificates"]), nil
	case props["ssl.truststore.location"] != "":
		loc := props["ssl.truststore.location"]
		if trustType != "" && trustType != "PEM" {
			return nil, fmt.Errorf("ssl.truststore.type %s is not supported: convert %s to PEM and set ssl.truststore.type=PEM", trustType, loc)
		}
		data, err := readFile(loc)
		if err != nil {
			return nil, fmt.Errorf("ssl.truststore.location: %w", err)
		}
		if trustType == "" && !isPEM(data) { // Kafka's default type is JKS
			return nil, fmt.Errorf("ssl.truststore.location %s is not PEM (JKS and PKCS12 stores are not supported): convert it to PEM and set ssl.truststore.type=PEM", loc)
		}
		return data, nil
	case trustType != "" && trustType != "PEM":
		return nil, fmt.Errorf("ssl.truststore.type %s is not supported (want PEM)", trustType)
	}
	return nil, nil
}

// keystorePEM returns the client's certificate chain and private key, given
// inline or together in one file, or nils when the properties name none.
// Only PEM is supported.
func keystorePEM(props map[string]string, readFile func(string) ([]byte, error)) (chainPEM, keyPEM []byte, err error) {
	keyType := strings.ToUpper(strings.TrimSpace(props["ssl.keystore.type"]))
	switch {
	case props["ssl.keystore.certificate.chain"] != "" || props["ssl.keystore.key"] != "":
		if keyType != "" && keyType != "PEM" {
			return nil, nil, fmt.Errorf("ssl.keystore.certificate.chain and ssl.keystore.key need ssl.keystore.type=PEM, not %s", keyType)
		}
		chainPEM, keyPEM = []byte(props["ssl.keystore.certificate.chain"]), []byte(props["ssl.keystore.key"])
		if len(chainPEM) == 0 || len(keyPEM) == 0 {
			return nil, nil, errors.New("ssl.keystore.certificate.chain and ssl.keystore.key must be given together")
		}
		return chainPEM, keyPEM, nil
	case props["ssl.keystore.location"] != "":
		loc := props["ssl.keystore.location"]
		if keyType != "" && keyType != "PEM" {
			return nil, nil, fmt.Errorf("ssl.keystore.type %s is not supported: convert %s to PEM (private key and certificate chain in one file) and set ssl.keystore.type=PEM", keyType, loc)
		}
		data, err := readFile(loc)
		if err != nil {
			return nil, nil, fmt.Errorf("ssl.keystore.location: %w", err)
		}
		if keyType == "" && !isPEM(data) {
			return nil, nil, fmt.Errorf("ssl.keystore.location %s is not PEM (JKS and PKCS12 stores are not supported): convert it to PEM and set ssl.keystore.type=PEM", loc)
		}
		return data, data, nil
	case keyType != "" && keyType != "PEM":
		return nil, nil, fmt.Errorf("ssl.keystore.type %s is not supported (want PEM)", keyType)
	}
	return nil, nil, nil
}

// verifyChainOnly verifies the broker's certificate chain against roots
// without checking its host name, for InsecureSkipVerify.
func verifyChainOnly(roots *x509.CertPool) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("tls: broker sent no certificate")
		}
		inter := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
		return err
	}
}

func isPEM(data []byte) bool {
	b, _ := pem.Decode(data)
	return b != nil
}

func encryptedPEM(data []byte) bool {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return false
		}
		if b.Type == "ENCRYPTED PRIVATE KEY" || b.Headers["Proc-Type"] == "4,ENCRYPTED" {
			return true
		}
	}
}

// apply configures sarama's network settings.
func (sec *Security) apply(conf *sarama.Config) {
	if sec.TLS != nil {
		conf.Net.TLS.Enable = true
		conf.Net.TLS.Config = sec.TLS.Clone()
	}
	if sec.Mechanism == "" {
		return
	}
	conf.Net.SASL.Enable = true
	conf.Net.SASL.Handshake = true
	conf.Net.SASL.User = sec.Username
	conf.Net.SASL.Password = string(sec.Password)
	switch sec.Mechanism {
	case "PLAIN":
		conf.Net.SASL.Mechanism = sarama.SASLTypePlaintext
	case "SCRAM-SHA-256":
		conf.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA256
		conf.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return newSCRAMClient(sha256Hash) }
	case "SCRAM-SHA-512":
		conf.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA512
		conf.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return newSCRAMClient(sha512Hash) }
	}
}
