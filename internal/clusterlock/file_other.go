//go:build !unix

package clusterlock

import (
	"errors"
	"os"
)

func acquireFile(path string, h Holder, data []byte) (*Lock, error) {
	return nil, errors.New("cluster lock: file locks need a Unix system; give --zookeeper")
}

func releaseFile(f *os.File) error { return f.Close() }
