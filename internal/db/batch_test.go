package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
)

// Concurrent transactions commit together on SQLite, but each one is still
// all or nothing: a failing transaction leaves nothing behind and the
// others are unaffected. On PostgreSQL the same test checks plain
// transactions.
func TestConcurrentTransactionsAreEachAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const n = 200
		var wg sync.WaitGroup
		errc := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errc[i] = d.Tx(ctx, func(tx *sql.Tx) error {
					for k := 0; k < 2; k++ {
						if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, 'v')`, fmt.Sprintf("k%d-%d", i, k)); err != nil {
							return err
						}
					}
					switch {
					case i%10 == 3:
						return errors.New("refused") // an application error after writing
					case i%10 == 7:
						// a constraint violation after writing
						_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, 'dup')`, fmt.Sprintf("k%d-0", i))
						return err
					}
					return nil
				})
			}()
		}
		wg.Wait()
		want := 0
		for i, err := range errc {
			failing := i%10 == 3 || i%10 == 7
			if failing != (err != nil) {
				t.Fatalf("transaction %d: err %v", i, err)
			}
			if !failing {
				want += 2
			}
		}
		var got int
		if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM settings`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("%d rows, want %d: a failed transaction left rows, or a good one lost them", got, want)
		}
		var partial int
		if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM settings WHERE key LIKE 'k3-%' OR key LIKE 'k7-%'`).Scan(&partial); err != nil {
			t.Fatal(err)
		}
		if partial != 0 {
			t.Fatalf("failed transactions left %d rows", partial)
		}
	})
}

func TestPanicInTransactionReachesTheCaller(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		defer func() {
			if p := recover(); p != "boom" {
				t.Fatalf("recovered %v, want boom", p)
			}
			var n int
			if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM settings`).Scan(&n); err != nil || n != 0 {
				t.Fatalf("rows after panic: %d, %v", n, err)
			}
		}()
		_ = d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('p', 'v')`); err != nil {
				return err
			}
			panic("boom")
		})
	})
}

// mustCount counts the settings rows whose key is k.
func mustCount(t *testing.T, d *db.DB, k string) int {
	t.Helper()
	var n int
	if err := d.R().QueryRowContext(context.Background(), `SELECT count(*) FROM settings WHERE key = $1`, k).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func insertSetting(ctx context.Context, tx *sql.Tx, k string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, 'v')`, k)
	return err
}

// holdWriter starts a SQLite transaction that keeps the batcher busy until
// the returned function is called (or the test ends), which waits for it to
// commit, so that what the test queues meanwhile forms one batch.
func holdWriter(t *testing.T, d *db.DB) (release func()) {
	t.Helper()
	started, hold, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- d.Tx(context.Background(), func(tx *sql.Tx) error {
			close(started)
			<-hold
			return insertSetting(context.Background(), tx, "holder")
		})
	}()
	<-started
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(hold)
			if err := <-done; err != nil {
				t.Errorf("holding transaction: %v", err)
			}
		})
	}
	// A test that fails before releasing must not leave the batcher stuck.
	t.Cleanup(release)
	return release
}

// waitQueued waits until n transactions wait for the batcher.
func waitQueued(t *testing.T, d *db.DB, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for db.QueuedTx(d) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d transactions queued, want %d", db.QueuedTx(d), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// goTx runs Tx in a goroutine and returns where its outcome arrives.
func goTx(ctx context.Context, d *db.DB, fn func(*sql.Tx) error) <-chan error {
	out := make(chan error, 1)
	go func() { out <- d.Tx(ctx, fn) }()
	return out
}

func TestTxCancelledWhileQueuedReturnsAtOnceAndNeverRuns(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, dbtest.Fixture{Name: "empty"})
	release := holdWriter(t, d)
	ctx, cancel := context.WithCancel(context.Background())
	var ran atomic.Bool
	gaveUp := goTx(ctx, d, func(tx *sql.Tx) error {
		ran.Store(true)
		return insertSetting(ctx, tx, "gave-up")
	})
	waitQueued(t, d, 1)
	after := goTx(context.Background(), d, func(tx *sql.Tx) error { return insertSetting(context.Background(), tx, "after") })
	waitQueued(t, d, 2)
	cancel()
	select {
	case err := <-gaveUp:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled queued transaction returned %v, want context.Canceled", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("a cancelled caller still waits while the writer is busy")
	}
	release()
	if err := <-after; err != nil {
		t.Fatalf("the transaction queued behind it: %v", err)
	}
	if ran.Load() || mustCount(t, d, "gave-up") != 0 {
		t.Fatal("the abandoned transaction ran")
	}
	if mustCount(t, d, "after") != 1 {
		t.Fatal("the transaction queued behind it was not committed")
	}
}

// A caller that gives up while its function runs gets ctx.Err() and none of
// its writes; a batch around it commits the others.
func TestTxCancelledWhileRunningCommitsNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if err := insertSetting(ctx, tx, "alone"); err != nil {
				return err
			}
			cancel()
			return nil
		})
		if !errors.Is(err, context.Canceled) || mustCount(t, d, "alone") != 0 {
			t.Fatalf("cancelled during its function: err %v, %d rows; want context.Canceled and none", err, mustCount(t, d, "alone"))
		}
	})
	t.Run("sqlite batch", func(t *testing.T) {
		d := dbtest.Open(t, db.SQLite, dbtest.Fixture{Name: "empty"})
		release := holdWriter(t, d)
		bg := context.Background()
		first := goTx(bg, d, func(tx *sql.Tx) error { return insertSetting(bg, tx, "first") })
		waitQueued(t, d, 1)
		ctx, cancel := context.WithCancel(bg)
		middle := goTx(ctx, d, func(tx *sql.Tx) error {
			if err := insertSetting(ctx, tx, "middle"); err != nil {
				return err
			}
			cancel()
			return nil
		})
		waitQueued(t, d, 2)
		last := goTx(bg, d, func(tx *sql.Tx) error { return insertSetting(bg, tx, "last") })
		waitQueued(t, d, 3)
		release()
		if err := <-middle; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled in a batch: %v, want context.Canceled", err)
		}
		if err1, err3 := <-first, <-last; err1 != nil || err3 != nil {
			t.Fatalf("its batch neighbours: %v, %v", err1, err3)
		}
		if mustCount(t, d, "middle") != 0 || mustCount(t, d, "first") != 1 || mustCount(t, d, "last") != 1 {
			t.Fatal("the batch committed the cancelled transaction, or lost a neighbour")
		}
	})
}

// Once a transaction's work is released into its batch, giving up no longer
// undoes it: the caller waits for the commit and hears that it happened.
func TestTxCancelledAfterItsWorkWasReleasedHearsTheCommit(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, dbtest.Fixture{Name: "empty"})
	release := holdWriter(t, d)
	bg := context.Background()
	ctx, cancel := context.WithCancel(bg)
	released := goTx(ctx, d, func(tx *sql.Tx) error { return insertSetting(ctx, tx, "released") })
	waitQueued(t, d, 1)
	next := goTx(bg, d, func(tx *sql.Tx) error {
		cancel() // the first caller gives up between its release and the commit
		return insertSetting(bg, tx, "next")
	})
	waitQueued(t, d, 2)
	release()
	if err := <-released; err != nil {
		t.Fatalf("cancelled after its release: %v, want nil (it was committed)", err)
	}
	if err := <-next; err != nil {
		t.Fatal(err)
	}
	if mustCount(t, d, "released") != 1 || mustCount(t, d, "next") != 1 {
		t.Fatal("the batch did not commit both")
	}
}

// When the batch transaction itself breaks (here a function ends it behind
// the batcher's back), every transaction is run again alone: the good ones
// are committed exactly once, the breaking one fails alone.
func TestBatchFallsBackToOneTransactionEachWhenItBreaks(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, dbtest.Fixture{Name: "empty"})
	release := holdWriter(t, d)
	bg := context.Background()
	before := goTx(bg, d, func(tx *sql.Tx) error { return insertSetting(bg, tx, "before") })
	waitQueued(t, d, 1)
	breaker := goTx(bg, d, func(tx *sql.Tx) error {
		if err := insertSetting(bg, tx, "breaker"); err != nil {
			return err
		}
		_, err := tx.ExecContext(bg, `ROLLBACK`)
		return err
	})
	waitQueued(t, d, 2)
	after := goTx(bg, d, func(tx *sql.Tx) error { return insertSetting(bg, tx, "after") })
	waitQueued(t, d, 3)
	release()
	if err := <-breaker; errs.CodeOf(err) != errs.Unavailable {
		t.Fatalf("the transaction that broke the batch: %v, want unavailable", err)
	}
	if err1, err3 := <-before, <-after; err1 != nil || err3 != nil {
		t.Fatalf("its batch neighbours: %v, %v", err1, err3)
	}
	for k, want := range map[string]int{"before": 1, "after": 1, "breaker": 0} {
		if got := mustCount(t, d, k); got != want {
			t.Errorf("%s: %d rows, want %d", k, got, want)
		}
	}
}
