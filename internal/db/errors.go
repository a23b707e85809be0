package db

import (
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/hotline-1022/hotline/internal/errs"
)

// Driver errors from both engines are recognised here and nowhere else.

// IsUnique reports whether err is a unique-constraint violation.
func IsUnique(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsForeignKey reports whether err is a foreign-key violation.
func IsForeignKey(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// retryable reports whether a transaction failed for a reason that a second
// attempt may not meet: serialization failures and deadlocks on PostgreSQL.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// NotFound turns sql.ErrNoRows into a not-found *errs.Error with the given
// message key, and any other error into an unavailable one; nil stays nil.
func NotFound(err error, key string, args ...string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return errs.NotFoundf(key, args...).Wrap(err)
	default:
		return Fail(err)
	}
}

// Fail classifies an unexpected database error: an *errs.Error passes
// through, a constraint violation becomes a conflict, anything else becomes
// unavailable (the request may be retried).
func Fail(err error) error {
	if err == nil {
		return nil
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	if IsUnique(err) {
		return errs.Conflictf("error.duplicate").Wrap(err)
	}
	if IsForeignKey(err) {
		return errs.Invalidf("error.reference").Wrap(err)
	}
	return unavailable(err)
}

// isBusy reports whether SQLite refused for a lock another connection
// holds (SQLITE_BUSY and its extended codes).
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}
