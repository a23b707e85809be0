package db

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
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
//
// A caller whose context ends is told the truth and loses nothing:
//   - while its transaction waits for its turn, the caller gets ctx.Err()
//     at once, and the transaction never runs;
//   - while its function runs, or after it returned but before its
//     savepoint is released, the savepoint is rolled back and the caller
//     gets ctx.Err(): nothing of it is committed;
//   - once released into the batch, its outcome is the batch's commit: the
//     caller waits for that commit (one commit, milliseconds) and hears
//     nil when it was committed, however late it gave up.

// maxBatch bounds the transactions committed together, and so how long the
// first of them waits.
const maxBatch = 64

// A job's state moves once, from queued to running (the batcher claimed
// it) or to abandoned (its caller gave up first); whoever moves it decides
// whether it runs.
const (
	queued int32 = iota
	running
	abandoned
)

type job struct {
	ctx   context.Context
	fn    func(*sql.Tx) error
	state atomic.Int32
	err   error
	pan   any
	done  chan struct{}
}

// claim reports whether the batcher may run j, taking it from its caller
// if it is still queued.
func (j *job) claim() bool {
	return j.state.CompareAndSwap(queued, running) || j.state.Load() == running
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

// errClosed is what a transaction gets when the database closes before its
// turn.
var errClosed = errors.New("db: closed")

// do runs fn in the next batch and waits for its outcome, or for ctx to
// end while fn has not started (see the rules above).
func (b *batcher) do(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j := &job{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case b.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-b.stop:
		return errClosed
	}
	select {
	case <-j.done:
	case <-ctx.Done():
		if j.state.CompareAndSwap(queued, abandoned) {
			return ctx.Err()
		}
		// The batcher has it: its outcome is being decided.
		<-j.done
	case <-b.stop:
		if j.state.CompareAndSwap(queued, abandoned) {
			return errClosed
		}
		// The batch in progress finishes before the batcher stops.
		<-j.done
	}
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
// falls back to running each job alone. Each job is claimed only when its
// turn comes, so a caller may give up on it until then.
func (b *batcher) runBatch(batch []*job) {
	if len(batch) == 1 {
		if j := batch[0]; j.claim() {
			j.pan, j.err = b.alone(j)
		}
		return
	}
	tx, err := b.db.BeginTx(context.Background(), nil)
	if err != nil {
		for _, j := range batch {
			if j.claim() {
				j.err = unavailable(err)
			}
		}
		return
	}
	ok := make([]*job, 0, len(batch))
	for _, j := range batch {
		if !j.claim() {
			continue
		}
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

// fallback abandons a broken batch transaction, which takes every job's
// work in it along, and runs each job again alone, one transaction each:
// all but those that panicked (the panic reaches their callers) and those
// whose callers gave up before their turn.
func (b *batcher) fallback(tx *sql.Tx, batch []*job) {
	_ = tx.Rollback()
	for _, j := range batch {
		if j.pan != nil || !j.claim() {
			continue
		}
		j.pan, j.err = b.alone(j)
	}
}

// alone runs one job in its own transaction.
func (b *batcher) alone(j *job) (pan any, err error) {
	if err := j.ctx.Err(); err != nil {
		return nil, err
	}
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
// caller's goroutine. When the caller's context ended meanwhile, the error
// is ctx.Err(), and the caller rolls the work back.
func call(j *job, tx *sql.Tx) (pan any, err error) {
	defer func() {
		if p := recover(); p != nil {
			pan = p
		}
	}()
	err = j.fn(tx)
	if cerr := j.ctx.Err(); cerr != nil {
		return nil, cerr
	}
	return nil, err
}
