package db

import "io/fs"

// UseMigrations points d at another migrations tree (one folder per
// dialect), for tests of how Migrate treats edited or missing files.
func UseMigrations(d *DB, fsys fs.FS) { d.migrationsFS = fsys }

// QueuedTx counts the SQLite transactions waiting for the batcher.
func QueuedTx(d *DB) int { return len(d.batch.jobs) }
