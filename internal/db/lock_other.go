//go:build !unix

package db

import (
	"context"
	"sync"
)

// fileLocks serialises start-ups within this process where flock is not
// available; several processes on one SQLite file there are not supported.
var fileLocks sync.Map // path → chan struct{} of capacity 1

func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	v, _ := fileLocks.LoadOrStore(path, make(chan struct{}, 1))
	ch := v.(chan struct{})
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
