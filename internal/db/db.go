// Package db opens hotline's database, SQLite or PostgreSQL, behind one
// small API, and runs the embedded migrations.
//
// Application SQL is written once with $N placeholders, which both engines
// accept. The few dialect differences (row locks, full-text search, DDL)
// live in Dialect and in the per-dialect migration folders.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/hotline-1022/hotline/internal/errs"
)

// Dialect names the database engine.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// ForUpdate is the row-lock suffix for SELECTs inside a write transaction.
// SQLite has no row locks; its write transactions are exclusive already.
func (d Dialect) ForUpdate() string {
	if d == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// Querier is what *sql.DB and *sql.Tx have in common. Store helpers take a
// Querier so the same code runs inside or outside a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is an open database. On SQLite it holds two pools: a single writer
// connection (SQLite allows one writer at a time, and queuing in Go is
// cheaper than busy-waiting in SQLite) and a pool of read-only connections
// that proceed in parallel thanks to WAL. On PostgreSQL both are one pool.
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB
	path    string   // SQLite file path, empty on PostgreSQL
	batch   *batcher // SQLite: groups concurrent write transactions

	migrationsFS fs.FS // nil: the embedded migrations; tests set another
}

// IsPostgresURL reports whether dsn names a PostgreSQL database rather than
// a SQLite file.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database named by dsn: a postgres:// URL, or a SQLite file
// path (created with its directory when missing). It checks that the
// database answers; it does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if IsPostgresURL(dsn) {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool.SetMaxOpenConns(32)
	pool.SetMaxIdleConns(32)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pingRetry(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres %s: %w", Redact(dsn), err)
	}
	return &DB{Dialect: Postgres, write: pool, read: pool}, nil
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	path = strings.TrimPrefix(path, "sqlite://")
	path = strings.TrimPrefix(path, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return nil, errors.New("open sqlite: empty database path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
	}
	// _txlock=immediate makes BEGIN take the write lock at once; without it
	// concurrent read-then-write transactions fail with SQLITE_BUSY despite
	// busy_timeout. synchronous=FULL syncs the WAL at every commit, so a
	// commit survives a power cut, not only a process crash (NORMAL's
	// guarantee): a webhook's 200 promises the platform that its event is
	// kept, and the platform will not send it again. The write batcher
	// commits concurrent transactions together, so they share that fsync.
	common := "_time_format=sqlite&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
	// Pragmas run in order, and journal_mode needs a lock on the file: with
	// busy_timeout set first, a process opening the database while another
	// migrates it waits instead of failing at once with SQLITE_BUSY.
	wc, err := newCachingConnector("file:" + path + "?_txlock=immediate&" + common + "&_pragma=journal_mode(WAL)")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	w := sql.OpenDB(wc)
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	if err := pingSQLite(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	rc, err := newCachingConnector("file:" + path + "?_pragma=query_only(1)&" + common)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	r := sql.OpenDB(rc)
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	if err := pingSQLite(ctx, r); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &DB{Dialect: SQLite, write: w, read: r, path: path, batch: newBatcher(w)}, nil
}

// pingSQLite opens the first connection, which runs the pragmas. SQLite
// does not call the busy handler everywhere a new connection can meet
// another's lock (switching a new file to WAL, reading a WAL index that is
// being rebuilt), so a refusal for a lock is retried here, for as long as
// busy_timeout would have waited.
func pingSQLite(ctx context.Context, pool *sql.DB) error {
	deadline := time.Now().Add(10 * time.Second)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := pool.PingContext(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// pingRetry waits briefly for a server that is still starting.
func pingRetry(ctx context.Context, pool *sql.DB) error {
	var err error
	for i := 0; i < 5; i++ {
		if err = pool.PingContext(ctx); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(i+1) * 200 * time.Millisecond):
		}
	}
	return err
}

// Optimize refreshes the query planner's statistics where they are stale.
// SQLite never gathers them by itself; without them it guesses, and at
// 100,000 tickets a guess can make a filtered list 10 times slower.
// PostgreSQL's autovacuum keeps its own, so this does nothing there.
func (db *DB) Optimize(ctx context.Context) error {
	if db.Dialect != SQLite {
		return nil
	}
	// 0x10002: analyze what needs it, with a row limit so that it stays
	// fast on large tables (SQLite's advice for long-lived connections).
	_, err := db.write.ExecContext(ctx, `PRAGMA optimize=0x10002`)
	return err
}

// Close closes both pools.
func (db *DB) Close() error {
	if db.batch != nil {
		db.batch.close()
	}
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Path is the SQLite file path, or "" on PostgreSQL.
func (db *DB) Path() string { return db.path }

// R returns the pool for reads outside a transaction.
func (db *DB) R() Querier { return db.read }

// W returns the writer pool, for single statements that write.
func (db *DB) W() Querier { return db.write }

// Pool returns the writer pool itself, for a library that takes a *sql.DB
// and must write in the transactions Tx hands out (the job queue). On
// SQLite it is the single writer connection: never hold it while waiting
// for Tx.
func (db *DB) Pool() *sql.DB { return db.write }

// Stats returns the writer pool's statistics, for metrics.
func (db *DB) Stats() sql.DBStats { return db.write.Stats() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Tx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise. Nothing fn wrote survives an error: this is how
// hotline keeps every request all-or-nothing.
//
// When ctx ends before the commit starts, nothing is committed and Tx
// returns ctx.Err(); fn's own statements should use ctx so they stop too.
// Once the commit has started, Tx waits for it and returns its outcome:
// nil means committed, even if ctx ended meanwhile. The caller never hears
// "cancelled" about work that was kept.
//
// On SQLite, transactions that arrive while another commits are committed
// together (see batch.go), each all-or-nothing on its own. On PostgreSQL a
// serialization failure or deadlock is retried a few times.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if db.batch != nil {
		return db.batch.do(ctx, fn)
	}
	for attempt := 0; ; attempt++ {
		err := db.tx(ctx, fn)
		if err == nil || attempt >= 3 || !retryable(err) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
}

func (db *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return unavailable(err)
	}
	defer conn.Close()
	// database/sql rolls a transaction back the moment its context ends,
	// even during COMMIT, and then cannot say whether the commit happened.
	// So the transaction outlives ctx, and ctx is checked before COMMIT.
	tx, err := conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return unavailable(err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	err = fn(tx)
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return unavailable(err)
	}
	return nil
}

func unavailable(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return errs.E(errs.Unavailable, "error.unavailable").Wrap(err)
}

// Redact removes the password from a database URL for messages and logs.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Time reads a timestamp that an expression returns (max, min of a
// column): a time.Time on PostgreSQL, text on SQLite, which loses the
// column's type there. NULL and anything unreadable give the zero time.
func Time(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t.UTC()
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
			if p, err := time.Parse(layout, t); err == nil {
				return p.UTC()
			}
		}
	}
	return time.Time{}
}
