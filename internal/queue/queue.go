// Package queue is hotline's durable job queue: River
// (github.com/riverqueue/river) over either engine, so that a job is
// written in the same transaction as the row that asks for it, runs only
// after that transaction commits, is claimed by one instance, is retried
// with exponential backoff, and stays visible (discarded, with its errors)
// when it gives up.
//
// Both engines go through database/sql, so a job inserts into the very
// *sql.Tx that db.DB.Tx hands out: SQLite with River's riversqlite driver
// over hotline's single writer connection, PostgreSQL with
// riverdatabasesql over the same pool, plus a small pgx pool that only
// LISTENs, so new jobs start at once instead of at the next poll.
package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/hotline-1022/hotline/internal/db"
)

// Config tunes the queue; zero values take the defaults.
type Config struct {
	// DSN is the PostgreSQL URL, for the listener pool. Unused on SQLite.
	DSN string
	// PollInterval is how often idle workers look for jobs (SQLite has no
	// notifications; PostgreSQL polls as a fallback). Default 1 s.
	PollInterval time.Duration
	// RetryBase is the first retry's delay; each next one is four times
	// longer, with jitter, capped at MaxBackoff. Default 2 s.
	RetryBase  time.Duration
	MaxBackoff time.Duration // default 1 h
	// MaxAttempts before a job is discarded. Default 12 (about a day with
	// the defaults).
	MaxAttempts int
	// Workers is how many jobs run at once on this instance. Default 32:
	// a send mostly waits for the platform, and the workers' writes share
	// SQLite's fsync (8 drained a backlog at 670 a second, 32 at 1,200).
	Workers int
	// FetchCooldown is the least time between two fetches of jobs. A
	// fetch takes as many jobs as there are idle workers, so it bounds a
	// backlog's drain at Workers per FetchCooldown. Default 10 ms (River's
	// own default of 100 ms held a backlog to 80 sends a second).
	FetchCooldown time.Duration
	Log           *slog.Logger
}

// Queue is the job queue of one process.
type Queue struct {
	db       *db.DB
	cfg      Config
	workers  *river.Workers
	periodic []*river.PeriodicJob
	client   *river.Client[*sql.Tx]
	driver   riverdriver.Driver[*sql.Tx]
	pool     *pgxpool.Pool // PostgreSQL listener
}

// New returns a queue over d. Register workers with Add, then Open.
func New(d *db.DB, cfg Config) *Queue {
	if cfg.PollInterval == 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.RetryBase == 0 {
		cfg.RetryBase = 2 * time.Second
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = time.Hour
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 12
	}
	if cfg.Workers == 0 {
		cfg.Workers = 32
	}
	if cfg.FetchCooldown == 0 {
		cfg.FetchCooldown = 10 * time.Millisecond
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	q := &Queue{db: d, cfg: cfg, workers: river.NewWorkers()}
	if d.Dialect == db.Postgres {
		q.driver = riverdatabasesql.New(d.Pool())
	} else {
		q.driver = riversqlite.New(d.Pool())
	}
	return q
}

// Add registers the worker for one job kind. Call it before Open.
func Add[T river.JobArgs](q *Queue, w river.Worker[T]) {
	river.AddWorker(q.workers, w)
}

// Every schedules a job of args every interval, from the start. Only the
// elected leader among the instances inserts it, and one instance works
// each: a singleton. Call it before Open.
func (q *Queue) Every(interval time.Duration, args river.JobArgs) {
	q.periodic = append(q.periodic, river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return args, Unique }, &river.PeriodicJobOpts{RunOnStart: true}))
}

// Open builds the River client. It does not start working.
func (q *Queue) Open(ctx context.Context) error {
	if q.db.Dialect == db.Postgres && q.cfg.DSN != "" {
		pc, err := pgxpool.ParseConfig(q.cfg.DSN)
		if err != nil {
			return fmt.Errorf("queue: %w", err)
		}
		pc.MinConns, pc.MaxConns = 0, 2
		pool, err := pgxpool.NewWithConfig(ctx, pc)
		if err != nil {
			return fmt.Errorf("queue: %w", err)
		}
		q.pool = pool
		q.driver = riverdatabasesql.NewWithPgxListener(q.db.Pool(), pool)
	}
	c, err := river.NewClient(q.driver, &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: q.cfg.Workers}},
		Workers:           q.workers,
		PeriodicJobs:      q.periodic,
		FetchPollInterval: q.cfg.PollInterval,
		FetchCooldown:     min(q.cfg.PollInterval, q.cfg.FetchCooldown),
		MaxAttempts:       q.cfg.MaxAttempts,
		RetryPolicy:       backoff{base: q.cfg.RetryBase, max: q.cfg.MaxBackoff},
		JobTimeout:        2 * time.Minute,
		Logger:            q.cfg.Log.With("component", "queue"),
		// Discarded jobs are kept a month: they are how an operator sees
		// what was given up on.
		DiscardedJobRetentionPeriod: 30 * 24 * time.Hour,
	})
	if err != nil {
		q.Close()
		return fmt.Errorf("queue: %w", err)
	}
	q.client = c
	return nil
}

// Close releases the listener pool.
func (q *Queue) Close() {
	if q.pool != nil {
		q.pool.Close()
		q.pool = nil
	}
}

// Migrate brings River's own tables up to date, each step in its own
// transaction (some of River's steps cannot share one), under the
// database's start-up lock, which App.Migrate already holds.
func (q *Queue) Migrate(ctx context.Context) (int, error) {
	m, err := rivermigrate.New(q.driver, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return 0, fmt.Errorf("queue migrate: %w", err)
	}
	var n int
	err = q.db.Exclusive(ctx, func(ctx context.Context) error {
		res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		if err != nil {
			return err
		}
		n = len(res.Versions)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("queue migrate: %w", err)
	}
	return n, nil
}

// Unique makes a job unique by its kind and arguments for as long as River
// keeps it: inserting it again (a retried request, a redelivered webhook)
// does nothing.
var Unique = &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}

// Insert adds a job inside tx: it runs after tx commits, never if it rolls
// back. opts may be nil.
func (q *Queue) Insert(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	if q.client == nil {
		return errors.New("queue: not open")
	}
	if _, err := q.client.InsertTx(ctx, tx, args, opts); err != nil {
		return fmt.Errorf("queue insert %s: %w", args.Kind(), err)
	}
	return nil
}

// Run works jobs until ctx ends, then stops taking new ones and waits for
// those running (up to 15 s) before it returns: a job is finished or left
// to be retried, never half-recorded.
func (q *Queue) Run(ctx context.Context) error {
	if q.client == nil {
		return errors.New("queue: not open")
	}
	// River cancels the jobs in flight when the context given to Start
	// ends; a graceful stop must let them finish and record what they did.
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("queue start: %w", err)
	}
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := q.client.Stop(stopCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("queue stop: %w", err)
	}
	return nil
}

// backoff is exponential: base, 4·base, 16·base… with ±25 % jitter so
// retries after an outage do not arrive together, capped at max.
type backoff struct{ base, max time.Duration }

func (b backoff) NextRetry(job *rivertype.JobRow) time.Time {
	n := len(job.Errors) // snoozes do not count
	d := time.Duration(float64(b.base) * math.Pow(4, float64(max(n-1, 0))))
	if d > b.max || d <= 0 {
		d = b.max
	}
	d += time.Duration((rand.Float64() - 0.5) * 0.5 * float64(d))
	return time.Now().UTC().Add(d)
}

// Pending is the queue's backlog by a key the caller chooses (the channel
// account): how many jobs wait or run, and since when the oldest waits.
type Pending struct {
	Count  int
	Oldest time.Time
}

// PendingBy counts the jobs of kind not yet finished, grouped by the
// integer argument field (for example "account_id").
func (q *Queue) PendingBy(ctx context.Context, kind, field string) (map[int64]Pending, error) {
	var key string
	switch q.db.Dialect {
	case db.Postgres:
		key = "(args->>'" + field + "')::bigint"
	default:
		key = "CAST(json_extract(args, '$." + field + "') AS INTEGER)"
	}
	rows, err := q.db.R().QueryContext(ctx, `SELECT `+key+`, count(*), min(created_at) FROM river_job
		WHERE kind = $1 AND state IN ('available', 'pending', 'retryable', 'running', 'scheduled') GROUP BY 1`, kind)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	out := map[int64]Pending{}
	for rows.Next() {
		var id sql.NullInt64
		var p Pending
		var oldest any
		if err := rows.Scan(&id, &p.Count, &oldest); err != nil {
			return nil, db.Fail(err)
		}
		p.Oldest = db.Time(oldest)
		out[id.Int64] = p
	}
	return out, db.Fail(rows.Err())
}
