package db

import (
	"context"
	"io/fs"
)

// UseMigrations points d at another migrations tree (one folder per
// dialect), for tests of how Migrate treats edited or missing files.
func UseMigrations(d *DB, fsys fs.FS) { d.migrationsFS = fsys }

// QueuedTx counts the SQLite transactions waiting for the batcher.
func QueuedTx(d *DB) int { return len(d.batch.jobs) }

// CachedStatements lists the SQL texts the SQLite writer connection keeps
// prepared.
func CachedStatements(d *DB) ([]string, error) {
	conn, err := d.write.Conn(context.Background())
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var texts []string
	err = conn.Raw(func(dc any) error {
		for q := range dc.(*cachingConn).stmts {
			texts = append(texts, q)
		}
		return nil
	})
	return texts, err
}
