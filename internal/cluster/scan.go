package cluster

import (
	"bytes"
	"encoding/json"
)

// scanner walks JSON text in place, accepting exactly what encoding/json
// accepts (RFC 8259, nesting up to encoding/json's 10,000 levels). It backs
// the fast decoders of the hot documents: they read typed values straight
// from the text, instead of building the generic tree a JSON Schema
// validator works on. Every method returns false on a syntax error, and the
// decoders then give up, leaving the error message to the schema validator.
type scanner struct {
	data  []byte
	pos   int
	depth int
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

func (s *scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

// eat consumes c, after white space.
func (s *scanner) eat(c byte) bool {
	if s.peek() == c {
		s.pos++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (s *scanner) end() bool { return s.peek() == 0 && s.pos == len(s.data) }

// open enters an object or array: c is '{' or '['.
func (s *scanner) open(c byte) bool {
	if !s.eat(c) {
		return false
	}
	s.depth++
	return s.depth <= maxDepth
}

// next is called after an element or member: it consumes a comma and
// reports true when another one follows, or consumes the closing bracket
// and reports false. ok is false on anything else.
func (s *scanner) next(close byte) (more, ok bool) {
	switch s.peek() {
	case ',':
		s.pos++
		return true, true
	case close:
		s.pos++
		s.depth--
		return false, true
	}
	return false, false
}

// first is called right after open: it reports whether the container has
// an element, consuming the closing bracket of an empty one.
func (s *scanner) first(close byte) bool {
	if s.peek() == close {
		s.pos++
		s.depth--
		return false
	}
	return true
}

// str scans a string and returns its raw content between the quotes.
// plain is true when the content has no escapes and only ASCII, so that
// the raw bytes are the decoded value.
func (s *scanner) str() (raw []byte, plain, ok bool) {
	if s.peek() != '"' {
		return nil, false, false
	}
	s.pos++
	start := s.pos
	plain = true
	d := s.data
	for i := start; i < len(d); i++ {
		c := d[i]
		switch {
		case c == '"':
			s.pos = i + 1
			return d[start:i], plain, true
		case c < 0x20:
			return nil, false, false
		case c >= 0x80:
			plain = false
		case c == '\\':
			plain = false
			i++
			if i >= len(d) {
				return nil, false, false
			}
			switch d[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(d) {
					return nil, false, false
				}
				for _, h := range d[i+1 : i+5] {
					if !isHex(h) {
						return nil, false, false
					}
				}
				i += 4
			default:
				return nil, false, false
			}
		}
	}
	return nil, false, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// text returns the value of a string scanned by str, decoded as
// encoding/json decodes it (escapes resolved, invalid UTF-8 replaced).
func text(raw []byte, plain bool) string {
	if plain {
		return string(raw)
	}
	var v string
	q := make([]byte, 0, len(raw)+2)
	q = append(append(append(q, '"'), raw...), '"')
	if err := json.Unmarshal(q, &v); err != nil {
		return "\uFFFD" // not reached: str accepted raw
	}
	return v
}

// key scans a member name and the colon after it.
func (s *scanner) key() (raw []byte, plain, ok bool) {
	raw, plain, ok = s.str()
	if !ok || !s.eat(':') {
		return nil, false, false
	}
	return raw, plain, true
}

// isKey reports whether a member name scanned by key is name.
func isKey(raw []byte, plain bool, name string) bool {
	if plain {
		return string(raw) == name
	}
	return text(raw, false) == name
}

// num scans a number and returns its text.
func (s *scanner) num() ([]byte, bool) {
	s.ws()
	d := s.data
	i := s.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	default:
		return nil, false
	}
	if i < len(d) && d[i] == '.' {
		i++
		j := i
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
		if i == j {
			return nil, false
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := i
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
		if i == j {
			return nil, false
		}
	}
	lit := d[s.pos:i]
	s.pos = i
	return lit, true
}

// int32Value returns the value of a JSON number literal when it is an
// integer between 0 and 2147483647, the range every id and count of
// fdud's schemas allows. As in JSON Schema, 1.0 and 1e0 are the integer 1.
func int32Value(lit []byte) (int32, bool) {
	if v, ok := plainInt(lit); ok {
		return int32(v), v <= 1<<31-1
	}
	neg := len(lit) > 0 && lit[0] == '-'
	if neg {
		lit = lit[1:]
	}
	mant := lit
	var exp int64
	if i := bytes.IndexAny(lit, "eE"); i >= 0 {
		mant = lit[:i]
		e := lit[i+1:]
		eneg := len(e) > 0 && e[0] == '-'
		if len(e) > 0 && (e[0] == '-' || e[0] == '+') {
			e = e[1:]
		}
		for _, c := range e {
			if exp < 1<<40 { // saturate: anything this large is out of range anyway
				exp = exp*10 + int64(c-'0')
			}
		}
		if eneg {
			exp = -exp
		}
	}
	intPart, frac := mant, []byte(nil)
	if i := bytes.IndexByte(mant, '.'); i >= 0 {
		intPart, frac = mant[:i], mant[i+1:]
	}
	// The value is digits x 10^exp, digits being intPart then frac.
	exp -= int64(len(frac))
	digits := make([]byte, 0, 24)
	digits = append(append(digits, intPart...), frac...)
	digits = bytes.TrimLeft(digits, "0")
	if len(digits) == 0 {
		return 0, true // zero, -0 included
	}
	for exp < 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		exp++
	}
	if exp < 0 || neg || int64(len(digits))+exp > 10 {
		return 0, false // a fraction, negative, or over ten digits
	}
	var v int64
	for _, c := range digits {
		v = v*10 + int64(c-'0')
	}
	for ; exp > 0; exp-- {
		v *= 10
	}
	if v > 1<<31-1 {
		return 0, false
	}
	return int32(v), true
}

// plainInt reads the common form of a number: up to ten digits, no sign,
// fraction or exponent.
func plainInt(lit []byte) (int64, bool) {
	if len(lit) == 0 || len(lit) > 10 {
		return 0, false
	}
	var v int64
	for _, c := range lit {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// skip scans any value.
func (s *scanner) skip() bool {
	switch s.peek() {
	case '{':
		if !s.open('{') {
			return false
		}
		for more := s.first('}'); more; {
			if _, _, ok := s.key(); !ok || !s.skip() {
				return false
			}
			var ok bool
			if more, ok = s.next('}'); !ok {
				return false
			}
		}
		return true
	case '[':
		if !s.open('[') {
			return false
		}
		for more := s.first(']'); more; {
			if !s.skip() {
				return false
			}
			var ok bool
			if more, ok = s.next(']'); !ok {
				return false
			}
		}
		return true
	case '"':
		_, _, ok := s.str()
		return ok
	case 't':
		return s.lit("true")
	case 'f':
		return s.lit("false")
	case 'n':
		return s.lit("null")
	}
	_, ok := s.num()
	return ok
}

func (s *scanner) lit(word string) bool {
	if bytes.HasPrefix(s.data[s.pos:], []byte(word)) {
		s.pos += len(word)
		return true
	}
	return false
}
