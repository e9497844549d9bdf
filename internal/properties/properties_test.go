package properties

import (
	"maps"
	"strings"
	"testing"
)

// cases pins Parse to java.util.Properties.load: every want below was
// produced by Java 17's Properties.load(Reader) on the same text (and 20,000
// random texts over "a=: \t\f\\\n\r#!u0eA" parsed alike in both).
var cases = []struct {
	name string
	text string
	want map[string]string
}{
	{"equals", "a=b\n", map[string]string{"a": "b"}},
	{"colon and blanks kept at the end", "  a : b c \n", map[string]string{"a": "b c "}},
	{"trailing tab and formfeed kept", "a=b\t\f", map[string]string{"a": "b\t\f"}},
	{"whitespace separator", "a b", map[string]string{"a": "b"}},
	{"whitespace then equals", "a \t= b", map[string]string{"a": "b"}},
	{"only one separator", "a = = b", map[string]string{"a": "= b"}},
	{"double equals", "a==b", map[string]string{"a": "=b"}},
	{"colon then equals", "a:=b", map[string]string{"a": "=b"}},
	{"key only", "lonely", map[string]string{"lonely": ""}},
	{"key and blanks", "lonely   ", map[string]string{"lonely": ""}},
	{"empty key", "=v", map[string]string{"": "v"}},
	{"comments", "# x=y\n! z=w\n   # indented\na=1", map[string]string{"a": "1"}},
	{"comment not continued", "# x \\\na=1", map[string]string{"a": "1"}},
	{"hash inside a value", "a=b#c", map[string]string{"a": "b#c"}},
	{"continuation", "a=one \\\n    two\\\n three", map[string]string{"a": "one twothree"}},
	{"continuation into a comment-like line", "a=b\\\n#c", map[string]string{"a": "b#c"}},
	{"continuation into an empty line", "a=b\\\n\nc=d", map[string]string{"a": "b", "c": "d"}},
	{"continuation into a blank line", "a=b\\\n   \nc=d", map[string]string{"a": "b", "c": "d"}},
	{"continuation of a lone backslash", "\\\n#c\nd=e", map[string]string{"d": "e"}},
	{"continued key", "ke\\\n  y=v", map[string]string{"key": "v"}},
	{"continuation over crlf", "a=x\\\r\n  y\r\nb=2", map[string]string{"a": "xy", "b": "2"}},
	{"continuation over cr", "a=x\\\r  y\rb=2", map[string]string{"a": "xy", "b": "2"}},
	{"escaped backslash is no continuation", "a=x\\\\\nb=y", map[string]string{"a": `x\`, "b": "y"}},
	{"three backslashes continue", "a=x\\\\\\\ny", map[string]string{"a": `x\y`}},
	{"final backslash dropped", "a=x\\", map[string]string{"a": "x"}},
	{"final backslash and break dropped", "a=1\\\n", map[string]string{"a": "1"}},
	// Java's quirks at the end of the text, kept: a lone backslash on the
	// last line is an empty key, unless the text ends in \r\n.
	{"lone backslash on the last line", "a=1\n\\\n", map[string]string{"a": "1", "": ""}},
	{"lone backslash before a final crlf", "a=1\n\\\r\n", map[string]string{"a": "1"}},
	{"escapes", `a=\t\n\r\f\u0041\=\:\#\!\ \q`, map[string]string{"a": "\t\n\r\f" + "A=:#! q"}},
	{"upper-case hex", `a=\u00E9\u00e9`, map[string]string{"a": "éé"}},
	{"surrogate pair", `a=\uD83D\uDE00`, map[string]string{"a": "😀"}},
	{"utf-8 text", "clé=café", map[string]string{"clé": "café"}},
	{"escaped key separators", `my\ key\=x\:y=v`, map[string]string{"my key=x:y": "v"}},
	{"escaped leading blank of a value", `a=\  b`, map[string]string{"a": "  b"}},
	{"crlf", "a=1\r\nb=2\r\n", map[string]string{"a": "1", "b": "2"}},
	{"cr only", "a=1\rb=2\r", map[string]string{"a": "1", "b": "2"}},
	{"empty value", "a=\nb", map[string]string{"a": "", "b": ""}},
	{"later wins", "a=1\na=2", map[string]string{"a": "2"}},
	{"empty text", "", map[string]string{}},
	{"jaas over lines", "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \\\n  username=\"u\" \\\n  password=\"p\";",
		map[string]string{"sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";`}},
}

func TestParse(t *testing.T) {
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("Parse(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	const secret = "s3cr=t;\"pw"
	tests := []struct {
		name, text, want string
	}{
		{"bad hex in a value", "a=1\nb=\\u00zz" + secret, `line 2 (key "b"): value: malformed \uXXXX escape`},
		{"short escape at the end", "a=\\u12", `line 1 (key "a"): value: malformed`},
		{"bad key", "\n\n\\u12=x", "line 3: key: malformed"},
		{"line of a continued entry", "x=1\\\n 2\ny=\\uqqqq", "line 3 "},
		{"line after crlf", "x=1\r\n\r\ny=\\u1", "line 3 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.text)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q quotes the value", err)
			}
		})
	}
}

// Properties files come from operators' disks; no text may crash the parser.
// Without escapes (which may legitimately produce any character), a parsed key
// never contains a line break, and a parse of the same text is the same.
func FuzzParse(f *testing.F) {
	for _, c := range cases {
		f.Add(c.text)
	}
	f.Add("bad=\\u12\n")
	f.Fuzz(func(t *testing.T, text string) {
		props, err := Parse(text)
		if err != nil {
			if !strings.Contains(text, `\u`) {
				t.Fatalf("error %v without a \\u escape", err)
			}
			return
		}
		if strings.Contains(text, `\`) {
			return
		}
		for k, v := range props {
			if strings.ContainsAny(k, "\n\r") || strings.ContainsAny(v, "\n\r") {
				t.Fatalf("entry %q=%q spans lines", k, v)
			}
			if strings.ContainsAny(k, "=: \t\f") {
				t.Fatalf("key %q holds an unescaped separator", k)
			}
		}
	})
}
