package db_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
)

func TestMigrateIsCurrentAndIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		applied, known, err := d.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if applied != known || known == 0 {
			t.Fatalf("schema version: applied %d, known %d", applied, known)
		}
		n, err := d.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second Migrate applied %d, err %v; want 0, nil", n, err)
		}
	})
}

func TestTxRollsBackOnError(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)`, "k", "v"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx returned %v, want boom", err)
		}
		var n int
		if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM settings WHERE key = 'k'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("rolled-back row is visible: %d rows", n)
		}
	})
}

func TestErrorsAreNormalised(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ins := `INSERT INTO settings (key, value) VALUES ($1, $2)`
		if _, err := d.W().ExecContext(ctx, ins, "dup", "1"); err != nil {
			t.Fatal(err)
		}
		_, err := d.W().ExecContext(ctx, ins, "dup", "2")
		if !db.IsUnique(err) || errs.CodeOf(db.Fail(err)) != errs.Conflict {
			t.Fatalf("duplicate key: IsUnique=%v, Fail code %q", db.IsUnique(err), errs.CodeOf(db.Fail(err)))
		}
		now := time.Now().UTC()
		_, err = d.W().ExecContext(ctx, `INSERT INTO categories (code, parent_id, name_vi, name_en, created_at, updated_at) VALUES ('x', 999, 'x', 'x', $1, $1)`, now)
		if !db.IsForeignKey(err) {
			t.Fatalf("missing parent: got %v, want a foreign-key violation", err)
		}
		var v string
		err = db.NotFound(d.R().QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'none'`).Scan(&v), "setting.not_found")
		if errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("no rows: code %q", errs.CodeOf(err))
		}
	})
}

func TestTimesRoundTripInUTC(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		at := time.Date(2026, 7, 1, 23, 59, 58, 123456000, time.FixedZone("ICT", 7*3600))
		if _, err := d.W().ExecContext(ctx, `INSERT INTO holidays (day, name) VALUES ('2026-09-02', 'x')`); err != nil {
			t.Fatal(err)
		}
		_, err := d.W().ExecContext(ctx, `INSERT INTO login_failures (key, at) VALUES ($1, $2)`, "k", at.UTC())
		if err != nil {
			t.Fatal(err)
		}
		var got time.Time
		if err := d.R().QueryRowContext(ctx, `SELECT at FROM login_failures WHERE key = 'k'`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if !got.Equal(at) {
			t.Fatalf("time round trip: got %v, want %v", got, at)
		}
	})
}

func TestAuditEventsAreAppendOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.W().ExecContext(ctx, `INSERT INTO audit_events (at, actor, action) VALUES ($1, 'system', 'test')`, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W().ExecContext(ctx, `UPDATE audit_events SET action = 'forged'`); err == nil {
			t.Error("updating an audit event's action succeeded")
		}
		if _, err := d.W().ExecContext(ctx, `UPDATE audit_events SET seq = 1, prev_hash = '', hash = 'h'`); err != nil {
			t.Errorf("chaining an event failed: %v", err)
		}
		if _, err := d.W().ExecContext(ctx, `UPDATE audit_events SET hash = 'other'`); err == nil {
			t.Error("re-chaining an event succeeded")
		}
		if _, err := d.W().ExecContext(ctx, `DELETE FROM audit_events`); err == nil {
			t.Error("deleting an audit event succeeded")
		}
	})
}

// A commit behind a webhook's 200 must survive a power cut: the SQLite
// writer syncs the WAL at every commit (synchronous=FULL, 2).
func TestSQLiteWriterSyncsEveryCommit(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, dbtest.Fixture{Name: "empty"})
	var mode int
	if err := d.W().QueryRowContext(context.Background(), `PRAGMA synchronous`).Scan(&mode); err != nil || mode != 2 {
		t.Fatalf("synchronous = %d (%v), want 2 (FULL)", mode, err)
	}
}
