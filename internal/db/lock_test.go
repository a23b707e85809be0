package db_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
)

// Migrate takes the start-up lock itself; inside Exclusive it runs at once
// rather than waiting for its own caller.
func TestExclusiveNests(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ran := false
		err := d.Exclusive(ctx, func(ctx context.Context) error {
			if _, err := d.Migrate(ctx); err != nil {
				return err
			}
			return d.Exclusive(ctx, func(context.Context) error { ran = true; return nil })
		})
		if err != nil || !ran {
			t.Fatalf("nested Exclusive: ran %v, err %v", ran, err)
		}
	})
}

// Two handles on one SQLite file exclude each other, as two processes do,
// and waiting for the lock ends with the context.
func TestExclusiveExcludesAnotherHandle(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, dbtest.Fixture{Name: "empty"})
	other, err := db.Open(context.Background(), d.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	err = d.Exclusive(context.Background(), func(context.Context) error {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		return other.Exclusive(ctx, func(context.Context) error { return errors.New("ran while the lock was held") })
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Exclusive on a second handle while the first holds the lock: %v, want a deadline", err)
	}
	if err := other.Exclusive(context.Background(), func(context.Context) error { return nil }); err != nil {
		t.Fatalf("Exclusive once the lock is free: %v", err)
	}
}

// Processes opening a SQLite file together, while another one migrates
// it, wait for each other instead of failing with SQLITE_BUSY.
func TestOpenASQLiteFileTogether(t *testing.T) {
	for round := range 10 {
		path := filepath.Join(t.TempDir(), "hotline.db")
		const n = 8
		errs := make([]error, n+1)
		var wg sync.WaitGroup
		for i := range n + 1 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, err := db.Open(context.Background(), path)
				if err == nil && i == 0 {
					_, err = d.Migrate(context.Background())
				}
				if d != nil {
					d.Close()
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, opener %d: %v", round, i, err)
			}
		}
	}
}
