// Package atomicfile writes files that operators and cron jobs rely on (plans,
// rollback plans, reports, metrics, throttle records) so that each appears
// complete or not at all, and survives a crash once written: the data goes to
// a new, uniquely named temporary file in the same directory, which is
// synced, then renamed (or linked) into place, and then the directory is
// synced so that the new name itself is durable.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// File is a temporary file that becomes path on Commit. Writes are buffered.
// Call Abort (safe after Commit) in a defer so that a failed write leaves no
// temporary file behind.
type File struct {
	path string
	f    *os.File
	bw   *bufio.Writer
	done bool
}

// Create starts a file that will become path. The temporary file is created
// with perm (less the umask, as os.WriteFile would create path), named
// ".<base>.<random>.tmp" beside path, so that it is on the same file system
// and never matches a pattern such as *.json or *.prom.
func Create(path string, perm fs.FileMode) (*File, error) {
	dir, base := filepath.Split(path)
	for range 1000 {
		name := filepath.Join(dir, "."+base+"."+strconv.FormatUint(rand.Uint64(), 36)+".tmp")
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &File{path: path, f: f, bw: bufio.NewWriterSize(f, 256<<10)}, nil
	}
	return nil, fmt.Errorf("create a temporary file beside %s: every name tried exists", path)
}

// Write writes to the temporary file.
func (f *File) Write(p []byte) (int, error) { return f.bw.Write(p) }

// TempName is the temporary file's path, for messages.
func (f *File) TempName() string { return f.f.Name() }

// Chmod sets the file's mode exactly, regardless of the umask (for files
// another user must read, such as node_exporter's textfiles).
func (f *File) Chmod(mode fs.FileMode) error { return f.f.Chmod(mode) }

// Commit makes the written data durable under path, replacing any file
// there.
func (f *File) Commit() error {
	if err := f.finish(); err != nil {
		return err
	}
	if err := os.Rename(f.f.Name(), f.path); err != nil {
		f.Abort()
		return err
	}
	f.done = true
	return syncDir(filepath.Dir(f.path))
}

// CommitNew makes the written data durable under the first of paths that
// does not exist yet, and returns it; it never replaces a file. When all
// exist, the error wraps fs.ErrExist. The paths must be in the directory
// given to Create.
func (f *File) CommitNew(paths ...string) (string, error) {
	if err := f.finish(); err != nil {
		return "", err
	}
	defer f.Abort() // the temporary name goes; the link stays
	for _, p := range paths {
		err := os.Link(f.f.Name(), p)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		return p, syncDir(filepath.Dir(p))
	}
	return "", fmt.Errorf("%s: %w", paths, fs.ErrExist)
}

// finish flushes, syncs and closes the temporary file.
func (f *File) finish() error {
	if f.done {
		return errors.New("atomicfile: already committed or aborted")
	}
	if err := errors.Join(f.bw.Flush(), f.f.Sync()); err != nil {
		f.Abort()
		return err
	}
	if err := f.f.Close(); err != nil {
		f.Abort()
		return err
	}
	return nil
}

// Abort removes the temporary file. It is a no-op after Commit.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.f.Close()
	os.Remove(f.f.Name())
}

// Write writes path atomically and durably: write streams the content.
// Errors name path.
func Write(path string, perm fs.FileMode, write func(io.Writer) error) error {
	f, err := Create(path, perm)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer f.Abort()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// syncDir makes a new name in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !dirSyncUnsupported(err) {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
