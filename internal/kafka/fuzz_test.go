package kafka

import (
	"strings"
	"testing"
)

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
