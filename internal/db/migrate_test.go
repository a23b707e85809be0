package db_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
)

// mustCopyMigrations returns the repository's migrations as an in-memory
// tree that a test may change.
func mustCopyMigrations(t *testing.T) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	src := os.DirFS("migrations")
	err := fs.WalkDir(src, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		body, err := fs.ReadFile(src, p)
		out[p] = &fstest.MapFile{Data: body}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func versions(t *testing.T, fsys fs.FS, dir string) map[string]bool {
	t.Helper()
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		t.Fatal(err)
	}
	v := map[string]bool{}
	for _, e := range entries {
		num, _, _ := strings.Cut(e.Name(), "_")
		v[num] = true
	}
	return v
}

func TestMigrationFoldersHaveTheSameVersions(t *testing.T) {
	fsys := os.DirFS("migrations")
	s, p := versions(t, fsys, "sqlite"), versions(t, fsys, "postgres")
	for v := range s {
		if !p[v] {
			t.Errorf("migration %s exists for sqlite only", v)
		}
	}
	for v := range p {
		if !s[v] {
			t.Errorf("migration %s exists for postgres only", v)
		}
	}
	if len(s) == 0 {
		t.Fatal("no migrations found")
	}
}

func mustRecordedChecksums(t *testing.T, d *db.DB) map[string]string {
	t.Helper()
	rows, err := d.R().QueryContext(context.Background(), `SELECT name, COALESCE(checksum, '') FROM schema_migrations`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	sums := map[string]string{}
	for rows.Next() {
		var name, sum string
		if err := rows.Scan(&name, &sum); err != nil {
			t.Fatal(err)
		}
		sums[name] = sum
	}
	return sums
}

func TestMigrateRefusesAnEditedMigration(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		before := mustRecordedChecksums(t, d)
		edited := mustCopyMigrations(t)
		file := string(d.Dialect) + "/0002_province_and_open.sql"
		edited[file].Data = append(edited[file].Data, "\nCREATE TABLE sneaked_in (id INTEGER);\n"...)
		db.UseMigrations(d, edited)
		_, err := d.Migrate(ctx)
		if err == nil || !strings.Contains(err.Error(), file+" was changed after it was applied") {
			t.Fatalf("Migrate with an edited migration: %v", err)
		}
		if got := mustRecordedChecksums(t, d); len(got) != len(before) || got["0002_province_and_open.sql"] != before["0002_province_and_open.sql"] {
			t.Fatalf("recorded checksums changed: %v, were %v", got, before)
		}
		db.UseMigrations(d, mustCopyMigrations(t))
		if n, err := d.Migrate(ctx); n != 0 || err != nil {
			t.Fatalf("Migrate with the files restored: %d, %v", n, err)
		}
	})
}

func TestMigrateRefusesADialectMissingAVersion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for _, only := range []db.Dialect{db.SQLite, db.Postgres} {
			files := mustCopyMigrations(t)
			files[string(only)+"/0099_one_sided.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE one_sided (id INTEGER);\n")}
			db.UseMigrations(d, files)
			_, err := d.Migrate(ctx)
			if err == nil || !strings.Contains(err.Error(), "migrations differ between dialects: "+string(only)+"/0099_one_sided.sql") {
				t.Fatalf("Migrate with 0099 for %s only: %v", only, err)
			}
			if _, err := d.R().ExecContext(ctx, `SELECT count(*) FROM one_sided`); err == nil {
				t.Fatalf("the one-sided migration for %s was applied", only)
			}
		}
	})
}

// A database migrated before checksums were kept has a schema_migrations
// table without the column: Migrate adds it and fills it in from the files
// once, and from then on an edit is refused.
func TestMigrateRecordsChecksumsOnAnOlderDatabase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.W().ExecContext(ctx, `ALTER TABLE schema_migrations DROP COLUMN checksum`); err != nil {
			t.Fatal(err)
		}
		if n, err := d.Migrate(ctx); n != 0 || err != nil {
			t.Fatalf("Migrate on an older database: %d, %v", n, err)
		}
		files := mustCopyMigrations(t)
		sums := mustRecordedChecksums(t, d)
		for name, sum := range sums {
			want := sha256.Sum256(files[string(d.Dialect)+"/"+name].Data)
			if sum != hex.EncodeToString(want[:]) {
				t.Errorf("%s: recorded checksum %q, want the file's SHA-256", name, sum)
			}
		}
		if len(sums) == 0 {
			t.Fatal("no migrations recorded")
		}
		file := string(d.Dialect) + "/0001_init.sql"
		files[file].Data = append(files[file].Data, "\n-- an innocent-looking edit\n"...)
		db.UseMigrations(d, files)
		if _, err := d.Migrate(ctx); err == nil || !strings.Contains(err.Error(), file) {
			t.Fatalf("Migrate after an edit once checksums were filled in: %v", err)
		}
	})
}
