package verify

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/fdud/fdud/internal/kafka"
)

// Env is what a test run reads from and writes to: Run's deps and the
// streams Write renders to.
type Env struct {
	Stdout, Stderr, StatusOut io.Writer
	Logger                    *slog.Logger
	Progress                  Progress
	Throttles                 Throttles
	Records                   ThrottleRecords
	Lock                      Lock
	Now                       func() time.Time
}

// runWritten runs verify and renders its result as fdud verify does: the
// lines and reports (Write), and the metrics file.
func runWritten(ctx context.Context, o Options, cl kafka.Cluster, env Env) (*Result, error) {
	res, err := Run(ctx, o, Deps{Cluster: cl, Logger: env.Logger, Progress: env.Progress, Throttles: env.Throttles,
		Records: env.Records, Lock: env.Lock, Now: env.Now})
	if res == nil {
		return nil, err
	}
	werr := Write(Output{Stdout: env.Stdout, Stderr: env.Stderr, StatusOut: env.StatusOut}, o, res)
	if o.PrometheusFile != "" {
		werr = errors.Join(werr, WriteMetricsFile(o.PrometheusFile, res))
	}
	if werr != nil {
		return res, werr
	}
	return res, err
}
