package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
)

func TestCompatArgs(t *testing.T) {
	tests := []struct {
		in, want []string
	}{
		{[]string{"/usr/bin/kafka-reassign-partitions.sh", "--list"}, []string{"/usr/bin/kafka-reassign-partitions.sh", "compat", "--list"}},
		{[]string{"kafka-reassign-partitions", "--verify"}, []string{"kafka-reassign-partitions", "compat", "--verify"}},
		{[]string{"/usr/bin/fdud", "verify"}, []string{"/usr/bin/fdud", "verify"}},
		{[]string{"kafka-topics.sh", "--list"}, []string{"kafka-topics.sh", "--list"}},
		{nil, nil},
	}
	for _, tt := range tests {
		if got := compatArgs(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("compatArgs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCompatExitCodes runs the command line through run, as main does, for
// outcomes that need no cluster.
func TestCompatExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"usage error", []string{"kafka-reassign-partitions.sh", "--bootstrap-server", "k:9092"}, exitBadInput, "exactly one action"},
		{"usage error, Kafka's codes", []string{"kafka-reassign-partitions.sh", "--bootstrap-server", "k:9092", "--kafka-exit-codes"}, 1, "exactly one action"},
		{"missing plan file", []string{"fdud", "compat", "--zookeeper", "127.0.0.1:1", "--verify", "--reassignment-json-file", "/nonexistent/plan.json"}, exitBadInput, "no such file"},
		{"help", []string{"kafka-reassign-partitions", "--help"}, exitOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errw bytes.Buffer
			code := run(context.Background(), tt.args, strings.NewReader(""), &out, &errw)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, errw.String())
			}
			if !strings.Contains(errw.String(), tt.err) {
				t.Errorf("stderr %q, want it to contain %q", errw.String(), tt.err)
			}
			if tt.name == "help" && !strings.Contains(out.String(), "--reassignment-json-file") {
				t.Errorf("help (on stdout) does not list Kafka's options:\n%s", out.String())
			}
		})
	}
}
