package cluster

import (
	"errors"
	"fmt"
)

// InputError marks a problem with what the operator supplied (a flag, a file,
// a plan) as opposed to a failure talking to a cluster. The CLI maps it to its
// own exit code, so scripts can tell "fix your input" from "try again later".
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Invalid marks err as an input error.
func Invalid(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{Err: err}
}

// Invalidf formats an input error; %w is honoured.
func Invalidf(format string, args ...any) error {
	return &InputError{Err: fmt.Errorf(format, args...)}
}

// IsInvalid reports whether err is, or wraps, an input error.
func IsInvalid(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

// Outcomes that are not plain failures. Stages return them (wrapped with
// detail) and the CLI maps each to its documented exit code.
var (
	// ErrInProgress: the work is not finished yet (verify while reassigning).
	ErrInProgress = errors.New("reassignment still in progress")
	// ErrAtRisk: partitions break the placement rules (verify), or the rules
	// cannot be met (generate without --force).
	ErrAtRisk = errors.New("partitions at risk")
	// ErrBusy: another run holds the lock, or reassignments are in flight.
	ErrBusy = errors.New("cluster busy")
	// ErrChanged is not a failure: domains --publish stored a new value.
	ErrChanged = errors.New("stored domain changed")
)
