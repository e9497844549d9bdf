package main

import (
	"github.com/urfave/cli/v2"

	"github.com/fdud/fdud/generate"
	"github.com/fdud/fdud/internal/sizes"
)

// sizeFlags are generate's flags about data sizes and disks.
func sizeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "log-dirs", EnvVars: []string{"FDUD_LOG_DIRS"},
			Usage: "replica sizes offline: what kafka-log-dirs.sh --describe printed, `FILE` (or -); the plan then reports bytes to move and keeps disks below --max-disk-usage"},
		&cli.StringFlag{Name: "broker-capacity", EnvVars: []string{"FDUD_BROKER_CAPACITY"},
			Usage: "disk capacity for the log dirs of every broker (`SIZE`, e.g. 2TiB), per broker (1:2TiB,2:4TiB), or both (2TiB,3:4TiB); overrides what brokers report"},
	}
}

// sizeConfig reads the size flags into cfg.
func sizeConfig(c *cli.Context, cfg *generate.Config) error {
	cfg.Sizes.LogDirsFile = c.String("log-dirs")
	if v := c.String("broker-capacity"); v != "" {
		capacity, err := sizes.ParseCapacity(v)
		if err != nil {
			return err
		}
		cfg.Sizes.Capacity = capacity
	}
	return nil
}
