package report_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/report"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// hcm is loaded here on its own, not taken from internal/clock, so the
// expected figures do not share the rollup's idea of a local day.
var hcm = func() *time.Location {
	l, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return l
}()

// raw is a ticket as stored, with its forwardings counted.
type raw struct {
	channel, kind, area, state                      string
	category, agency                                int64
	received, deadline, resolved, breached, firstAt sql.NullTime
	rating                                          int64
	assignments, returns, extensions                int64
}

func mustRaw(t *testing.T, d *db.DB) []raw {
	t.Helper()
	rows, err := d.R().QueryContext(context.Background(), `SELECT t.channel, t.kind, COALESCE(t.area_code, ''), t.state, COALESCE(t.category_id, 0), COALESCE(t.agency_id, 0),
		t.received_at, t.deadline, t.resolved_at, t.sla_breached_at, t.first_response_at, COALESCE(t.rating, 0),
		(SELECT count(*) FROM assignments a WHERE a.ticket_id = t.id),
		(SELECT count(*) FROM assignments a WHERE a.ticket_id = t.id AND a.returned_at IS NOT NULL),
		(SELECT count(*) FROM assignments a WHERE a.ticket_id = t.id AND a.ext_state = 'granted')
		FROM tickets t`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []raw
	for rows.Next() {
		var r raw
		if err := rows.Scan(&r.channel, &r.kind, &r.area, &r.state, &r.category, &r.agency, &r.received, &r.deadline, &r.resolved,
			&r.breached, &r.firstAt, &r.rating, &r.assignments, &r.returns, &r.extensions); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// expected computes the figures for f straight from the tickets, by the
// definitions in report.Measures' comments.
func expected(tickets []raw, f report.Filter) map[string]map[string]report.Measures {
	out := map[string]map[string]report.Measures{}
	add := func(dim, val string, m report.Measures) {
		if out[dim] == nil {
			out[dim] = map[string]report.Measures{}
		}
		s := out[dim][val]
		s.Add(m)
		out[dim][val] = s
	}
	b := func(ok bool) int64 {
		if ok {
			return 1
		}
		return 0
	}
	for _, r := range tickets {
		local := r.received.Time.In(hcm)
		day := local.Format("2006-01-02")
		if day < f.From || day > f.To || (f.Agency != 0 && r.agency != f.Agency) || (f.Channel != "" && r.channel != f.Channel) ||
			(f.Category != 0 && r.category != f.Category) || (f.Area != "" && r.area != f.Area) {
			continue
		}
		answered := r.resolved.Valid && r.state != "refused" && r.state != "merged"
		open := !r.resolved.Valid
		m := report.Measures{N: 1, Resolved: b(answered), Forwarded: b(r.assignments > 0), Returned: b(r.returns > 0), Extended: b(r.extensions > 0)}
		if answered {
			h := r.resolved.Time.Sub(r.received.Time)
			m.OnTime = b(!r.resolved.Time.After(r.deadline.Time))
			m.Due = 1
			m.Direct = b(r.assignments == 0)
			m.HSum = int64(h.Seconds())
			switch {
			case h <= time.Hour:
				m.H1 = 1
			case h <= 5*time.Hour:
				m.H5 = 1
			case h <= 24*time.Hour:
				m.H24 = 1
			case h <= 72*time.Hour:
				m.H72 = 1
			default:
				m.HMore = 1
			}
		}
		if open && r.breached.Valid {
			m.Due, m.Overdue = 1, 1
		}
		if r.rating > 0 {
			m.Rated, m.RatingSum = 1, r.rating
		}
		if r.firstAt.Valid {
			m.FRN, m.FRSum = 1, int64(r.firstAt.Time.Sub(r.received.Time).Seconds())
		}
		add("channel", r.channel, m)
		add("state", r.state, m)
		add("kind", r.kind, m)
		add("category", strconv.FormatInt(r.category, 10), m)
		add("area", r.area, m)
		add("agency", strconv.FormatInt(r.agency, 10), m)
		add("hour", strconv.Itoa(local.Hour()), m)
		add("day", day, report.Measures{N: 1})
		add("day:"+day, r.channel, report.Measures{N: 1})
	}
	return out
}

// got is a summary in expected's shape.
func got(s report.Summary) map[string]map[string]report.Measures {
	out := map[string]map[string]report.Measures{}
	put := func(dim string, rows []report.Row) {
		for _, r := range rows {
			if out[dim] == nil {
				out[dim] = map[string]report.Measures{}
			}
			out[dim][r.Key] = r.Measures
		}
	}
	put("channel", s.ByChannel)
	put("state", s.ByState)
	put("kind", s.ByKind)
	put("category", s.ByCategory)
	put("area", s.ByArea)
	put("agency", s.ByAgency)
	var hours []report.Row
	for h, n := range s.Hours {
		if n != 0 {
			m := report.Measures{}
			// Hours carry only volumes; take the rest from expected's side.
			m.N = n
			hours = append(hours, report.Row{Key: strconv.Itoa(h), Measures: m})
		}
	}
	put("hour", hours)
	for _, d := range s.Days {
		put("day", []report.Row{{Key: d.Day, Measures: report.Measures{N: d.N}}})
		for ch, n := range d.ByChannel {
			put("day:"+d.Day, []report.Row{{Key: ch, Measures: report.Measures{N: n}}})
		}
	}
	return out
}

// volumesOnly keeps only N in the hour dimension, the one a summary
// gives volumes for.
func volumesOnly(e map[string]map[string]report.Measures) {
	for v, m := range e["hour"] {
		e["hour"][v] = report.Measures{N: m.N}
	}
}

// walk drives one ticket through random actions its actors are allowed.
type walk struct {
	e      *env
	rnd    *rand.Rand
	merged int64 // a ticket to merge into
}

var (
	walkCategories = []string{"dat_dai", "hanh_chinh_cong", "xay_dung_nha_o"}
	walkAreas      = []string{"25747", "25942"}
	walkAgencies   = []string{"SXD", "UBND.TDM"}
	walkChannels   = []ticket.Channel{ticket.Phone, ticket.Zalo, ticket.Web, ticket.Email, ticket.WalkIn}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func (w *walk) input(a ticket.Action) ticket.Input {
	switch a {
	case ticket.Classify:
		return ticket.Input{Category: pick(w.rnd, walkCategories), Area: pick(w.rnd, walkAreas)}
	case ticket.Forward, ticket.Reassign:
		return ticket.Input{Agency: pick(w.rnd, walkAgencies)}
	case ticket.Return, ticket.DenyExtension, ticket.SendBack, ticket.Reopen, ticket.Refuse:
		return ticket.Input{Reason: "Lý do"}
	case ticket.RequestExtension:
		return ticket.Input{Until: w.e.clock.Now().Add(time.Duration(24+w.rnd.IntN(72)) * time.Hour), Reason: "Cần thêm thời gian"}
	case ticket.AnswerAction, ticket.Reply, ticket.Note:
		return ticket.Input{Text: "Nội dung trả lời"}
	case ticket.Merge:
		return ticket.Input{Into: strconv.FormatInt(w.merged, 10)}
	case ticket.Rate:
		return ticket.Input{Rating: 1 + w.rnd.IntN(5)}
	}
	return ticket.Input{}
}

// step takes one allowed action on ticket id by a random actor, or
// sweeps the SLA clock; it returns false when nobody could act.
func (w *walk) step(t *testing.T, id int64) bool {
	t.Helper()
	ctx := context.Background()
	w.e.clock.Advance(time.Duration(w.rnd.IntN(240)) * time.Minute)
	if w.rnd.IntN(6) == 0 {
		if _, _, err := w.e.Tickets.Sweep(ctx, ticket.SLARunner); err != nil {
			t.Fatal(err)
		}
		return true
	}
	tk, err := w.e.Tickets.Get(ctx, user.System, id)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"operator", "operator2", "supervisor", "sxd", "tdm"}
	w.rnd.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	for _, name := range names {
		actor := w.e.actors[name]
		var acts []ticket.Action
		for _, a := range ticket.Allowed(actor, tk) {
			if a != ticket.Merge || (w.merged != 0 && w.merged != id) {
				acts = append(acts, a)
			}
		}
		if len(acts) == 0 {
			continue
		}
		a := pick(w.rnd, acts)
		if _, err := w.e.Tickets.Do(ctx, actor, id, a, w.input(a)); err != nil {
			if errs.CodeOf(err) == errs.Invalid || errs.CodeOf(err) == errs.Conflict {
				return true // a random input the rules refuse (a merge into a closed ticket): nothing written
			}
			t.Fatalf("%s by %s on %s: %v", a, name, tk.State, err)
		}
		return true
	}
	return false
}

// The figures equal those computed from the raw tickets, for random
// tickets walked through random allowed actions and random ranges and
// filters, on both engines; before and after the deltas are folded; and a
// rebuild from scratch equals the sums kept as the tickets changed.
func TestFiguresEqualTheTickets(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		seed := uint64(time.Now().UnixNano())
		t.Logf("seed %d", seed)
		rnd := rand.New(rand.NewPCG(seed, 1022))
		base := time.Date(2026, 11, 20, 16, 0, 0, 0, time.UTC) // 23:00 local
		e := newEnv(t, d, base)
		w := &walk{e: e, rnd: rnd}
		ctx := context.Background()
		all := report.Filter{From: "2026-01-01", To: "2027-12-31"}
		viewer := e.actors["viewer"]
		for i := 0; i < 24; i++ {
			e.clock.Advance(time.Duration(rnd.IntN(480)) * time.Minute)
			nt := ticket.NewTicket{Channel: pick(rnd, walkChannels), Content: fmt.Sprintf("Phản ánh số %d về đường hỏng", i)}
			if rnd.IntN(2) == 0 {
				nt.Category, nt.Area = pick(rnd, walkCategories), pick(rnd, walkAreas)
			}
			c, err := e.Tickets.Create(ctx, e.actors["operator"], nt)
			if err != nil {
				t.Fatal(err)
			}
			if w.merged == 0 || rnd.IntN(4) == 0 {
				w.merged = c.Ticket.ID
			}
			for s := rnd.IntN(8); s > 0 && w.step(t, c.Ticket.ID); s-- {
				// After every change the totals equal the tickets'.
				sum, err := e.Reports.Summary(ctx, viewer, all)
				if err != nil {
					t.Fatal(err)
				}
				want := expected(mustRaw(t, d), all)
				var wantTotal report.Measures
				for _, m := range want["state"] {
					wantTotal.Add(m)
				}
				if sum.Total != wantTotal {
					t.Fatalf("ticket %d: totals %+v, from the tickets %+v", i, sum.Total, wantTotal)
				}
			}
		}
		tickets := mustRaw(t, d)
		states := map[string]int{}
		for _, r := range tickets {
			states[r.state]++
		}
		t.Logf("states %v", states)
		check := func(when string) {
			t.Helper()
			for r := 0; r < 40; r++ {
				from := base.AddDate(0, 0, rnd.IntN(12)-1).In(hcm).Format("2006-01-02")
				to := base.AddDate(0, 0, rnd.IntN(12)-1).In(hcm).Format("2006-01-02")
				if to < from {
					from, to = to, from
				}
				f := report.Filter{From: from, To: to}
				// Ranges with whole months, read from the sums by month,
				// without a filter, with each filter alone, with each pair
				// report_cube keeps, with others, and an agency's own view.
				filter := rnd.IntN(11)
				if wide := [][2]string{{"2026-11-01", "2026-11-30"}, {"2026-10-15", "2027-01-10"}, {"2026-11-01", "2026-12-02"}, {"2026-10-31", "2026-12-31"}}; r < 3*len(wide) {
					f.From, f.To, filter = wide[r%len(wide)][0], wide[r%len(wide)][1], r%11
				}
				actor := viewer
				switch filter {
				case 1:
					f.Channel = string(pick(rnd, walkChannels))
				case 2:
					f.Agency = pick(rnd, tickets).agency
				case 3:
					f.Category = pick(rnd, tickets).category
				case 4:
					f.Area = pick(rnd, tickets).area
				case 5: // a pair in report_cube
					f.Channel, f.Agency = string(pick(rnd, walkChannels)), pick(rnd, tickets).agency
				case 6: // a pair read from report_days
					tk := pick(rnd, tickets)
					f.Category, f.Area = tk.category, tk.area
				case 7: // a pair in report_cube
					tk := pick(rnd, tickets)
					f.Agency, f.Category = tk.agency, tk.category
				case 8: // three filters, from report_days
					tk := pick(rnd, tickets)
					f.Agency, f.Category, f.Channel = tk.agency, tk.category, tk.channel
				case 9: // an agency's own view and a channel: the pair
					actor = e.actors[pick(rnd, []string{"sxd", "tdm"})]
					f.Channel = string(pick(rnd, walkChannels))
				case 10: // an agency's own view and a category: the pair
					actor = e.actors[pick(rnd, []string{"sxd", "tdm"})]
					f.Category = pick(rnd, tickets).category
				}
				sum, err := e.Reports.Summary(ctx, actor, f)
				if err != nil {
					t.Fatal(err)
				}
				if actor.Is(user.Agency) {
					f.Agency = actor.AgencyID
				}
				want := expected(tickets, f)
				volumesOnly(want)
				if g := got(sum); !reflect.DeepEqual(g, want) {
					t.Fatalf("%s, %+v:\n got %v\nwant %v", when, f, g, want)
				}
			}
		}
		check("before folding")
		if _, err := e.Reports.Fold(ctx); err != nil {
			t.Fatal(err)
		}
		check("after folding")
		kept := mustSums(t, d)
		if len(kept) == 0 {
			t.Fatal("no sums were kept")
		}
		// Migration 0037 fills the pairs from report_days as the folder
		// keeps them.
		migration, err := os.ReadFile(filepath.Join("..", "db", "migrations", string(d.Dialect), "0037_report_cube_pairs.sql"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.W().ExecContext(ctx, `DELETE FROM report_cube WHERE fdim LIKE '%+%'`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W().ExecContext(ctx, string(migration)); err != nil {
			t.Fatal(err)
		}
		if filled := mustSums(t, d); !slices.Equal(kept, filled) {
			t.Fatalf("the pairs migration 0037 fills differ from the kept ones:\nkept   %v\nfilled %v", kept, filled)
		}
		if err := e.Reports.Rebuild(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if rebuilt := mustSums(t, d); !slices.Equal(kept, rebuilt) {
			t.Fatalf("rebuilt sums differ from the kept ones:\nkept    %v\nrebuilt %v", kept, rebuilt)
		}
		check("after rebuilding")
		// Deriving the sums again from the facts alone gives them again.
		if err := e.Reports.Rederive(ctx); err != nil {
			t.Fatal(err)
		}
		if derived := mustSums(t, d); !slices.Equal(kept, derived) {
			t.Fatalf("sums derived from the facts differ from the kept ones:\nkept    %v\nderived %v", kept, derived)
		}
	})
}

// mustSums reads every sum row, folded, in key order.
func mustSums(t *testing.T, d *db.DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT 'f', CAST(ticket_id AS TEXT), day || ' ' || CAST(hour AS TEXT) || ' ' || channel || ' ' || CAST(category_id AS TEXT) || ' ' || kind || ' ' || area_code || ' ' || CAST(agency_id AS TEXT) || ' ' || state, m FROM report_facts ORDER BY ticket_id`,
		`SELECT 'd', day || ' ' || CAST(hour AS TEXT) || ' ' || channel || ' ' || CAST(category_id AS TEXT) || ' ' || kind || ' ' || area_code || ' ' || CAST(agency_id AS TEXT) || ' ' || state, '',
			CAST(n AS TEXT) || ',' || CAST(resolved AS TEXT) || ',' || CAST(on_time AS TEXT) || ',' || CAST(due AS TEXT) || ',' || CAST(overdue AS TEXT) || ',' || CAST(h_sum AS TEXT) || ',' || CAST(fr_sum AS TEXT) || ',' || CAST(rating_sum AS TEXT)
			FROM report_days ORDER BY 2`,
		`SELECT 'm', day || ' ' || dim || ' ' || val, '',
			CAST(n AS TEXT) || ',' || CAST(resolved AS TEXT) || ',' || CAST(on_time AS TEXT) || ',' || CAST(due AS TEXT) || ',' || CAST(overdue AS TEXT) || ',' || CAST(h_sum AS TEXT) || ',' || CAST(fr_sum AS TEXT) || ',' || CAST(rating_sum AS TEXT)
			FROM report_dims ORDER BY 2`,
		`SELECT 'c', fdim || ' ' || fval || ' ' || day || ' ' || dim || ' ' || val, '',
			CAST(n AS TEXT) || ',' || CAST(resolved AS TEXT) || ',' || CAST(on_time AS TEXT) || ',' || CAST(due AS TEXT) || ',' || CAST(overdue AS TEXT) || ',' || CAST(h_sum AS TEXT) || ',' || CAST(fr_sum AS TEXT) || ',' || CAST(rating_sum AS TEXT) || ',' || CAST(h1 AS TEXT) || ',' || CAST(hmore AS TEXT) || ',' || CAST(direct AS TEXT)
			FROM report_cube ORDER BY 2`,
		`SELECT 'delta', CAST(count(*) AS TEXT), '', '' FROM report_delta`,
	} {
		rows, err := d.R().QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a, b, c, m string
			if err := rows.Scan(&a, &b, &c, &m); err != nil {
				t.Fatal(err)
			}
			out = append(out, a+" "+b+" "+c+" "+m)
		}
		rows.Close()
	}
	return out
}
