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
			n, err = foldOnce(ctx, tx, s.db.Dialect)
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

func foldOnce(ctx context.Context, tx *sql.Tx, dialect db.Dialect) (int, error) {
	rows, err := tx.QueryContext(ctx, `DELETE FROM report_delta WHERE id IN (SELECT id FROM report_delta ORDER BY id LIMIT `+itoa(foldBatch)+`)
		RETURNING `+keyColumns+`, `+strings.Join(measureColumns, ", "))
	if err != nil {
		return 0, db.Fail(err)
	}
	s := newSums()
	n := 0
	for rows.Next() {
		k, m, err := scanKeyed(rows)
		if err != nil {
			rows.Close()
			return 0, db.Fail(err)
		}
		n++
		s.add(k, m)
	}
	if err := rows.Close(); err != nil {
		return 0, db.Fail(err)
	}
	return n, s.write(ctx, tx, dialect)
}

// filterDims are the dimensions a dashboard filters on; report_cube
// keeps, for each of them alone, the sums by every dimension.
var filterDims = []string{"channel", "category", "area", "agency"}

// cubeKey is a row of report_cube.
type cubeKey struct{ fdim, fval, day, dim, val string }

// sums gathers changes of every kept sum: the fine rows (report_days),
// the rows by one dimension (report_dims) and by one filter and one
// dimension (report_cube), each by day and, but the channel, by month.
type sums struct {
	fine map[Key]*Measures
	dims map[dimKey]*Measures
	cube map[cubeKey]*Measures
}

func newSums() *sums {
	return &sums{fine: map[Key]*Measures{}, dims: map[dimKey]*Measures{}, cube: map[cubeKey]*Measures{}}
}

// add counts m at k in every sum.
func (s *sums) add(k Key, m Measures) {
	addTo(s.fine, k, m)
	s.addCoarse(k, m)
}

// addCoarse counts m at k in the sums by one dimension and by one filter
// and one dimension.
func (s *sums) addCoarse(k Key, m Measures) {
	month := monthOf(k.Day)
	for _, d := range dims {
		v := d.val(k)
		addTo(s.dims, dimKey{k.Day, d.name, v}, m)
		if d.name != "channel" {
			addTo(s.dims, dimKey{month, monthPrefix + d.name, v}, m)
		}
	}
	for _, fd := range filterDims {
		fv := dimValue(fd, k)
		for _, d := range dims {
			v := d.val(k)
			addTo(s.cube, cubeKey{fd, fv, k.Day, d.name, v}, m)
			if d.name != "channel" {
				addTo(s.cube, cubeKey{fd, fv, month, monthPrefix + d.name, v}, m)
			}
		}
	}
}

// dimValue is the value of the dimension named name at k.
func dimValue(name string, k Key) string {
	for _, d := range dims {
		if d.name == name {
			return d.val(k)
		}
	}
	panic("report: no dimension " + name)
}

// write adds the gathered changes to the tables, in key order so two
// writers never deadlock, and deletes the rows no ticket is left in.
func (s *sums) write(ctx context.Context, tx *sql.Tx, dialect db.Dialect) error {
	fine := sortedKeys(s.fine, compareKeys)
	if err := upsertRows(ctx, tx, dialect, "report_days", dayKeys, len(fine), func(i int) ([]any, Measures) {
		k := fine[i]
		return []any{k.Day, k.Hour, k.Channel, k.Category, k.Kind, k.Area, k.Agency, k.State}, *s.fine[k]
	}); err != nil {
		return err
	}
	dk := sortedKeys(s.dims, func(a, b dimKey) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.dim, b.dim), cmp.Compare(a.val, b.val))
	})
	if err := upsertRows(ctx, tx, dialect, "report_dims", dimKeys, len(dk), func(i int) ([]any, Measures) {
		k := dk[i]
		return []any{k.day, k.dim, k.val}, *s.dims[k]
	}); err != nil {
		return err
	}
	ck := sortedKeys(s.cube, func(a, b cubeKey) int {
		return cmp.Or(cmp.Compare(a.fdim, b.fdim), cmp.Compare(a.fval, b.fval), cmp.Compare(a.day, b.day), cmp.Compare(a.dim, b.dim), cmp.Compare(a.val, b.val))
	})
	return upsertRows(ctx, tx, dialect, "report_cube", cubeKeys, len(ck), func(i int) ([]any, Measures) {
		k := ck[i]
		return []any{k.fdim, k.fval, k.day, k.dim, k.val}, *s.cube[k]
	})
}

// moveMonths moves the sums by month out of s into to.
func (s *sums) moveMonths(to *sums) {
	for k, m := range s.dims {
		if strings.HasPrefix(k.dim, monthPrefix) {
			addTo(to.dims, k, *m)
			delete(s.dims, k)
		}
	}
	for k, m := range s.cube {
		if strings.HasPrefix(k.dim, monthPrefix) {
			addTo(to.cube, k, *m)
			delete(s.cube, k)
		}
	}
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

var (
	dayKeys  = strings.Split(keyColumns, ", ")
	dimKeys  = []string{"day", "dim", "val"}
	cubeKeys = []string{"fdim", "fval", "day", "dim", "val"}
)

// upsertBatch is how many rows one INSERT adds: well under both engines'
// limit on a statement's parameters (27 a row at most), and short enough
// for SQLite's statement cache (internal/db) to keep it parsed.
const upsertBatch = 150

// params is n parameters numbered from first: $first… on PostgreSQL,
// plain ? on SQLite, which looks a numbered parameter up in a list (the
// time of a statement of thousands of them would grow with their
// square).
func params(dialect db.Dialect, first, n int) string {
	if dialect == db.SQLite {
		return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
	}
	return placeholders(first, first+n-1)
}

// upsertRows adds n rows' measures to table, row(i) giving the i-th row's
// key and measures, upsertBatch rows a statement, then deletes the rows
// a negative count may have emptied (every ticket counts once in n).
func upsertRows(ctx context.Context, tx *sql.Tx, dialect db.Dialect, table string, keys []string, n int, row func(i int) ([]any, Measures)) error {
	var set []string
	for _, c := range measureColumns {
		set = append(set, c+" = "+table+"."+c+" + excluded."+c)
	}
	width := len(keys) + len(measureColumns)
	var emptied [][]any
	for lo := 0; lo < n; lo += upsertBatch {
		hi := min(lo+upsertBatch, n)
		values := make([]string, 0, hi-lo)
		args := make([]any, 0, (hi-lo)*width)
		for i := lo; i < hi; i++ {
			key, m := row(i)
			values = append(values, "("+params(dialect, len(args)+1, width)+")")
			args = append(args, key...)
			for _, p := range m.fields() {
				args = append(args, *p)
			}
			if m.N < 0 {
				emptied = append(emptied, key)
			}
		}
		q := `INSERT INTO ` + table + ` (` + strings.Join(keys, ", ") + `, ` + strings.Join(measureColumns, ", ") + `)
			VALUES ` + strings.Join(values, ", ") + `
			ON CONFLICT (` + strings.Join(keys, ", ") + `) DO UPDATE SET ` + strings.Join(set, ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return db.Fail(err)
		}
	}
	if len(emptied) == 0 {
		return nil
	}
	var where []string
	for i, c := range keys {
		where = append(where, c+" = $"+itoa(i+1))
	}
	del, err := tx.PrepareContext(ctx, `DELETE FROM `+table+` WHERE `+strings.Join(where, " AND ")+` AND n = 0`)
	if err != nil {
		return db.Fail(err)
	}
	defer del.Close()
	for _, key := range emptied {
		if _, err := del.ExecContext(ctx, key...); err != nil {
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
