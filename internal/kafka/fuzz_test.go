package kafka

import (
	"strings"
	"testing"
)

// Properties files come from operators' disks; no text may crash the parser.
// Without escapes (which may legitimately produce any character), a parsed key
// never contains a line break: continuations are joined, lines split.
func FuzzParseProperties(f *testing.F) {
	for _, s := range []string{
		"security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n",
		"# comment\n! other comment\nkey : value\nkey2 value2\n",
		"multi=first \\\n   second\n",
		"unicode=caf\\u00e9\ttab\\tescape\n",
		"bad=\\u12\n",
		"trailing=\\",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		props, err := parseProperties(text)
		if err != nil || strings.Contains(text, "\\") {
			return
		}
		for k := range props {
			if strings.ContainsAny(k, "\n\r") {
				t.Fatalf("key %q spans lines", k)
			}
		}
	})
}

// sasl.jaas.config carries the password: whatever follows it in the entry,
// an error must never quote the password.
func FuzzParseJAAS(f *testing.F) {
	for _, s := range []string{`;`, ` extra="x";`, ` a=b c="d e"`, `"`, ` ;;`, ` x=`, ``} {
		f.Add("s3cr3t-XYZ", s)
	}
	f.Fuzz(func(t *testing.T, password, rest string) {
		// Short passwords would match by accident ("offset 90" contains "0").
		if len(password) < 8 || strings.ContainsAny(password, "\"\\") {
			return
		}
		input := `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="` +
			password + `"` + rest
		_, err := parseJAAS(input)
		if err != nil && strings.Contains(err.Error(), password) {
			t.Fatalf("error quotes the password: %v", err)
		}
	})
}
