package kafka

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"syscall"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/fdud/fdud/internal/cluster"
)

// A client whose security settings do not fit the listener it reaches gets
// little from the libraries: a SASL handshake refused by a PLAINTEXT
// listener (ILLEGAL_SASL_STATE) is dropped by sarama's client, which then
// says only that it "has run out of available brokers"; TLS against a plain
// port, or the other way round, ends in EOF. explainConnect turns such a
// failure into one error that names the mismatch, found by asking the
// listener itself, and a wrong password into one error that says so once.

// explainConnect returns the error to report when opening the cluster
// failed with err. The causes it recognises (credentials refused, a
// listener that speaks another security protocol than the command config)
// are InputErrors: the command config has to change. Anything else is
// returned as it is.
func explainConnect(ctx context.Context, o Options, sec *Security, err error) error {
	if err == nil || ctx.Err() != nil {
		return err
	}
	if errors.Is(err, sarama.ErrSASLAuthenticationFailed) {
		return authError(o, sec, err)
	}
	// One bound for all servers: brokers that drop packets must not make
	// a failed run take much longer.
	ctx, cancel := context.WithTimeout(ctx, min(o.timeout(), apiVersionsTimeout))
	defer cancel()
	for _, addr := range o.BootstrapServers {
		if hint := diagnoseListener(ctx, addr, sec, o.CommandConfig); hint != "" {
			o.logger().Debug("connection failed; the listener's protocol differs from the command config's", "broker", addr, "err", err)
			return cluster.Invalidf("%s", hint)
		}
	}
	return err
}

// authError reports credentials the brokers refused, once: sarama's text
// ("SASL Authentication failed: Authentication failed during
// authentication ...") is cut down to the broker's own reason.
func authError(o Options, sec *Security, err error) error {
	reason := err.Error()
	prefix := sarama.ErrSASLAuthenticationFailed.Error() + ": "
	if i := strings.Index(reason, prefix); i >= 0 {
		// The first broker's reason; sarama joins one per broker with "\n".
		reason, _, _ = strings.Cut(reason[i+len(prefix):], "\n")
	} else {
		reason = "invalid credentials"
	}
	where := strings.Join(o.BootstrapServers, ",")
	if le := (*loginError)(nil); errors.As(err, &le) {
		where = le.addr
	}
	return cluster.Invalidf("kafka at %s refused user %q (%s over %s): %s; check the username and password in sasl.jaas.config of %s",
		where, sec.Username, sec.Mechanism, sec.Protocol, strings.TrimSpace(reason), o.CommandConfig)
}

// diagnoseListener asks the listener at addr how it wants to be spoken to,
// and returns a hint when that is not what sec says, or "" when it cannot
// tell or finds no mismatch. It never authenticates: it sends a TLS
// handshake and a SASL handshake for a mechanism no broker has.
func diagnoseListener(ctx context.Context, addr string, sec *Security, commandConfig string) string {
	l, ok := probeListener(ctx, addr, sec)
	if !ok {
		return ""
	}
	wantTLS, wantSASL := sec.TLS != nil, sec.Mechanism != ""
	source := "(no --command-config: Kafka's default)"
	if commandConfig != "" {
		source = "in " + commandConfig
	}
	if wantTLS == l.tls && (!l.saslKnown || wantSASL == l.sasl) {
		if wantSASL && l.saslKnown && !slices.Contains(l.mechanisms, sec.Mechanism) {
			return fmt.Sprintf("%s does not enable sasl.mechanism %s (it offers %s): set sasl.mechanism and the matching sasl.jaas.config %s",
				addr, sec.Mechanism, strings.Join(l.mechanisms, ", "), source)
		}
		return ""
	}
	actual := l.protocol()
	what := "a " + actual + " listener"
	if !l.saslKnown {
		what = map[bool]string{true: "a TLS listener", false: "not a TLS listener"}[l.tls]
	}
	set := []string{"security.protocol=" + actual}
	if l.tls && !wantTLS {
		set = append(set, "ssl.truststore.* for the brokers' CA")
	}
	if l.saslKnown && l.sasl && !wantSASL {
		set = append(set, "sasl.mechanism", "sasl.jaas.config")
	}
	fix := "set " + set[0]
	if len(set) > 1 {
		fix = "set " + strings.Join(set[:len(set)-1], ", ") + " and " + set[len(set)-1]
	}
	return fmt.Sprintf("%s is %s (%s), but security.protocol=%s %s: check that --bootstrap-server names the port of the brokers' %s listener, or %s",
		addr, what, strings.Join(l.evidence, "; "), sec.Protocol, source, sec.Protocol, fix)
}

// listener is what probeListener found out about a listener.
type listener struct {
	tls        bool
	sasl       bool
	saslKnown  bool
	mechanisms []string // with sasl
	evidence   []string // how it was found out, for the operator
}

// protocol is the listener's security.protocol (with PLAINTEXT or SSL for
// an unknown SASL).
func (l listener) protocol() string {
	switch {
	case l.tls && l.sasl:
		return "SASL_SSL"
	case l.tls:
		return "SSL"
	case l.sasl:
		return "SASL_PLAINTEXT"
	}
	return "PLAINTEXT"
}

// probeListener finds out whether the listener at addr speaks TLS and SASL.
// ok is false when it cannot tell whether it speaks TLS: it is unreachable,
// or refused sec's TLS settings for another reason than not speaking TLS (a
// certificate, a TLS version), which the connection error names.
func probeListener(ctx context.Context, addr string, sec *Security) (l listener, ok bool) {
	cfg := &tls.Config{InsecureSkipVerify: true} // only to find out whether it speaks TLS; nothing secret is sent
	if sec.TLS != nil {
		cfg = tlsForAddr(sec.TLS, addr)
	}
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return l, false
	}
	if dl, ok := ctx.Deadline(); ok {
		raw.SetDeadline(dl)
	}
	var conn net.Conn = raw
	tc := tls.Client(raw, cfg)
	if err := tc.HandshakeContext(ctx); err == nil {
		l.tls, conn = true, tc
		l.evidence = append(l.evidence, "it completed a TLS handshake")
	} else if notTLS(err) {
		raw.Close()
		l.evidence = append(l.evidence, "it closed the connection on a TLS handshake")
		if raw, err = d.DialContext(ctx, "tcp", addr); err != nil {
			return l, true
		}
		if dl, ok := ctx.Deadline(); ok {
			raw.SetDeadline(dl)
		}
		conn = raw
	} else {
		raw.Close()
		return l, false
	}
	defer conn.Close()
	code, mechanisms, err := saslHandshake(conn, "FDUD-PROBE")
	switch {
	case err != nil:
	case code == sarama.ErrIllegalSASLState:
		l.saslKnown = true
		l.evidence = append(l.evidence, "it answered a SASL handshake with ILLEGAL_SASL_STATE")
	case code == sarama.ErrUnsupportedSASLMechanism:
		l.saslKnown, l.sasl, l.mechanisms = true, true, mechanisms
		l.evidence = append(l.evidence, "it offers SASL mechanisms "+strings.Join(mechanisms, ", "))
	}
	return l, true
}

// tlsForAddr is cfg with the server name set from addr when cfg has none,
// as sarama sets it.
func tlsForAddr(cfg *tls.Config, addr string) *tls.Config {
	c := cfg.Clone()
	if c.ServerName == "" {
		if host, _, err := net.SplitHostPort(addr); err == nil {
			c.ServerName = host
		}
	}
	return c
}

// notTLS reports a TLS handshake that failed because the other side does
// not speak TLS: it closed the connection on the ClientHello, or answered
// with something that is no TLS record.
func notTLS(err error) bool {
	var rh tls.RecordHeaderError
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.As(err, &rh)
}

// saslHandshake sends a SaslHandshake request (v1) for mechanism on conn,
// as the first request, and returns the broker's error code and the
// mechanisms it offers. A SASL listener answers an unknown mechanism with
// UNSUPPORTED_SASL_MECHANISM and its list; a listener without SASL answers
// ILLEGAL_SASL_STATE.
func saslHandshake(conn net.Conn, mechanism string) (sarama.KError, []string, error) {
	req := kmsg.NewPtrSASLHandshakeRequest()
	req.Version = 1
	req.Mechanism = mechanism
	const correlationID = 1
	if _, err := conn.Write(kmsg.NewRequestFormatter(kmsg.FormatterClientID("fdud")).AppendRequest(nil, req, correlationID)); err != nil {
		return 0, nil, err
	}
	var size [4]byte
	if _, err := io.ReadFull(conn, size[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(size[:])
	if n < 4 || n > 1<<20 {
		return 0, nil, fmt.Errorf("sasl handshake: response of %d bytes", n)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(conn, buf); err != nil {
		return 0, nil, err
	}
	if int32(binary.BigEndian.Uint32(buf)) != correlationID {
		return 0, nil, errors.New("sasl handshake: response to another request")
	}
	resp := req.ResponseKind().(*kmsg.SASLHandshakeResponse)
	if err := resp.ReadFrom(buf[4:]); err != nil {
		return 0, nil, fmt.Errorf("sasl handshake: %w", err)
	}
	return sarama.KError(resp.ErrorCode), resp.SupportedMechanisms, nil
}
