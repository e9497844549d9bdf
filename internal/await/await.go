// Package await bounds calls that cannot be cancelled (go-zookeeper requests
// that wait for a reconnect, sarama's blocking network I/O) by a context.
package await

import "context"

// Do runs f in a goroutine and returns its result, or ctx's error as soon as
// ctx ends. An abandoned f keeps running until its own I/O ends (for example
// when its connection is closed); its result is then dropped.
func Do[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1) // buffered: an abandoned f must not block forever
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
