//go:build unix

package clusterlock

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

func acquireFile(path string, h Holder, data []byte) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cluster lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			other, _ := io.ReadAll(f)
			return nil, busy("file "+path, other)
		}
		return nil, fmt.Errorf("cluster lock %s: %w", path, err)
	}
	// The holder is written for the message a second run prints; the lock
	// itself is the flock, which the kernel drops if this process dies.
	if err := f.Truncate(0); err == nil {
		f.WriteAt(append(data, '\n'), 0)
	}
	return &Lock{holder: h, where: "file " + path, file: f}, nil
}

func releaseFile(f *os.File) error {
	f.Truncate(0)
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return f.Close()
}
