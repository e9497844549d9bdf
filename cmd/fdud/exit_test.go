package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/fdud/fdud/internal/cluster"
)

// Issue 9 (no Go internals in messages): an interrupted batching execute
// ended its advice with Go's ": context canceled".
func TestReportError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code int
		want string
	}{
		{"interrupted", fmt.Errorf("stopped with 0 of 4 partitions done; re-run the same plan to continue: %w", context.Canceled),
			exitCanceled, "fdud: stopped with 0 of 4 partitions done; re-run the same plan to continue: interrupted\n"},
		{"bare interruption", context.Canceled, exitCanceled, "fdud: interrupted\n"},
		{"at risk", fmt.Errorf("verify: %w", cluster.ErrAtRisk), exitAtRisk, "fdud: verify: partitions at risk\n"},
		{"error", errors.New("read cluster state: dial tcp 127.0.0.1:1: connection refused"), exitError,
			"fdud: read cluster state: dial tcp 127.0.0.1:1: connection refused\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if code := reportError(&b, tt.err); code != tt.code || b.String() != tt.want {
				t.Errorf("exit %d, %q; want %d, %q", code, b.String(), tt.code, tt.want)
			}
		})
	}
}
