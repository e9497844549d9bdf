package kafka

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/fdud/fdud/internal/cluster"
)

// fakeListener is a Kafka listener as far as the probes see it: it speaks
// TLS or not, and answers a SaslHandshake as a SASL listener (its
// mechanisms) or as one without SASL (ILLEGAL_SASL_STATE). Like Kafka, it
// closes a connection whose first bytes make no sense to it (a TLS
// ClientHello read as a request size).
type fakeListener struct {
	addr string
	ca   *x509.CertPool // trusts the listener's certificate (for 127.0.0.1)
}

func startFakeListener(t *testing.T, useTLS bool, mechanisms []string) fakeListener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	cert, pool := probeCert(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				if useTLS {
					tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
					if tc.Handshake() != nil {
						return
					}
					c = tc
				}
				serveSASLHandshake(c, mechanisms)
			}()
		}
	}()
	return fakeListener{addr: ln.Addr().String(), ca: pool}
}

func serveSASLHandshake(c net.Conn, mechanisms []string) {
	var size [4]byte
	if _, err := io.ReadFull(c, size[:]); err != nil {
		return
	}
	n := binary.BigEndian.Uint32(size[:])
	if n > 1<<20 { // Kafka: "Invalid receive", connection closed
		return
	}
	req := make([]byte, n)
	if _, err := io.ReadFull(c, req); err != nil || binary.BigEndian.Uint16(req) != 17 {
		return
	}
	resp := kmsg.NewPtrSASLHandshakeResponse()
	resp.Version = 1
	if mechanisms == nil {
		resp.ErrorCode = int16(sarama.ErrIllegalSASLState)
	} else {
		resp.ErrorCode = int16(sarama.ErrUnsupportedSASLMechanism)
		resp.SupportedMechanisms = mechanisms
	}
	body := resp.AppendTo(append([]byte(nil), req[4:8]...)) // correlation id
	c.Write(append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...))
}

func probeCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestExplainConnectProtocolMismatch pins issue 8's finding: SASL settings
// against a PLAINTEXT port ended in "client has run out of available
// brokers" with no hint at the protocol. Every mismatch of TLS and SASL
// between the command config and the listener is named, with the protocol
// the listener speaks; matching settings give no hint.
func TestExplainConnectProtocolMismatch(t *testing.T) {
	scram := []string{"SCRAM-SHA-512"}
	listeners := map[string]fakeListener{
		"PLAINTEXT":      startFakeListener(t, false, nil),
		"SSL":            startFakeListener(t, true, nil),
		"SASL_PLAINTEXT": startFakeListener(t, false, scram),
		"SASL_SSL":       startFakeListener(t, true, scram),
	}
	security := func(protocol, mechanism string, l fakeListener) *Security {
		sec := &Security{Protocol: protocol, Mechanism: mechanism, Username: "alice", Password: testPassword}
		if strings.HasSuffix(protocol, "SSL") {
			sec.TLS = &tls.Config{RootCAs: l.ca, MinVersion: tls.VersionTLS12}
		}
		return sec
	}
	for _, listener := range []string{"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"} {
		for _, client := range []string{"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"} {
			t.Run(client+" to "+listener, func(t *testing.T) {
				l := listeners[listener]
				mech := ""
				if strings.HasPrefix(client, "SASL_") {
					mech = "SCRAM-SHA-512"
				}
				o := Options{BootstrapServers: []string{l.addr}, CommandConfig: "/etc/kafka/client.properties", Timeout: 5 * time.Second}
				cause := fmt.Errorf("connect to kafka at %v: %w", o.BootstrapServers, sarama.ErrOutOfBrokers)
				err := explainConnect(context.Background(), o, security(client, mech, l), cause)
				if client == listener {
					if err != cause {
						t.Errorf("matching settings: got %v, want the error unchanged", err)
					}
					return
				}
				if !cluster.IsInvalid(err) {
					t.Fatalf("got %v, want an input error", err)
				}
				for _, want := range []string{l.addr + " is a " + listener + " listener", "security.protocol=" + client + " in /etc/kafka/client.properties",
					"set security.protocol=" + listener} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("%q lacks %q", err, want)
					}
				}
				if strings.Contains(err.Error(), "run out of available brokers") || strings.Contains(err.Error(), testPassword) {
					t.Errorf("%q", err)
				}
			})
		}
	}
	t.Run("mechanism not enabled", func(t *testing.T) {
		l := listeners["SASL_PLAINTEXT"]
		o := Options{BootstrapServers: []string{l.addr}, CommandConfig: "c.properties"}
		err := explainConnect(context.Background(), o, security("SASL_PLAINTEXT", "PLAIN", l), sarama.ErrOutOfBrokers)
		if !cluster.IsInvalid(err) || !strings.Contains(err.Error(), "does not enable sasl.mechanism PLAIN (it offers SCRAM-SHA-512)") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("certificate problems are left to the TLS error", func(t *testing.T) {
		l := listeners["SASL_SSL"]
		sec := security("SASL_SSL", "SCRAM-SHA-512", l)
		sec.TLS.RootCAs = x509.NewCertPool() // trusts nothing
		cause := errors.New("tls: failed to verify certificate")
		if err := explainConnect(context.Background(), Options{BootstrapServers: []string{l.addr}}, sec, cause); err != cause {
			t.Errorf("got %v, want the TLS error unchanged", err)
		}
	})
	t.Run("silent brokers cost one timeout in all", func(t *testing.T) {
		var addrs []string
		for range 3 { // accept, then never answer
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ln.Close() })
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					t.Cleanup(func() { c.Close() })
				}
			}()
			addrs = append(addrs, ln.Addr().String())
		}
		cause := errors.New("i/o timeout")
		start := time.Now()
		o := Options{BootstrapServers: addrs, Timeout: 500 * time.Millisecond}
		if err := explainConnect(context.Background(), o, &Security{Protocol: "PLAINTEXT"}, cause); err != cause {
			t.Errorf("got %v", err)
		}
		if d := time.Since(start); d > 1200*time.Millisecond {
			t.Errorf("took %v for 3 silent brokers, want about one timeout (500ms)", d)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		cause := errors.New("dial tcp: connection refused")
		o := Options{BootstrapServers: []string{"127.0.0.1:1"}}
		if err := explainConnect(context.Background(), o, &Security{Protocol: "PLAINTEXT"}, cause); err != cause {
			t.Errorf("got %v", err)
		}
	})
}

// TestExplainConnectWrongPassword pins issue 8's finding that a wrong
// password was reported twice ("SASL Authentication failed: Authentication
// failed during authentication ..." behind "run out of available
// brokers"): one input error, with the user, the mechanism and the broker's
// reason once, and never the password.
func TestExplainConnectWrongPassword(t *testing.T) {
	const reason = "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512"
	// As sarama's client returns it when every broker refused the login,
	// one line per broker.
	cause := fmt.Errorf("connect to kafka at [k1:9093]: %w",
		sarama.Wrap(sarama.ErrOutOfBrokers, sarama.Wrap(sarama.ErrSASLAuthenticationFailed, errors.New(reason)),
			sarama.Wrap(sarama.ErrSASLAuthenticationFailed, errors.New(reason))))
	sec := &Security{Protocol: "SASL_SSL", Mechanism: "SCRAM-SHA-512", Username: "alice", Password: testPassword}
	o := Options{BootstrapServers: []string{"k1:9093", "k2:9093"}, CommandConfig: "/etc/kafka/client.properties"}
	err := explainConnect(context.Background(), o, sec, cause)
	if !cluster.IsInvalid(err) {
		t.Fatalf("got %v, want an input error", err)
	}
	msg := err.Error()
	want := `kafka at k1:9093,k2:9093 refused user "alice" (SCRAM-SHA-512 over SASL_SSL): ` + reason +
		"; check the username and password in sasl.jaas.config of /etc/kafka/client.properties"
	if msg != want {
		t.Errorf("got  %q\nwant %q", msg, want)
	}
	if n := strings.Count(strings.ToLower(msg), "authentication failed"); n != 1 {
		t.Errorf("%q says authentication failed %d times", msg, n)
	}
	if strings.Contains(msg, "s3cr") {
		t.Errorf("%q shows the password", msg)
	}
}

// TestConnectWrongPasswordLogsInOnce: with a wrong password, Connect tries
// one login, not one per bootstrap server and metadata retry (sarama's
// client alone made 9 on three brokers: enough to trip an alert or a
// lock-out), and reports it once.
func TestConnectWrongPasswordLogsInOnce(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "fdud", "right-pass-x1"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	// kfake closes the connection on a wrong password; Kafka answers
	// SASL_AUTHENTICATION_FAILED with a reason, as this control does when
	// refuse is set (at the first step of the exchange: each request it
	// sees is one login).
	var mu sync.Mutex
	logins, refuse := 0, false
	c.ControlKey(int16(kmsg.SASLAuthenticate), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		mu.Lock()
		defer mu.Unlock()
		if !refuse {
			return nil, nil, false
		}
		logins++
		resp := kreq.(*kmsg.SASLAuthenticateRequest).ResponseKind().(*kmsg.SASLAuthenticateResponse)
		resp.ErrorCode = int16(sarama.ErrSASLAuthenticationFailed)
		resp.ErrorMessage = kmsg.StringPtr("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512")
		return resp, nil, true
	})
	connect := func(password string) error {
		p := filepath.Join(t.TempDir(), "client.properties")
		text := "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n" +
			`sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="fdud" password="` + password + `";` + "\n"
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cl, err := Connect(ctx, Options{BootstrapServers: c.ListenAddrs(), CommandConfig: p, Timeout: 10 * time.Second, Logger: testLogger(t)})
		if err == nil {
			cl.Close()
		}
		return err
	}
	if err := connect("right-pass-x1"); err != nil {
		t.Fatalf("right password: %v", err)
	}
	mu.Lock()
	refuse = true
	mu.Unlock()
	err = connect("wrong-pass-x2")
	if !cluster.IsInvalid(err) || !strings.Contains(err.Error(), "kafka at "+c.ListenAddrs()[0]+` refused user "fdud" (SCRAM-SHA-512 over SASL_PLAINTEXT)`) {
		t.Fatalf("wrong password: got %v", err)
	}
	if strings.Contains(err.Error(), "wrong-pass") || strings.Contains(err.Error(), "run out of available brokers") {
		t.Errorf("wrong password: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if logins != 1 {
		t.Errorf("wrong password: %d logins tried, want 1", logins)
	}
}
