// Command fdud keeps Kafka replicas spread across Azure fault and update
// domains. See README.md, or run fdud --help.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	// fdud runs briefly and most of what it allocates (the input, the plan,
	// the rollback) is live until it exits, so a collection each time the
	// heap doubles buys little memory for much time (a third of the CPU of
	// a 1M-partition generate). Collect at 5x instead, unless GOGC is set.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
