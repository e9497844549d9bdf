package main

import (
	"io"

	"github.com/fdud/fdud/internal/atomicfile"
)

// writeFileAtomic writes a file the operator relies on (--report,
// --current-file, --table-file): complete or not at all, and durable (see
// atomicfile). write streams into it through a buffer.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	return atomicfile.Write(path, 0o644, write)
}
