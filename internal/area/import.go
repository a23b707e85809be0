package area

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"github.com/hotline-1022/hotline/internal/csvdata"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// The official lists, embedded so that a fresh install needs no download.
// data/SOURCES.md says where they come from and how they were corrected.
//
//go:embed data/*.csv
var dataFS embed.FS

// reformDay is when the post-reorganisation units came into force. The ten
// Đồng Nai communes that became phường in 2026 (NQ 237/NQ-UBTVQH16) kept
// their codes, so they keep this date too: a ticket's ward code stays valid
// either way.
const reformDay = "2025-07-01"

// batchRows is the number of rows per INSERT. On PostgreSQL every statement
// is a round trip, and 100 rows per statement imports about eight times
// faster than one. SQLite runs in-process, so there is nothing to save, and
// its driver's cost per statement grows faster than linearly with the
// number of parameters: one row per prepared statement is fastest there
// (measured: 60 ms for all rows, against 720 ms with 500-row statements).
func batchRows(d db.Dialect) int {
	if d == db.Postgres {
		return 100
	}
	return 1
}

// Counts says how many rows of each list Import loaded.
type Counts struct {
	Provinces int
	Wards     int
	Legacy    int // rows of the old→new conversion table
}

// legacyRow is one row of area_legacy in column order: new_code, old_code,
// old_name, old_district, old_province_code, relation, note, fold.
type legacyRow [8]string

// Import loads the embedded provinces, wards and conversion table. It is
// idempotent: units are upserted by code (unchanged rows are not written)
// and the conversion table is replaced only when it differs, all in one
// transaction. A second run changes nothing and returns the same counts.
//
// Units missing from the embedded lists are left alone, because tickets may
// still refer to them.
func (s *Store) Import(ctx context.Context) (Counts, error) {
	provinces, wards, legacy, err := loadData()
	if err != nil {
		return Counts{}, err
	}
	batch := batchRows(s.db.Dialect)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Provinces first: wards reference them.
		if err := insertBatches(ctx, tx, batch, upsertAreasSQL, provinces); err != nil {
			return fmt.Errorf("import provinces: %w", err)
		}
		if err := insertBatches(ctx, tx, batch, upsertAreasSQL, wards); err != nil {
			return fmt.Errorf("import wards: %w", err)
		}
		same, err := legacyMatches(ctx, tx, legacy)
		if err != nil || same {
			return err
		}
		if _, err := tx.ExecContext(ctx, legacyDeleteSQL); err != nil {
			return fmt.Errorf("import legacy: %w", err)
		}
		rows := make([][]any, len(legacy))
		for i := range legacy {
			rows[i] = make([]any, len(legacy[i]))
			for j, v := range legacy[i] {
				rows[i][j] = v
			}
		}
		if err := insertBatches(ctx, tx, batch, insertLegacySQL, rows); err != nil {
			return fmt.Errorf("import legacy: %w", err)
		}
		return nil
	})
	if err != nil {
		return Counts{}, db.Fail(err)
	}
	return Counts{Provinces: len(provinces), Wards: len(wards), Legacy: len(legacy)}, nil
}

// insertBatches runs the statement that build makes for n rows over rows,
// size rows at a time. The full-size statement is prepared once.
func insertBatches(ctx context.Context, tx *sql.Tx, size int, build func(n int) string, rows [][]any) error {
	var full *sql.Stmt
	if len(rows) >= size {
		var err error
		if full, err = tx.PrepareContext(ctx, build(size)); err != nil {
			return err
		}
		defer full.Close()
	}
	for start := 0; start < len(rows); start += size {
		end := min(start+size, len(rows))
		args := make([]any, 0, (end-start)*len(rows[start]))
		for _, r := range rows[start:end] {
			args = append(args, r...)
		}
		var err error
		if end-start == size {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, build(end-start), args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// legacyMatches reports whether area_legacy already holds exactly want, in
// order. Comparing costs one read; rewriting would churn 10,000 rows and
// their ids on every start-up that imports.
func legacyMatches(ctx context.Context, tx *sql.Tx, want []legacyRow) (bool, error) {
	rows, err := tx.QueryContext(ctx, legacyAllSQL)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var got legacyRow
		if err := rows.Scan(&got[0], &got[1], &got[2], &got[3], &got[4], &got[5], &got[6], &got[7]); err != nil {
			return false, err
		}
		if i >= len(want) || got != want[i] {
			return false, nil
		}
		i++
	}
	return i == len(want), rows.Err()
}

// loadData parses the embedded lists into insert arguments, checking the
// references between them so that a bad data update fails loudly here
// rather than as a foreign-key error halfway through an import.
func loadData() (provinces, wards [][]any, legacy []legacyRow, err error) {
	prov, err := readCSV("provinces.csv", "code", "name", "full_name", "type", "name_en")
	if err != nil {
		return nil, nil, nil, err
	}
	known := map[string]bool{}
	for _, r := range prov {
		code, name, full, typ, en := r[0], r[1], r[2], r[3], r[4]
		provinces = append(provinces, []any{code, nil, LevelProvince, typ, name, full, en,
			vntext.Fold(name + " " + full), reformDay})
		known[code] = true
	}

	wardRecs, err := readCSV("wards.csv", "code", "province_code", "name", "full_name", "type", "name_en")
	if err != nil {
		return nil, nil, nil, err
	}
	isWard := map[string]bool{}
	for _, r := range wardRecs {
		code, parent, name, full, typ, en := r[0], r[1], r[2], r[3], r[4], r[5]
		if !known[parent] {
			return nil, nil, nil, fmt.Errorf("area: embedded wards.csv: ward %s has unknown province %q", code, parent)
		}
		wards = append(wards, []any{code, parent, LevelWard, typ, name, full, en,
			vntext.Fold(name + " " + full), reformDay})
		isWard[code] = true
	}

	legRecs, err := readCSV("ward_legacy.csv", "new_code", "old_code", "old_full_name", "old_district_full_name",
		"old_province_code", "relation", "note_vi")
	if err != nil {
		return nil, nil, nil, err
	}
	legacy = make([]legacyRow, 0, len(legRecs))
	for _, r := range legRecs {
		if !isWard[r[0]] {
			return nil, nil, nil, fmt.Errorf("area: embedded ward_legacy.csv: unknown new ward %q", r[0])
		}
		legacy = append(legacy, legacyRow{r[0], r[1], r[2], r[3], r[4], r[5], r[6], vntext.Fold(r[2] + " " + r[3])})
	}
	return provinces, wards, legacy, nil
}

// readCSV reads the named columns of an embedded data file.
func readCSV(name string, cols ...string) ([][]string, error) {
	rows, err := csvdata.Columns(dataFS, "data/"+name, cols...)
	if err != nil {
		return nil, fmt.Errorf("area: %w", err)
	}
	return rows, nil
}
