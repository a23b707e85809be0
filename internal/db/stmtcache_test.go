package db_test

import (
	"context"
	"slices"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
)

// Statements are kept prepared by their text, leading comments or not
// (River's queries start with "-- name: …"); scripts and DDL are not.
func TestSQLiteKeepsStatementsPrepared(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, dbtest.Fixture{Name: "empty"})
	ctx := context.Background()
	commented := "-- name: CountUsers :one\n/* a note */ SELECT count(*) FROM users WHERE id > $1"
	plain := `SELECT count(*) FROM users WHERE id < $1`
	// A semicolon in a comment or a string does not make a script.
	inner := "SELECT count(*) -- one; two\n FROM users /* x; y */ WHERE email <> 'a;b' AND id <> $1;"
	script := `CREATE TABLE cache_probe (x INTEGER); DROP TABLE cache_probe`
	onlyComment := "-- nothing but a comment"
	for range 2 {
		for _, q := range []string{commented, plain, inner} {
			var n int
			if err := d.W().QueryRowContext(ctx, q, 0).Scan(&n); err != nil {
				t.Fatalf("%q: %v", q, err)
			}
		}
		if _, err := d.W().ExecContext(ctx, script); err != nil {
			t.Fatal(err)
		}
		_, _ = d.W().ExecContext(ctx, onlyComment)
	}
	cached, err := db.CachedStatements(d)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(cached, commented) || !slices.Contains(cached, plain) || !slices.Contains(cached, inner) {
		t.Errorf("not kept prepared: %q", cached)
	}
	if slices.Contains(cached, script) || slices.Contains(cached, onlyComment) {
		t.Errorf("a script or a bare comment is cached: %q", cached)
	}
}
