package main

import (
	"io"

	"github.com/fdud/fdud/internal/cluster"
)

// pipedStdin is stdin as an input that reads it sees it: the plan, a
// --current-assignment -, a --domains -, ... When stdin is a terminal,
// nobody is piping anything in, and waiting for input would look like a
// hang at 3 a.m.: the first read fails at once with a usage error (exit 2)
// naming what was expected and the flag that takes a file instead. Every
// stdin reader of both front ends reads through it, so the check is
// written once.
func pipedStdin(stdin io.Reader, what, alternative string) io.Reader {
	return &stdinGuard{r: stdin, what: what, alternative: alternative}
}

type stdinGuard struct {
	r                 io.Reader
	what, alternative string
	checked           bool
}

func (g *stdinGuard) Read(p []byte) (int, error) {
	if !g.checked {
		if isTerminal(g.r) {
			return 0, noStdinError(g.what, g.alternative)
		}
		g.checked = true
	}
	return g.r.Read(p)
}

// noStdinError says that what was to come on stdin, which is a terminal.
func noStdinError(what, alternative string) error {
	return cluster.Invalidf("no %s: pipe it on stdin or pass %s", what, alternative)
}
