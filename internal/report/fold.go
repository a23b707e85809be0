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
	name  string
	val   func(Key) string
	col   string // the same value in SQL over report_delta
	month string // its name in the sums by month; "": none
}{
	{"channel", func(k Key) string { return k.Channel }, "channel", ""},
	{"hour", func(k Key) string { return itoa(k.Hour) }, "CAST(hour AS TEXT)", monthPrefix + "hour"},
	{"category", func(k Key) string { return itoa64(k.Category) }, "CAST(category_id AS TEXT)", monthPrefix + "category"},
	{"kind", func(k Key) string { return k.Kind }, "kind", monthPrefix + "kind"},
	{"area", func(k Key) string { return k.Area }, "area_code", monthPrefix + "area"},
	{"agency", func(k Key) string { return itoa64(k.Agency) }, "CAST(agency_id AS TEXT)", monthPrefix + "agency"},
	{"state", func(k Key) string { return k.State }, "state", monthPrefix + "state"},
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
	return n, s.write(ctx, tx, dialect, false)
}

// cubeFilters are the filters report_cube keeps the sums by every
// dimension for: each filter alone, and the pairs of filters with few
// values together that leaders combine (an agency user's own view and its
// channel or category is one). A pair is named by its filters joined by
// "+" ("agency+channel") and its value likewise ("12+zalo"); no value of
// an agency, a channel or a category holds a "+". Any other combination is
// read from report_days.
var cubeFilters = []cubeFilter{
	newCubeFilter("channel"), newCubeFilter("category"), newCubeFilter("area"), newCubeFilter("agency"),
	newCubeFilter("agency", "channel"), newCubeFilter("agency", "category"),
}

// cubeFilter is one filter of report_cube: its name and the positions in
// dims of the dimensions it filters on.
type cubeFilter struct {
	name string
	idx  []int
}

func newCubeFilter(names ...string) cubeFilter {
	f := cubeFilter{name: strings.Join(names, "+")}
	for _, n := range names {
		f.idx = append(f.idx, dimIndex(n))
	}
	return f
}

// value is the filter's value given every dimension's value (dims' order).
func (f cubeFilter) value(vals []string) string {
	if len(f.idx) == 1 {
		return vals[f.idx[0]]
	}
	parts := make([]string, len(f.idx))
	for i, j := range f.idx {
		parts[i] = vals[j]
	}
	return strings.Join(parts, "+")
}

// isCubeFilter says whether report_cube keeps the filter named name.
func isCubeFilter(name string) bool {
	return slices.ContainsFunc(cubeFilters, func(f cubeFilter) bool { return f.name == name })
}

// cubeKey is a row of report_cube.
type cubeKey struct{ fdim, fval, day, dim, val string }

// sums gathers changes of every kept sum: the fine rows (report_days),
// the rows by one dimension (report_dims) and by one filter (or pair) and
// one dimension (report_cube), each by day and, but the channel, by month.
type sums struct {
	fine map[Key]*Measures
	dims map[dimKey]*Measures
	cube map[cubeKey]*Measures
	// months gathers the sums by month: s itself, or apart (a rebuild
	// writes the days' sums as it goes and each month's when it is over).
	months *sums
}

func newSums() *sums {
	s := &sums{fine: map[Key]*Measures{}, dims: map[dimKey]*Measures{}, cube: map[cubeKey]*Measures{}}
	s.months = s
	return s
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
	var vals [8]string
	for i, d := range dims {
		vals[i] = d.val(k)
	}
	for i, d := range dims {
		addTo(s.dims, dimKey{k.Day, d.name, vals[i]}, m)
		if d.month != "" {
			addTo(s.months.dims, dimKey{month, d.month, vals[i]}, m)
		}
	}
	for _, f := range cubeFilters {
		fv := f.value(vals[:len(dims)])
		for i, d := range dims {
			addTo(s.cube, cubeKey{f.name, fv, k.Day, d.name, vals[i]}, m)
			if d.month != "" {
				addTo(s.months.cube, cubeKey{f.name, fv, month, d.month, vals[i]}, m)
			}
		}
	}
}

// dimIndex is the position in dims of the dimension named name.
func dimIndex(name string) int {
	for i, d := range dims {
		if d.name == name {
			return i
		}
	}
	panic("report: no dimension " + name)
}

// write adds the gathered changes to the tables, in key order so two
// writers never deadlock, and deletes the rows no ticket is left in.
// fresh says no row of s is in the tables yet (a rebuild's derivation):
// they are inserted, not merged.
func (s *sums) write(ctx context.Context, tx *sql.Tx, dialect db.Dialect, fresh bool) error {
	fine := sortedKeys(s.fine, compareKeys)
	if err := upsertRows(ctx, tx, dialect, fresh, "report_days", dayKeys, len(fine), func(i int) ([]any, Measures) {
		k := fine[i]
		return []any{k.Day, k.Hour, k.Channel, k.Category, k.Kind, k.Area, k.Agency, k.State}, *s.fine[k]
	}); err != nil {
		return err
	}
	dk := sortedKeys(s.dims, func(a, b dimKey) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.dim, b.dim), cmp.Compare(a.val, b.val))
	})
	if err := upsertRows(ctx, tx, dialect, fresh, "report_dims", dimKeys, len(dk), func(i int) ([]any, Measures) {
		k := dk[i]
		return []any{k.day, k.dim, k.val}, *s.dims[k]
	}); err != nil {
		return err
	}
	ck := sortedKeys(s.cube, func(a, b cubeKey) int {
		return cmp.Or(cmp.Compare(a.fdim, b.fdim), cmp.Compare(a.fval, b.fval), cmp.Compare(a.day, b.day), cmp.Compare(a.dim, b.dim), cmp.Compare(a.val, b.val))
	})
	return upsertRows(ctx, tx, dialect, fresh, "report_cube", cubeKeys, len(ck), func(i int) ([]any, Measures) {
		k := ck[i]
		return []any{k.fdim, k.fval, k.day, k.dim, k.val}, *s.cube[k]
	})
}

func addTo[K comparable](to map[K]*Measures, k K, m Measures) {
	if p := to[k]; p != nil {
		p.Add(m)
		return
	}
	to[k] = &m
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
// fresh inserts rows known to be new, without looking for a conflict.
func upsertRows(ctx context.Context, tx *sql.Tx, dialect db.Dialect, fresh bool, table string, keys []string, n int, row func(i int) ([]any, Measures)) error {
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
			VALUES ` + strings.Join(values, ", ")
		if !fresh {
			q += ` ON CONFLICT (` + strings.Join(keys, ", ") + `) DO UPDATE SET ` + strings.Join(set, ", ")
		}
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
