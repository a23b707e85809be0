package db

import "io/fs"

// UseMigrations points d at another migrations tree (one folder per
// dialect), for tests of how Migrate treats edited or missing files.
func UseMigrations(d *DB, fsys fs.FS) { d.migrationsFS = fsys }
