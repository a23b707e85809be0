package category

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"github.com/hotline-1022/hotline/internal/csvdata"
	"github.com/hotline-1022/hotline/internal/db"
)

// The default taxonomy and the request kinds, compiled for hotline from the
// category lists of provincial 1022 portals (see ../area/data/SOURCES.md).
//
//go:embed data/*.csv
var dataFS embed.FS

// inactiveByDefault lists the campaign categories: seeded, but switched on
// only while a campaign runs (an epidemic, say).
var inactiveByDefault = map[string]bool{"dich_benh": true}

// SeedDefaults loads the default taxonomy into an empty categories table and
// returns how many categories it inserted: 26 the first time, 0 once the
// table has any category, so a deployment's own edits are never overwritten.
//
// Every default category gets DefaultKind report: each one's typical content
// is a problem to be fixed, and the kind is chosen per ticket anyway. The
// campaign category dich_benh starts inactive.
func (s *Store) SeedDefaults(ctx context.Context) (int, error) {
	recs, err := readCSV("categories.csv", "code", "name_vi", "name_en", "typical_content")
	if err != nil {
		return 0, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	inserted := 0
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		inserted = 0
		var n int
		if err := tx.QueryRowContext(ctx, countSQL).Scan(&n); err != nil || n > 0 {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, insertSQL)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, r := range recs {
			c, err := clean(Category{Code: r[0], NameVI: r[1], NameEN: r[2], Description: r[3], DefaultKind: string(KindReport)})
			if err != nil {
				return fmt.Errorf("category: embedded categories.csv row %d: %w", i+2, err)
			}
			var id int64
			if err := stmt.QueryRowContext(ctx, c.Code, nil, c.NameVI, c.NameEN, c.Description, c.DefaultKind,
				i+1, !inactiveByDefault[c.Code], now).Scan(&id); err != nil {
				return err
			}
			inserted++
		}
		return nil
	})
	if db.IsUnique(err) {
		// Another instance seeded the table at the same moment.
		return 0, nil
	}
	if err != nil {
		return 0, db.Fail(err)
	}
	return inserted, nil
}

// readCSV reads the named columns of an embedded data file.
func readCSV(name string, cols ...string) ([][]string, error) {
	rows, err := csvdata.Columns(dataFS, "data/"+name, cols...)
	if err != nil {
		return nil, fmt.Errorf("category: %w", err)
	}
	return rows, nil
}
