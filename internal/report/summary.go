package report

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// Filter selects the tickets a summary counts: received on a local day
// From through To (both YYYY-MM-DD, inclusive), and optionally one
// agency, channel, category and ward. Zero values select everything.
type Filter struct {
	From, To string
	Agency   int64
	Channel  string
	Category int64
	Area     string
}

// filters names the filters f sets, in the order report_cube names a
// pair (agency, channel, category, ward), with their
// values as the sums keep them and their columns in report_delta.
func (f Filter) filters() (names, vals, cols []string) {
	for _, c := range []struct {
		dim, val string
		set      bool
	}{
		{"agency", itoa64(f.Agency), f.Agency != 0},
		{"channel", f.Channel, f.Channel != ""},
		{"category", itoa64(f.Category), f.Category != 0},
		{"area", f.Area, f.Area != ""},
	} {
		if c.set {
			names, vals, cols = append(names, c.dim), append(vals, c.val), append(cols, dimCol(c.dim))
		}
	}
	return names, vals, cols
}

// MinSample is the least number of tickets due (resolved, or overdue) a
// unit needs to be ranked, so one ticket does not make it best or worst.
const MinSample = 10

// Row is one value of a dimension with its sums.
type Row struct {
	Key string // the dimension's value: a channel, state, kind, hour, or an id or ward code
	Measures
}

// Day is one local day's volume, by channel.
type Day struct {
	Day       string
	N         int64
	ByChannel map[string]int64
}

// Summary holds every figure for one filter. Its rows are sorted by
// volume, largest first, except Hours (0–23) and Days (in order).
type Summary struct {
	Filter     Filter
	Total      Measures
	Days       []Day
	Hours      [24]int64
	ByChannel  []Row
	ByState    []Row
	ByKind     []Row
	ByCategory []Row // Key: the category's id, "0" for none
	ByArea     []Row // Key: the ward's code, "" for none
	ByAgency   []Row // Key: the agency's id, "0" for none
}

// OnTimeRate is the share of tickets due that were answered to the
// citizen by their deadline: OnTime ÷ Due, where Due counts the tickets
// answered and those still open past their deadline. ok is false when
// nothing is due.
func (m Measures) OnTimeRate() (rate float64, ok bool) { return ratio(m.OnTime, m.Due) }

// ResolutionRate is the share of tickets received that were answered to
// the citizen (refused and merged tickets count as received, not
// answered): Resolved ÷ N.
func (m Measures) ResolutionRate() (float64, bool) { return ratio(m.Resolved, m.N) }

// ReturnedRate is the share of forwarded tickets an agency returned at
// least once.
func (m Measures) ReturnedRate() (float64, bool) { return ratio(m.Returned, m.Forwarded) }

// Satisfaction is the average rating, 1–5, of the rated tickets.
func (m Measures) Satisfaction() (float64, bool) { return ratio(m.RatingSum, m.Rated) }

// AvgHandling is the average time from receipt to the answer, over the
// answered tickets.
func (m Measures) AvgHandling() (time.Duration, bool) {
	if m.Resolved == 0 {
		return 0, false
	}
	return time.Duration(m.HSum/m.Resolved) * time.Second, true
}

// P90Handling is the handling time nine answered tickets in ten stay
// within, read from the histogram as the upper bound of the bucket the
// 90th percentile falls in; more is false when it falls in the last,
// unbounded bucket (over 72 h).
func (m Measures) P90Handling() (bound time.Duration, more, ok bool) {
	if m.Resolved == 0 {
		return 0, false, false
	}
	need := (m.Resolved*9 + 9) / 10 // ceil(0.9 × resolved)
	cum := int64(0)
	for i, c := range []int64{m.H1, m.H5, m.H24, m.H72} {
		if cum += c; cum >= need {
			return HistogramBounds[i], false, true
		}
	}
	return HistogramBounds[len(HistogramBounds)-1], true, true
}

// AvgFirstResponse is the average time from receipt to the first
// response to the citizen, over the tickets that had one.
func (m Measures) AvgFirstResponse() (time.Duration, bool) {
	if m.FRN == 0 {
		return 0, false
	}
	return time.Duration(m.FRSum/m.FRN) * time.Second, true
}

func ratio(a, b int64) (float64, bool) {
	if b == 0 {
		return 0, false
	}
	return float64(a) / float64(b), true
}

// Ranked is rows with at least MinSample tickets due, best on-time rate
// first (ties: more due first); the others are left out.
func Ranked(rows []Row) []Row {
	var out []Row
	for _, r := range rows {
		if r.Due >= MinSample {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b Row) int {
		ra, _ := a.OnTimeRate()
		rb, _ := b.OnTimeRate()
		return cmp.Or(cmp.Compare(rb, ra), cmp.Compare(b.Due, a.Due))
	})
	return out
}

// MayRead says whether actor may read figures: supervisors, leaders
// (viewers) and admins read every agency's, an agency user its own.
func MayRead(actor user.Actor) bool {
	return actor.IsUser() && (actor.Is(user.Admin, user.Supervisor, user.Viewer) || (actor.Is(user.Agency) && actor.AgencyID != 0))
}

// CheckRange validates a filter's dates: both YYYY-MM-DD, To not before
// From. It returns errs.Invalid naming the field.
func CheckRange(f Filter) error {
	for _, d := range []struct{ field, v string }{{"from", f.From}, {"to", f.To}} {
		if _, err := time.Parse(time.DateOnly, d.v); err != nil {
			return errs.Invalidf("report.date_invalid").InField(d.field)
		}
	}
	if f.To < f.From {
		return errs.Invalidf("report.range_reversed").InField("to")
	}
	return nil
}

// Summary reads the figures for f as actor, from the sums and the deltas
// not yet folded, in one statement so a fold committing meanwhile is seen
// wholly or not at all. An agency user's filter is narrowed to its own
// agency. It returns errs.Forbidden for an actor who may not read
// figures and errs.Invalid for a bad range.
func (s *Store) Summary(ctx context.Context, actor user.Actor, f Filter) (Summary, error) {
	if !MayRead(actor) {
		return Summary{}, errs.Forbiddenf("report.forbidden")
	}
	if actor.Is(user.Agency) {
		f.Agency = actor.AgencyID
	}
	return s.summary(ctx, f)
}

// summary reads the figures for f, whoever asks: the callers decide who
// may read what.
func (s *Store) summary(ctx context.Context, f Filter) (Summary, error) {
	if err := CheckRange(f); err != nil {
		return Summary{}, err
	}
	a := newAggregate()
	mcols := strings.Join(measureColumns, ", ")
	names, vals, cols := f.filters()
	fdim := strings.Join(names, "+")
	if len(names) > 0 && !isCubeFilter(fdim) {
		where, args := f.where()
		q := `SELECT ` + keyColumns + `, ` + mcols + ` FROM report_days WHERE ` + where +
			` UNION ALL SELECT ` + keyColumns + `, ` + mcols + ` FROM report_delta WHERE ` + where
		rows, err := s.db.R().QueryContext(ctx, q, args...)
		if err != nil {
			return Summary{}, db.Fail(err)
		}
		defer rows.Close()
		for rows.Next() {
			k, m, err := scanKeyed(rows)
			if err != nil {
				return Summary{}, db.Fail(err)
			}
			a.addFine(k, m)
		}
		if err := rows.Err(); err != nil {
			return Summary{}, db.Fail(err)
		}
	} else {
		// No filter: report_dims; one, or a pair report_cube keeps: its
		// rows in report_cube. The deltas not yet folded are added.
		table, cond, args := "report_dims", "", []any{f.From, f.To}
		delta := ""
		if len(names) > 0 {
			table, cond, args = "report_cube", "fdim = $3 AND fval = $4 AND ", append(args, fdim, strings.Join(vals, "+"))
			for i, c := range cols {
				args = append(args, vals[i])
				delta += " AND " + c + " = $" + itoa(len(args))
			}
		}
		parts, args := dimsQuery(table, cond, args, mcols)
		for _, d := range dims {
			parts = append(parts, `SELECT day, '`+d.name+`', `+d.col+`, `+mcols+` FROM report_delta WHERE day >= $1 AND day <= $2`+delta)
		}
		rows, err := s.db.R().QueryContext(ctx, strings.Join(parts, " UNION ALL "), args...)
		if err != nil {
			return Summary{}, db.Fail(err)
		}
		defer rows.Close()
		for rows.Next() {
			var k dimKey
			var m Measures
			dest := []any{&k.day, &k.dim, &k.val}
			for _, p := range m.fields() {
				dest = append(dest, p)
			}
			if err := rows.Scan(dest...); err != nil {
				return Summary{}, db.Fail(err)
			}
			k.dim = strings.TrimPrefix(k.dim, monthPrefix)
			a.addDim(k, m)
		}
		if err := rows.Err(); err != nil {
			return Summary{}, db.Fail(err)
		}
	}
	out := a.summary()
	out.Filter = f
	return out, nil
}

// dimsQuery reads table (report_dims, or report_cube with cond naming
// the filter) for the days $1 through $2: the channel by day, every other
// dimension by month for the whole months inside the range and by day for
// the days before and after them. args are the query's first arguments,
// from and to first. The days are listed (they are dates this function
// formats, so they are written into the SQL): both tables' keys put the
// day before the dimension, so a range of days would read every
// dimension's rows of every day in it, tens of thousands for a year,
// where the listed days seek exactly the rows wanted.
func dimsQuery(table, cond string, args []any, mcols string) ([]string, []any) {
	sel := `SELECT day, dim, val, ` + mcols + ` FROM ` + table + ` WHERE ` + cond
	from, to := args[0].(string), args[1].(string)
	var others, months []string
	for _, d := range dims {
		if d.name != "channel" {
			others = append(others, "'"+d.name+"'")
			months = append(months, "'"+monthPrefix+d.name+"'")
		}
	}
	f, _ := time.Parse(time.DateOnly, from)
	t, _ := time.Parse(time.DateOnly, to)
	first := f // the first whole month's first day
	if f.Day() != 1 {
		first = time.Date(f.Year(), f.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	}
	after := time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC) // the day after the last whole month
	if t.AddDate(0, 0, 1).Day() != 1 {
		after = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	var all, partial, firsts []string
	for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
		day := "'" + d.Format(time.DateOnly) + "'"
		all = append(all, day)
		switch {
		case d.Before(first) || !d.Before(after):
			partial = append(partial, day)
		case d.Day() == 1:
			firsts = append(firsts, day)
		}
	}
	in := func(xs []string) string { return `(` + strings.Join(xs, ", ") + `)` }
	parts := []string{sel + `dim = 'channel' AND day IN ` + in(all)}
	if len(partial) > 0 {
		parts = append(parts, sel+`dim IN `+in(others)+` AND day IN `+in(partial))
	}
	if len(firsts) > 0 {
		parts = append(parts, sel+`dim IN `+in(months)+` AND day IN `+in(firsts))
	}
	return parts, args
}

// dimCol is the dimension named name's value in SQL over report_delta.
func dimCol(name string) string {
	for _, d := range dims {
		if d.name == name {
			return d.col
		}
	}
	panic("report: no dimension " + name)
}

func (f Filter) where() (string, []any) {
	w := []string{"day >= $1", "day <= $2"}
	args := []any{f.From, f.To}
	add := func(cond string, v any) {
		args = append(args, v)
		w = append(w, cond+" = $"+itoa(len(args)))
	}
	if f.Agency != 0 {
		add("agency_id", f.Agency)
	}
	if f.Channel != "" {
		add("channel", f.Channel)
	}
	if f.Category != 0 {
		add("category_id", f.Category)
	}
	if f.Area != "" {
		add("area_code", f.Area)
	}
	return strings.Join(w, " AND "), args
}

// aggregate sums rows into every dimension of a summary.
type aggregate struct {
	by   map[string]map[string]*Measures // dimension → value → sums
	days map[string]map[string]int64     // day → channel → received
}

func newAggregate() *aggregate {
	a := &aggregate{by: map[string]map[string]*Measures{}, days: map[string]map[string]int64{}}
	for _, d := range dims {
		a.by[d.name] = map[string]*Measures{}
	}
	return a
}

func (a *aggregate) addFine(k Key, m Measures) {
	for _, d := range dims {
		a.addDim(dimKey{k.Day, d.name, d.val(k)}, m)
	}
}

func (a *aggregate) addDim(k dimKey, m Measures) {
	addTo(a.by[k.dim], k.val, m)
	if k.dim == "channel" {
		if a.days[k.day] == nil {
			a.days[k.day] = map[string]int64{}
		}
		a.days[k.day][k.val] += m.N
	}
}

func (a *aggregate) rows(dim string) []Row {
	var out []Row
	for v, m := range a.by[dim] {
		if m.N != 0 {
			out = append(out, Row{Key: v, Measures: *m})
		}
	}
	slices.SortFunc(out, func(x, y Row) int { return cmp.Or(cmp.Compare(y.N, x.N), cmp.Compare(x.Key, y.Key)) })
	return out
}

func (a *aggregate) summary() Summary {
	s := Summary{ByChannel: a.rows("channel"), ByState: a.rows("state"), ByKind: a.rows("kind"),
		ByCategory: a.rows("category"), ByArea: a.rows("area"), ByAgency: a.rows("agency")}
	for _, r := range s.ByState {
		s.Total.Add(r.Measures)
	}
	for _, r := range a.rows("hour") {
		if h, err := strconv.Atoi(r.Key); err == nil && h >= 0 && h < 24 {
			s.Hours[h] = r.N
		}
	}
	for day, ch := range a.days {
		d := Day{Day: day, ByChannel: ch}
		for c, n := range ch {
			if n == 0 {
				delete(ch, c) // moved out by a later change
			}
			d.N += n
		}
		if d.N != 0 {
			s.Days = append(s.Days, d)
		}
	}
	slices.SortFunc(s.Days, func(x, y Day) int { return cmp.Compare(x.Day, y.Day) })
	return s
}
