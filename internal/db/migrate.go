package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migrations are embedded, numbered and kept in one folder per dialect:
// identity columns, time types and search objects differ between the
// engines, so one file cannot serve both. Table and column names match.
//
//go:embed migrations
var migrationFS embed.FS

type migration struct {
	version  int
	name     string
	sql      string
	checksum string // hex SHA-256 of the file
}

// migrationFiles is the tree holding one folder per dialect: the embedded
// one, unless a test points the DB at another.
func (db *DB) migrationFiles() fs.FS {
	if db.migrationsFS != nil {
		return db.migrationsFS
	}
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		panic(err) // the embedded tree always has this folder
	}
	return sub
}

// migrations returns this dialect's migrations in order, after checking
// that every dialect has the same versions: a migration added for one
// engine only would leave the other's schema silently behind.
func (db *DB) migrations() ([]migration, error) {
	fsys := db.migrationFiles()
	sets := map[Dialect][]migration{}
	for _, d := range []Dialect{SQLite, Postgres} {
		ms, err := readMigrations(fsys, string(d))
		if err != nil {
			return nil, err
		}
		sets[d] = ms
	}
	if err := sameVersions(sets[SQLite], sets[Postgres]); err != nil {
		return nil, err
	}
	return sets[db.Dialect], nil
}

func readMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations for %s: %w", dir, err)
	}
	var ms []migration
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s/%s: name must start with a number and an underscore", dir, e.Name())
		}
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body), checksum: hex.EncodeToString(sum[:])})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations for %s: two migrations numbered %04d", dir, ms[i].version)
		}
	}
	return ms, nil
}

// sameVersions reports the first version one dialect has and the other
// lacks.
func sameVersions(sqlite, postgres []migration) error {
	has := func(ms []migration) map[int]string {
		m := make(map[int]string, len(ms))
		for _, x := range ms {
			m[x.version] = x.name
		}
		return m
	}
	s, p := has(sqlite), has(postgres)
	for _, m := range sqlite {
		if _, ok := p[m.version]; !ok {
			return fmt.Errorf("migrations differ between dialects: sqlite/%s has no postgres counterpart numbered %04d", m.name, m.version)
		}
	}
	for _, m := range postgres {
		if _, ok := s[m.version]; !ok {
			return fmt.Errorf("migrations differ between dialects: postgres/%s has no sqlite counterpart numbered %04d", m.name, m.version)
		}
	}
	return nil
}

// SchemaVersion returns the latest applied migration and the latest one
// this binary knows.
func (db *DB) SchemaVersion(ctx context.Context) (applied, known int, err error) {
	ms, err := db.migrations()
	if err != nil {
		return 0, 0, err
	}
	if len(ms) > 0 {
		known = ms[len(ms)-1].version
	}
	var v sql.NullInt64
	err = db.read.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	if err != nil {
		// A database that was never migrated has no schema_migrations table.
		return 0, known, nil
	}
	return int(v.Int64), known, nil
}

// Migrate applies every pending migration, each in its own transaction,
// under the start-up lock (see Exclusive): it is safe to run from several
// processes at once.
//
// It refuses to run when the dialects' migration versions differ, or when
// a migration already applied has changed since (its SHA-256 is recorded
// with it): the database would no longer match what the files say, and
// the fix is a new migration, not an edit. A database migrated before
// checksums were recorded gets them filled in from the current files, once.
func (db *DB) Migrate(ctx context.Context) (applied int, err error) {
	ms, err := db.migrations()
	if err != nil {
		return 0, err
	}
	err = db.Exclusive(ctx, func(ctx context.Context) error {
		applied, err = db.migrate(ctx, ms)
		return err
	})
	return applied, err
}

func (db *DB) migrate(ctx context.Context, ms []migration) (applied int, err error) {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if err := db.migrationsTable(ctx, conn); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	done, err := db.checkApplied(ctx, conn, ms)
	if err != nil {
		return 0, err
	}
	for _, m := range ms {
		if done[m.version] {
			continue
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return applied, fmt.Errorf("migrate %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("migrate %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES ($1, $2, $3, $4)`,
			m.version, m.name, time.Now().UTC(), m.checksum); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("migrate %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return applied, fmt.Errorf("migrate %s: %w", m.name, err)
		}
		applied++
	}
	return applied, nil
}

// migrationsTable creates schema_migrations, or adds the checksum column
// to one made before checksums were recorded.
func (db *DB) migrationsTable(ctx context.Context, conn *sql.Conn) error {
	ts := "TIMESTAMP"
	if db.Dialect == Postgres {
		ts = "TIMESTAMPTZ"
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at `+ts+` NOT NULL,
		checksum TEXT)`); err != nil {
		return err
	}
	column := `SELECT count(*) FROM pragma_table_info('schema_migrations') WHERE name = 'checksum'`
	if db.Dialect == Postgres {
		column = `SELECT count(*) FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = 'schema_migrations' AND column_name = 'checksum'`
	}
	var n int
	if err := conn.QueryRowContext(ctx, column).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		_, err := conn.ExecContext(ctx, `ALTER TABLE schema_migrations ADD COLUMN checksum TEXT`)
		return err
	}
	return nil
}

// checkApplied compares the recorded checksums with the files, fills in
// those never recorded, and returns the versions already applied.
func (db *DB) checkApplied(ctx context.Context, conn *sql.Conn, ms []migration) (map[int]bool, error) {
	type record struct {
		name, checksum string
	}
	recorded := map[int]record{}
	rows, err := conn.QueryContext(ctx, `SELECT version, name, COALESCE(checksum, '') FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	for rows.Next() {
		var v int
		var r record
		if err := rows.Scan(&v, &r.name, &r.checksum); err != nil {
			rows.Close()
			return nil, fmt.Errorf("migrate: %w", err)
		}
		recorded[v] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	done := make(map[int]bool, len(recorded))
	for _, m := range ms {
		r, ok := recorded[m.version]
		if !ok {
			continue
		}
		done[m.version] = true
		switch r.checksum {
		case m.checksum:
		case "":
			if _, err := conn.ExecContext(ctx, `UPDATE schema_migrations SET checksum = $1 WHERE version = $2 AND checksum IS NULL`,
				m.checksum, m.version); err != nil {
				return nil, fmt.Errorf("migrate: record checksum of %s: %w", m.name, err)
			}
		default:
			return nil, fmt.Errorf("migration %s/%s was changed after it was applied (as %s, sha256 %s; the file now has %s): "+
				"restore the file as it was and put the change in a new migration", db.Dialect, m.name, r.name, short(r.checksum), short(m.checksum))
		}
	}
	return done, nil
}

// short abbreviates a checksum for a message, as git abbreviates hashes.
func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}
