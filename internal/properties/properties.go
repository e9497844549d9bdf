// Package properties reads Java .properties text (Kafka's server.properties,
// meta.properties and client --command-config files) the way
// java.util.Properties.load does, so that fdud and Kafka read a file alike.
package properties

import (
	"fmt"
	"strings"
	"unicode/utf16"
)

// Parse reads properties text as java.util.Properties.load(Reader) does:
//
//   - natural lines end at \n, \r or \r\n;
//   - a line that is blank, or whose first non-blank character is '#' or '!',
//     is a comment (a comment line is never continued);
//   - a line ending in an odd number of backslashes continues on the next
//     line; the backslash, the line break and the next line's leading
//     blanks (space, \t, \f) are dropped; a final backslash at the end of the
//     text is dropped;
//   - the key ends at the first unescaped '=', ':' or blank; blanks around
//     the separator are skipped (one '=' or ':' at most), and the rest of the
//     line is the value, trailing blanks included;
//   - in keys and values \t \n \r \f and \uXXXX are escapes, and a backslash
//     before any other character stands for that character;
//   - a later key replaces an earlier one.
//
// The text is taken as UTF-8 (as load(Reader) decodes it), not ISO 8859-1 as
// load(InputStream) does. A malformed \uXXXX escape is an error, as in Java;
// errors name the line and, for values, the key, never the value: these files
// hold passwords.
func Parse(text string) (map[string]string, error) {
	props := map[string]string{}
	r := lineReader{text: text, lineNo: 1}
	for {
		line, lineNo, ok := r.next()
		if !ok {
			return props, nil
		}
		rawKey, rawValue := split(line)
		key, err := unescape(rawKey)
		if err != nil {
			return nil, fmt.Errorf("line %d: key: %w", lineNo, err)
		}
		value, err := unescape(rawValue)
		if err != nil {
			return nil, fmt.Errorf("line %d (key %q): value: %w", lineNo, key, err)
		}
		props[key] = value
	}
}

// lineReader yields logical lines, a port of java.util.Properties.LineReader.
type lineReader struct {
	text   string
	off    int
	lineNo int // the natural line text[off] is on
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\f' }

// next returns the next logical line (continuations joined, comments and
// blank lines skipped) and the number of the natural line it starts on.
func (r *lineReader) next() (line string, lineNo int, ok bool) {
	var buf []byte
	skipBlank := true
	appendedLineBegin := false
	precedingBackslash := false
	start := 0
	for {
		if r.off >= len(r.text) {
			if len(buf) == 0 {
				return "", 0, false
			}
			if precedingBackslash {
				buf = buf[:len(buf)-1]
			}
			return string(buf), start, true
		}
		c := r.text[r.off]
		r.off++
		if skipBlank {
			if isBlank(c) {
				continue
			}
			if !appendedLineBegin && (c == '\r' || c == '\n') {
				r.newline(c)
				continue
			}
			skipBlank, appendedLineBegin = false, false
		}
		if len(buf) == 0 {
			start = r.lineNo
			if c == '#' || c == '!' {
				r.skipComment()
				skipBlank = true
				continue
			}
		}
		if c != '\n' && c != '\r' {
			buf = append(buf, c)
			precedingBackslash = c == '\\' && !precedingBackslash
			continue
		}
		if len(buf) == 0 {
			r.newline(c)
			skipBlank = true
			continue
		}
		last := r.off == len(r.text) // Java checks before looking past a \r
		r.newline(c)
		if precedingBackslash {
			buf = buf[:len(buf)-1] // the backslash before the line break
		}
		if last || !precedingBackslash {
			// A line continued into the end of the text is an entry
			// even when nothing is left of it.
			return string(buf), start, true
		}
		skipBlank, appendedLineBegin, precedingBackslash = true, true, false
	}
}

// newline counts a line break just read; the \n of a \r\n is consumed with
// it. (Java's reader leaves that \n to be skipped as an empty line, with
// the same result.)
func (r *lineReader) newline(c byte) {
	if c == '\r' && r.off < len(r.text) && r.text[r.off] == '\n' {
		r.off++
	}
	r.lineNo++
}

// skipComment consumes the rest of a comment line, up to its line break.
func (r *lineReader) skipComment() {
	for r.off < len(r.text) {
		c := r.text[r.off]
		if c == '\n' || c == '\r' {
			return // the caller skips the break as a blank line's
		}
		r.off++
	}
}

// split cuts a logical line into its raw (still escaped) key and value.
func split(line string) (key, value string) {
	keyLen, valueStart := 0, len(line)
	hasSep, precedingBackslash := false, false
	for ; keyLen < len(line); keyLen++ {
		c := line[keyLen]
		if !precedingBackslash && (c == '=' || c == ':') {
			valueStart, hasSep = keyLen+1, true
			break
		}
		if !precedingBackslash && isBlank(c) {
			valueStart = keyLen + 1
			break
		}
		precedingBackslash = c == '\\' && !precedingBackslash
	}
	for ; valueStart < len(line); valueStart++ {
		c := line[valueStart]
		if isBlank(c) {
			continue
		}
		if !hasSep && (c == '=' || c == ':') {
			hasSep = true
			continue
		}
		break
	}
	return line[:keyLen], line[valueStart:]
}

// unescape resolves backslash escapes. \uXXXX yields a UTF-16 code unit;
// a surrogate pair becomes one character, and a lone surrogate (which UTF-8
// cannot carry) becomes U+FFFD.
func unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	var high rune // a pending high surrogate from a \u escape
	flush := func() {
		if high != 0 {
			b.WriteRune(utf16.DecodeRune(high, 0))
			high = 0
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) { // a lone final backslash stands for nothing
			flush()
			if c != '\\' {
				b.WriteByte(c)
			}
			continue
		}
		i++
		c = s[i]
		if c != 'u' {
			flush()
			b.WriteByte(letterEscape(c))
			continue
		}
		u, ok := hex4(s[i+1:])
		if !ok {
			return "", fmt.Errorf("malformed \\uXXXX escape at offset %d", i-1)
		}
		i += 4
		switch {
		case utf16.IsSurrogate(u) && u < 0xdc00: // high
			flush()
			high = u
		case utf16.IsSurrogate(u) && high != 0: // low after high
			b.WriteRune(utf16.DecodeRune(high, u))
			high = 0
		default:
			flush()
			b.WriteRune(u) // a lone low surrogate is written as U+FFFD
		}
	}
	flush()
	return b.String(), nil
}

// letterEscape is the character \c stands for: \t \n \r \f, else c itself.
func letterEscape(c byte) byte {
	switch c {
	case 't':
		return '\t'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 'f':
		return '\f'
	}
	return c
}

// hex4 reads exactly four hex digits from the front of s.
func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var v rune
	for _, c := range []byte(s[:4]) {
		switch {
		case '0' <= c && c <= '9':
			v = v<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			v = v<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			v = v<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}
