//go:build unix

package atomicfile

import (
	"errors"
	"syscall"
)

// dirSyncUnsupported reports a file system that cannot sync a directory
// (some network and FUSE file systems): the rename happened, which is the
// best that can be done there.
func dirSyncUnsupported(err error) bool {
	return errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP)
}
