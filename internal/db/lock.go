package db

import (
	"context"
	"database/sql/driver"
	"fmt"
)

// startLockID is the PostgreSQL advisory lock that Exclusive holds.
const startLockID = 0x686f746c696e65 // "hotline"

// exclusiveKey marks a context whose holder has db's start-up lock.
type exclusiveKey struct{ db *DB }

// Exclusive runs fn while holding the database's start-up lock, which one
// process (and one DB in a process) holds at a time. Everything a start
// does to the database runs under it, migrations, reference data and the
// demo, because each of those checks what is there and then writes in
// several transactions: two instances starting together would both find
// the data missing and both load it.
//
// On PostgreSQL the lock is a session advisory lock; on SQLite, a lock on
// the file <database>.lock next to the database (SQLite serialises each
// transaction, not a sequence of them). Waiting for the lock ends with
// ctx. Calls nest: fn may call Exclusive (or Migrate) with the context it
// was given, and they run at once.
func (db *DB) Exclusive(ctx context.Context, fn func(ctx context.Context) error) error {
	if ctx.Value(exclusiveKey{db}) != nil {
		return fn(ctx)
	}
	var unlock func()
	var err error
	if db.Dialect == Postgres {
		unlock, err = db.advisoryLock(ctx)
	} else {
		unlock, err = lockFile(ctx, db.path+".lock")
	}
	if err != nil {
		return fmt.Errorf("start-up lock: %w", err)
	}
	defer unlock()
	return fn(context.WithValue(ctx, exclusiveKey{db}, true))
}

// advisoryLock takes the start-up lock on a connection of its own, which
// it keeps until unlock.
func (db *DB) advisoryLock(ctx context.Context) (unlock func(), err error) {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, startLockID); err != nil {
		conn.Close()
		return nil, err
	}
	return func() {
		if _, err := conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, startLockID); err != nil {
			// A session still holding the lock must not go back to the
			// pool: closing the connection releases it.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, nil
}
