package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestCompletion(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{args: []string{"fdud", "completion", "bash"}, want: "complete -o bashdefault -o default -F _fdud_complete fdud"},
		{args: []string{"fdud", "completion", "zsh"}, want: "compdef _fdud fdud"},
		{args: []string{"fdud", "completion", "fish"}, code: exitBadInput},
	} {
		t.Run(strings.Join(tc.args[1:], " "), func(t *testing.T) {
			var out, errw bytes.Buffer
			code := run(context.Background(), tc.args, strings.NewReader(""), &out, &errw)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, errw.String())
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Fatalf("stdout lacks %q:\n%s", tc.want, out.String())
			}
		})
	}
}

// The scripts read candidates from stderr: fdud keeps stdout for documents.
func TestCompletionCandidatesOnStderr(t *testing.T) {
	var out, errw bytes.Buffer
	run(context.Background(), []string{"fdud", "--generate-bash-completion"}, strings.NewReader(""), &out, &errw)
	if out.Len() != 0 {
		t.Fatalf("completion candidates on stdout: %q", out.String())
	}
	for _, cmd := range []string{"domains", "generate", "execute", "verify", "compat"} {
		if !strings.Contains(errw.String(), cmd) {
			t.Fatalf("candidates lack %s: %q", cmd, errw.String())
		}
	}
}
