package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
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

// The bash script, loaded in a real bash, completes commands and flags from
// the built binary. (urfave/cli reads os.Args to complete, so this cannot run
// in-process.) Candidates come on stdout, like --help.
func TestBashCompletionScript(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "fdud"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	script := `source <(fdud completion bash)
COMP_WORDS=(fdud gen); COMP_CWORD=1; _fdud_complete; echo "${COMPREPLY[*]}"
COMP_WORDS=(fdud generate --broker-); COMP_CWORD=2; _fdud_complete; echo "${COMPREPLY[*]}"`
	cmd := exec.Command(bash, "-c", script)
	cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	want := "generate\n--broker-ids --broker-list --broker-capacity\n"
	if string(out) != want {
		t.Fatalf("completions:\n%s\nwant:\n%s", out, want)
	}
}
