package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/fdud/fdud/internal/cluster"
	"github.com/fdud/fdud/internal/clusterstate"
	"github.com/fdud/fdud/internal/kafka"
)

// newUnlockCommand is `fdud unlock`: break the cluster lock on the Admin
// API path, for an operator who knows its holder is gone.
func newUnlockCommand(s streams) *cli.Command {
	return &cli.Command{
		Name:  "unlock",
		Usage: "break the cluster lock fdud execute holds in the cluster (Admin API path), when its holder is gone",
		Description: `Without --zookeeper, fdud execute and verify hold the cluster lock in the
cluster's topic __fdud_state. The holder sends a heartbeat every 30 s; when
none has come for 2 minutes (a killed fdud execute, a lost VM), the next fdud run
takes the lock over by itself and says whose it was. fdud unlock breaks it at
once, whoever holds it, and says whose it was: use it only when that holder is
gone. A holder that is still running finds out at its next heartbeat or
before its next change, and stops with an error.

With --zookeeper the lock is an ephemeral node that ZooKeeper removes when its
holder's session ends: there is nothing to break.

Example:
  fdud unlock --bootstrap-server k1:9092`,
		Flags: append(clusterFlags(),
			&cli.StringFlag{Name: "name", Value: clusterstate.DefaultLockName, Usage: "lock `NAME`"},
		),
		Action: func(c *cli.Context) error {
			ko := clusterOptions(c, newLogger(c, s)).kafkaOptions()
			if ko.ZooKeeper != "" {
				return cluster.Invalidf("fdud unlock: with --zookeeper the lock is an ephemeral node, which ZooKeeper removes when its holder's session ends")
			}
			ctx := c.Context
			cl, err := kafka.Connect(ctx, ko)
			if err != nil {
				return err
			}
			defer cl.Close()
			store, err := clusterstate.Open(ctx, kafka.StateTopicOf(cl), clusterstate.Options{})
			if err != nil {
				return err
			}
			prev, err := clusterstate.Break(ctx, store, clusterstate.LockOptions{Name: c.String("name"), Logger: ko.Logger})
			if err != nil {
				return err
			}
			if prev == nil {
				fmt.Fprintf(s.err, "The cluster lock (%s, lock %s) was free.\n", store.Where(), c.String("name"))
				return nil
			}
			fmt.Fprintf(s.err, "Broke the cluster lock (%s, lock %s) held by %s; it is free now (%s).\n",
				store.Where(), c.String("name"), prev, time.Now().UTC().Format(time.RFC3339))
			return nil
		},
	}
}
