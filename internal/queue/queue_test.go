package queue_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/queue"
)

type pingArgs struct {
	N         int   `json:"n"`
	AccountID int64 `json:"account_id"`
}

func (pingArgs) Kind() string { return "test_ping" }

// pinger fails each job failures[n] times, then records it.
type pinger struct {
	river.WorkerDefaults[pingArgs]
	mu       sync.Mutex
	failures map[int]int
	done     map[int]int
}

func (p *pinger) Work(ctx context.Context, job *river.Job[pingArgs]) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failures[job.Args.N] > 0 {
		p.failures[job.Args.N]--
		return errors.New("platform down")
	}
	p.done[job.Args.N]++
	return nil
}

func (p *pinger) count(n int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done[n]
}

func TestJobsRunAfterCommitOnlyAndRetry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		q := queue.New(d, queue.Config{PollInterval: 50 * time.Millisecond, RetryBase: 50 * time.Millisecond, MaxAttempts: 3})
		w := &pinger{failures: map[int]int{2: 2, 3: 10}, done: map[int]int{}}
		queue.Add(q, w)
		if err := q.Open(ctx); err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		if _, err := q.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := q.Migrate(ctx); err != nil || n != 0 {
			t.Fatalf("a second migrate applied %d (%v)", n, err)
		}
		insert := func(n int, fail bool) error {
			return d.Tx(ctx, func(tx *sql.Tx) error {
				if err := q.Insert(ctx, tx, pingArgs{N: n, AccountID: 7}, queue.Unique); err != nil {
					return err
				}
				if fail {
					return errors.New("the request failed after the insert")
				}
				return nil
			})
		}
		for _, n := range []int{1, 2, 3} {
			if err := insert(n, false); err != nil {
				t.Fatal(err)
			}
		}
		if err := insert(1, false); err != nil { // unique: a second insert does nothing
			t.Fatal(err)
		}
		if err := insert(4, true); err == nil {
			t.Fatal("the failing transaction committed")
		}
		p, err := q.PendingBy(ctx, "test_ping", "account_id")
		if err != nil || p[7].Count != 3 || p[7].Oldest.IsZero() || time.Since(p[7].Oldest) > time.Minute {
			t.Fatalf("pending before the start: %+v %v", p, err)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error)
		go func() { done <- q.Run(runCtx) }()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) && (w.count(1) == 0 || w.count(2) == 0) {
			time.Sleep(20 * time.Millisecond)
		}
		// Job 3 fails every time: after MaxAttempts it is discarded, and
		// nothing is pending any more.
		for time.Now().Before(deadline) {
			p, err = q.PendingBy(ctx, "test_ping", "account_id")
			if err == nil && p[7].Count == 0 {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if w.count(1) != 1 || w.count(2) != 1 || w.count(3) != 0 || w.count(4) != 0 {
			t.Fatalf("runs: %v", w.done)
		}
		var discarded int
		if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE state = 'discarded' AND kind = 'test_ping'`).Scan(&discarded); err != nil || discarded != 1 {
			t.Fatalf("discarded jobs: %d %v", discarded, err)
		}
	})
}
