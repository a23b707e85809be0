package db

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// SQLite allows one writer, and every commit writes each page the
// transaction touched to the WAL. A ticket touches the table, nine indexes,
// the full-text index, the timeline and the audit log: committing one
// ticket per transaction spends most of its time writing pages that the
// next ticket writes again. The batcher therefore runs the write
// transactions that queue up while one commits together, each inside its
// own SAVEPOINT: a transaction that fails rolls back to its savepoint and
// fails alone, the others commit together, and every caller hears back only
// after that commit (acknowledge after commit still holds).
//
// Transactions in one batch see each other's writes, exactly as they would
// if run one after the other in that order.

// maxBatch bounds the transactions committed together, and so how long the
// first of them waits.
const maxBatch = 64

type job struct {
	ctx  context.Context
	fn   func(*sql.Tx) error
	err  error
	pan  any
	done chan struct{}
}

type batcher struct {
	db   *sql.DB
	jobs chan *job
	stop chan struct{}
	wg   sync.WaitGroup
}

func newBatcher(w *sql.DB) *batcher {
	b := &batcher{db: w, jobs: make(chan *job, 1024), stop: make(chan struct{})}
	b.wg.Add(1)
	go b.run()
	return b
}

// do runs fn in the next batch and waits for its outcome.
func (b *batcher) do(ctx context.Context, fn func(*sql.Tx) error) error {
	j := &job{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case b.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-b.stop:
		return fmt.Errorf("db: closed")
	}
	// Once queued, a job runs or fails as a whole; waiting for it even if
	// ctx ends keeps "the caller is told only what was committed" true.
	<-j.done
	if j.pan != nil {
		panic(j.pan)
	}
	return j.err
}

func (b *batcher) close() {
	close(b.stop)
	b.wg.Wait()
}

func (b *batcher) run() {
	defer b.wg.Done()
	for {
		var first *job
		select {
		case first = <-b.jobs:
		case <-b.stop:
			return
		}
		batch := []*job{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case j := <-b.jobs:
				batch = append(batch, j)
			default:
				break drain
			}
		}
		b.runBatch(batch)
		for _, j := range batch {
			close(j.done)
		}
	}
}

// runBatch commits the batch, or when the transaction itself breaks,
// falls back to running each job alone.
func (b *batcher) runBatch(batch []*job) {
	if len(batch) == 1 {
		batch[0].pan, batch[0].err = b.alone(batch[0])
		return
	}
	tx, err := b.db.BeginTx(context.Background(), nil)
	if err != nil {
		for _, j := range batch {
			j.err = unavailable(err)
		}
		return
	}
	ok := make([]*job, 0, len(batch))
	for _, j := range batch {
		if err := j.ctx.Err(); err != nil {
			j.err = err
			continue
		}
		if _, err := tx.ExecContext(context.Background(), "SAVEPOINT batch_job"); err != nil {
			b.fallback(tx, batch)
			return
		}
		j.pan, j.err = call(j, tx)
		if j.err != nil || j.pan != nil {
			if _, err := tx.ExecContext(context.Background(), "ROLLBACK TO batch_job"); err != nil {
				b.fallback(tx, batch)
				return
			}
		}
		if _, err := tx.ExecContext(context.Background(), "RELEASE batch_job"); err != nil {
			b.fallback(tx, batch)
			return
		}
		if j.err == nil && j.pan == nil {
			ok = append(ok, j)
		}
	}
	if err := tx.Commit(); err != nil {
		for _, j := range ok {
			j.err = unavailable(err)
		}
	}
}

// fallback abandons a broken batch transaction and runs every job that
// had not failed on its own, one transaction each.
func (b *batcher) fallback(tx *sql.Tx, batch []*job) {
	_ = tx.Rollback()
	for _, j := range batch {
		if j.pan != nil || (j.err != nil && j.ctx.Err() != nil) {
			continue
		}
		j.pan, j.err = b.alone(j)
	}
}

// alone runs one job in its own transaction.
func (b *batcher) alone(j *job) (pan any, err error) {
	tx, err := b.db.BeginTx(context.Background(), nil)
	if err != nil {
		return nil, unavailable(err)
	}
	pan, err = call(j, tx)
	if err != nil || pan != nil {
		_ = tx.Rollback()
		return pan, err
	}
	if err := tx.Commit(); err != nil {
		return nil, unavailable(err)
	}
	return nil, nil
}

// call runs a job's function, catching a panic to re-raise in the
// caller's goroutine.
func call(j *job, tx *sql.Tx) (pan any, err error) {
	defer func() {
		if p := recover(); p != nil {
			pan = p
		}
	}()
	return nil, j.fn(tx)
}
