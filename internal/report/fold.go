package report

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
)

// The dimensions report_dims sums by, one at a time, with the value of
// each in a key.
var dims = []struct {
	name string
	val  func(Key) string
	col  string // the same value in SQL over report_delta
}{
	{"channel", func(k Key) string { return k.Channel }, "channel"},
	{"hour", func(k Key) string { return itoa(k.Hour) }, "CAST(hour AS TEXT)"},
	{"category", func(k Key) string { return itoa64(k.Category) }, "CAST(category_id AS TEXT)"},
	{"kind", func(k Key) string { return k.Kind }, "kind"},
	{"area", func(k Key) string { return k.Area }, "area_code"},
	{"agency", func(k Key) string { return itoa64(k.Agency) }, "CAST(agency_id AS TEXT)"},
	{"state", func(k Key) string { return k.State }, "state"},
}

type dimKey struct{ day, dim, val string }

// Every dimension but the channel is also summed by month, under its
// name with monthPrefix and the month's first day: a year's summary reads
// twelve months of those instead of 365 days. The channel stays by day
// for the volume chart.
const monthPrefix = "m:"

// monthOf is the first day of day's month.
func monthOf(day string) string { return day[:8] + "01" }

// foldBatch is how many deltas one fold transaction takes.
const foldBatch = 10000

// Fold moves the appended deltas into report_days and report_dims, a
// batch per transaction, and returns how many it moved. Each delta is
// taken by exactly one fold (DELETE … RETURNING), so folds running at
// once on several instances neither lose nor double a delta, and sums are
// written in key order, so they never deadlock.
func (s *Store) Fold(ctx context.Context) (int, error) {
	total := 0
	for {
		var n int
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			n, err = foldOnce(ctx, tx)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < foldBatch {
			return total, nil
		}
	}
}

func foldOnce(ctx context.Context, tx *sql.Tx) (int, error) {
	rows, err := tx.QueryContext(ctx, `DELETE FROM report_delta WHERE id IN (SELECT id FROM report_delta ORDER BY id LIMIT `+itoa(foldBatch)+`)
		RETURNING `+keyColumns+`, `+strings.Join(measureColumns, ", "))
	if err != nil {
		return 0, db.Fail(err)
	}
	fine := map[Key]*Measures{}
	byDim := map[dimKey]*Measures{}
	n := 0
	for rows.Next() {
		k, m, err := scanKeyed(rows)
		if err != nil {
			rows.Close()
			return 0, db.Fail(err)
		}
		n++
		addTo(fine, k, m)
		for _, d := range dims {
			addTo(byDim, dimKey{k.Day, d.name, d.val(k)}, m)
			if d.name != "channel" {
				addTo(byDim, dimKey{monthOf(k.Day), monthPrefix + d.name, d.val(k)}, m)
			}
		}
	}
	if err := rows.Close(); err != nil {
		return 0, db.Fail(err)
	}
	for _, k := range sortedKeys(fine, compareKeys) {
		if err := upsert(ctx, tx, addDaySQL, removeDaySQL, []any{k.Day, k.Hour, k.Channel, k.Category, k.Kind, k.Area, k.Agency, k.State}, *fine[k]); err != nil {
			return 0, err
		}
	}
	for _, k := range sortedKeys(byDim, func(a, b dimKey) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.dim, b.dim), cmp.Compare(a.val, b.val))
	}) {
		if err := upsert(ctx, tx, addDimSQL, removeDimSQL, []any{k.day, k.dim, k.val}, *byDim[k]); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func addTo[K comparable](to map[K]*Measures, k K, m Measures) {
	if to[k] == nil {
		to[k] = &Measures{}
	}
	to[k].Add(m)
}

func sortedKeys[K comparable](m map[K]*Measures, compare func(a, b K) int) []K {
	keys := make([]K, 0, len(m))
	for k, v := range m {
		if *v != (Measures{}) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compare)
	return keys
}

func compareKeys(a, b Key) int {
	return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.Hour, b.Hour), cmp.Compare(a.Channel, b.Channel),
		cmp.Compare(a.Category, b.Category), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Area, b.Area),
		cmp.Compare(a.Agency, b.Agency), cmp.Compare(a.State, b.State))
}

func scanKeyed(row interface{ Scan(...any) error }) (Key, Measures, error) {
	var k Key
	var m Measures
	dest := []any{&k.Day, &k.Hour, &k.Channel, &k.Category, &k.Kind, &k.Area, &k.Agency, &k.State}
	for _, p := range m.fields() {
		dest = append(dest, p)
	}
	return k, m, row.Scan(dest...)
}

// upsertSQL adds the measures to the row with the given key columns.
func upsertSQL(table string, keys []string) string {
	var set []string
	for _, c := range measureColumns {
		set = append(set, c+" = "+table+"."+c+" + excluded."+c)
	}
	return `INSERT INTO ` + table + ` (` + strings.Join(keys, ", ") + `, ` + strings.Join(measureColumns, ", ") + `)
		VALUES (` + placeholders(1, len(keys)+len(measureColumns)) + `)
		ON CONFLICT (` + strings.Join(keys, ", ") + `) DO UPDATE SET ` + strings.Join(set, ", ")
}

// removeSQL deletes the row with the given key when no ticket is left in
// it (every ticket counts once in n).
func removeSQL(table string, keys []string) string {
	var where []string
	for i, c := range keys {
		where = append(where, c+" = $"+itoa(i+1))
	}
	return `DELETE FROM ` + table + ` WHERE ` + strings.Join(where, " AND ") + ` AND n = 0`
}

var (
	dayKeys      = strings.Split(keyColumns, ", ")
	addDaySQL    = upsertSQL("report_days", dayKeys)
	removeDaySQL = removeSQL("report_days", dayKeys)
	addDimSQL    = upsertSQL("report_dims", []string{"day", "dim", "val"})
	removeDimSQL = removeSQL("report_dims", []string{"day", "dim", "val"})
)

func upsert(ctx context.Context, tx *sql.Tx, add, remove string, key []any, m Measures) error {
	args := append([]any{}, key...)
	for _, p := range m.fields() {
		args = append(args, *p)
	}
	if _, err := tx.ExecContext(ctx, add, args...); err != nil {
		return db.Fail(err)
	}
	if m.N < 0 {
		if _, err := tx.ExecContext(ctx, remove, key...); err != nil {
			return db.Fail(err)
		}
	}
	return nil
}

// Folder folds the deltas every Interval until ctx ends. Readers add the
// deltas not yet folded, so the interval bounds only how many they add.
type Folder struct {
	Store    *Store
	Interval time.Duration
	OnError  func(error)
}

// Run folds until ctx ends.
func (f *Folder) Run(ctx context.Context) error {
	t := time.NewTicker(f.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := f.Store.Fold(ctx); err != nil && ctx.Err() == nil && f.OnError != nil {
				f.OnError(err)
			}
		}
	}
}
