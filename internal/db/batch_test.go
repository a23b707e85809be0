package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
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
