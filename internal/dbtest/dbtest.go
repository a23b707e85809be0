// Package dbtest gives tests real databases: a fresh, migrated SQLite file
// and, when a PostgreSQL server is available, a fresh PostgreSQL database,
// so every store test runs on both engines.
//
// PostgreSQL comes from HOTLINE_TEST_POSTGRES, a URL of a database on a
// server where the user may CREATE DATABASE (scripts/test starts a
// throwaway cluster and sets it). Without it, PostgreSQL cases are skipped
// on a developer machine and fail when CI=true.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
)

// EnvPostgres names the environment variable with the PostgreSQL URL.
const EnvPostgres = "HOTLINE_TEST_POSTGRES"

// Fixture loads data into a template database once per test process; every
// database handed to a test starts as a copy of it.
type Fixture struct {
	Name string                                    // distinguishes templates; one per distinct Load
	Load func(ctx context.Context, d *db.DB) error // may be nil
}

// Each runs fn once per engine, as subtests named "sqlite" and "postgres".
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	EachWith(t, Fixture{Name: "empty"}, fn)
}

// EachWith is Each with a fixture.
func EachWith(t *testing.T, fx Fixture, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			fn(t, Open(t, dialect, fx))
		})
	}
}

// Open returns a fresh migrated database of the given engine, loaded with
// the fixture, closed and dropped when the test ends.
func Open(t testing.TB, dialect db.Dialect, fx Fixture) *db.DB {
	t.Helper()
	if dialect == db.Postgres {
		return openPostgres(t, fx)
	}
	return openSQLite(t, fx)
}

// PostgresURL returns the server URL for PostgreSQL tests, skipping the test
// when none is configured (failing instead when CI=true).
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvPostgres)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: PostgreSQL tests must run in CI (use scripts/test)", EnvPostgres)
		}
		t.Skipf("%s is not set; run scripts/test to include PostgreSQL", EnvPostgres)
	}
	return u
}

var (
	mu        sync.Mutex
	templates = map[string]string{} // fixture name → template path (SQLite) or database name (PostgreSQL)
)

func openSQLite(t testing.TB, fx Fixture) *db.DB {
	t.Helper()
	ctx := context.Background()
	key := "sqlite/" + fx.Name
	mu.Lock()
	tmpl, ok := templates[key]
	if !ok {
		dir, err := os.MkdirTemp("", "hotline-dbtest-")
		if err != nil {
			mu.Unlock()
			t.Fatal(err)
		}
		tmpl = filepath.Join(dir, "template.db")
		if err := build(ctx, tmpl, fx); err != nil {
			mu.Unlock()
			t.Fatalf("build sqlite template %q: %v", fx.Name, err)
		}
		templates[key] = tmpl
	}
	mu.Unlock()

	path := filepath.Join(t.TempDir(), "hotline.db")
	if err := copyFile(tmpl, path); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func openPostgres(t testing.TB, fx Fixture) *db.DB {
	t.Helper()
	ctx := context.Background()
	base := PostgresURL(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()

	key := "postgres/" + fx.Name
	mu.Lock()
	tmpl, ok := templates[key]
	if !ok {
		tmpl = "hotline_tmpl_" + randHex(6)
		if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+tmpl); err != nil {
			mu.Unlock()
			t.Fatalf("create template database: %v", err)
		}
		if err := build(ctx, withDatabase(base, tmpl), fx); err != nil {
			mu.Unlock()
			t.Fatalf("build postgres template %q: %v", fx.Name, err)
		}
		templates[key] = tmpl
	}
	mu.Unlock()

	name := "hotline_test_" + randHex(6)
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE `+tmpl); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	d, err := db.Open(ctx, withDatabase(base, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.Close()
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	})
	return d
}

// build creates a migrated database at dsn and loads the fixture into it.
func build(ctx context.Context, dsn string, fx Fixture) error {
	d, err := db.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	if fx.Load != nil {
		if err := fx.Load(ctx, d); err != nil {
			return fmt.Errorf("load fixture: %w", err)
		}
	}
	return nil
}

func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// EmptyPostgres returns the URL of a fresh, empty PostgreSQL database, not
// migrated, dropped when the test ends: for tests of the command line,
// which migrates by itself.
func EmptyPostgres(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := "hotline_cli_" + randHex(6)
	if _, err := admin.ExecContext(context.Background(), `CREATE DATABASE `+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	})
	return withDatabase(base, name)
}
