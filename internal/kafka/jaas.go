package kafka

import (
	"errors"
	"fmt"
	"strings"
)

// jaasEntry is one login module line of sasl.jaas.config:
//
//	org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";
type jaasEntry struct {
	Module  string
	Flag    string
	Options map[string]string
}

// parseJAAS parses a client's sasl.jaas.config, which must hold exactly one
// login module (as Kafka's own client requires). Errors describe the position
// and what was expected, never the text: it carries the password.
func parseJAAS(s string) (jaasEntry, error) {
	t := &jaasTokenizer{s: s}
	var e jaasEntry
	tok, kind, err := t.next()
	if err != nil {
		return e, err
	}
	if kind != tokWord {
		return e, errors.New("expected a login module class name at the start")
	}
	e.Module = tok
	if tok, kind, err = t.next(); err != nil {
		return e, err
	}
	if kind != tokWord {
		return e, fmt.Errorf("expected a control flag (required, requisite, sufficient, optional) after %s", e.Module)
	}
	switch strings.ToLower(tok) {
	case "required", "requisite", "sufficient", "optional":
		e.Flag = strings.ToLower(tok)
	default:
		return e, fmt.Errorf("expected a control flag (required, requisite, sufficient, optional) after %s", e.Module)
	}
	e.Options = map[string]string{}
	for {
		tok, kind, err := t.next()
		if err != nil {
			return e, err
		}
		if kind == tokSemicolon {
			break
		}
		if kind == tokEOF {
			return e, errors.New("login module entry must end with ';'")
		}
		if kind != tokWord {
			return e, fmt.Errorf("expected an option name at offset %d", t.last)
		}
		key, keyAt := tok, t.last
		if _, kind, err = t.next(); err != nil {
			return e, err
		}
		// Positions, not names: with broken quoting a "name" may be a
		// piece of the password.
		if kind != tokEquals {
			return e, fmt.Errorf("expected '=' after the option name at offset %d", keyAt)
		}
		val, kind, err := t.next()
		if err != nil {
			return e, err
		}
		if kind != tokWord && kind != tokQuoted {
			return e, fmt.Errorf("expected a value for the option at offset %d", keyAt)
		}
		e.Options[key] = val
	}
	if _, kind, err := t.next(); err != nil || kind != tokEOF {
		return e, errors.New("more than one login module: a client uses exactly one")
	}
	return e, nil
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokWord
	tokQuoted
	tokEquals
	tokSemicolon
)

type jaasTokenizer struct {
	s    string
	pos  int
	last int
}

func (t *jaasTokenizer) next() (string, tokKind, error) {
	for t.pos < len(t.s) && strings.IndexByte(" \t\r\n\f", t.s[t.pos]) >= 0 {
		t.pos++
	}
	t.last = t.pos
	if t.pos >= len(t.s) {
		return "", tokEOF, nil
	}
	switch c := t.s[t.pos]; c {
	case '=':
		t.pos++
		return "", tokEquals, nil
	case ';':
		t.pos++
		return "", tokSemicolon, nil
	case '"', '\'':
		start := t.pos
		t.pos++
		var b strings.Builder
		for t.pos < len(t.s) {
			d := t.s[t.pos]
			switch {
			case d == c:
				t.pos++
				return b.String(), tokQuoted, nil
			case d == '\\' && t.pos+1 < len(t.s):
				b.WriteByte(t.s[t.pos+1])
				t.pos += 2
			default:
				b.WriteByte(d)
				t.pos++
			}
		}
		return "", tokEOF, fmt.Errorf("unterminated quoted value starting at offset %d", start)
	default:
		start := t.pos
		for t.pos < len(t.s) && strings.IndexByte(" \t\r\n\f=;\"'", t.s[t.pos]) < 0 {
			t.pos++
		}
		return t.s[start:t.pos], tokWord, nil
	}
}
