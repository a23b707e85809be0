// Package reports is the console's figures room (/console/reports): the
// leaders' dashboard of volumes, rates and rankings for a date range and
// the ticket list's filters, read from internal/report's sums. Every chart.Chart
// is server-rendered SVG with a table beside it, and every figure links to
// the inbox list of the tickets behind it.
package reports

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/report"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web"
	"github.com/hotline-1022/hotline/internal/web/chart"
)

//go:embed templates
var templates embed.FS

// Reports serves the dashboard.
type Reports struct {
	*web.Web
	Reports    *report.Store
	Categories *category.Store
}

// readers are the roles that see figures (report.MayRead narrows an
// agency to its own).
var readers = []user.Role{user.Admin, user.Supervisor, user.Viewer, user.Agency}

// Routes registers the dashboard.
func (w *Reports) Routes(rt *web.Router) {
	rt.Templates(templates, template.FuncMap{"dict": dict})
	rt.Page("GET /console/reports", readers, w.dashboard)
}

// filterKeys are the query parameters the dashboard shares with the
// inbox list.
var filterKeys = []string{"from", "to", "agency", "channel", "category", "area"}

// data is the dashboard page.
type data struct {
	Q            url.Values // the filter as given, to refill the form
	From, To     string     // the range shown
	Ranges       []link     // quick ranges
	Channels     []ticket.Channel
	Categories   []category.Category
	Agencies     []agency.Agency // empty for an agency user, who sees only its own
	Shown        bool            // figures are shown (the filter was accepted)
	Empty        bool            // no ticket in the range
	Cards        []card
	Volume       chart.Chart // by day or week, by channel
	Weekly       bool
	Hours        chart.Chart
	Categorys    chart.Chart
	Wards        chart.Chart
	WardRows     []unitRow
	FormerRows   []unitRow // the wards by former province; nil when they came from one
	DistrictRows []unitRow // the wards by former district; nil when they came from one
	AgencyRows   []unitRow
	Kinds        []countRow
	States       []countRow
	MinSample    int
	Legend       []legendItem
}

type link struct {
	Label, Href string
	Current     bool
}

// card is one headline figure with its definition.
type card struct {
	Label, Value, Detail, Def, Href string
}

type countRow struct {
	Label, Value, Href string
}

type legendItem struct {
	Label, Class, Channel string
}

func (w *Reports) dashboard(rw http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := w.NewPage(r, "reports.title", "reports")
	a := web.ActorOf(r)
	d := data{Q: q, Channels: ticket.Channels, MinSample: report.MinSample}
	var err error
	if d.Categories, err = w.Categories.List(r.Context(), false); err != nil {
		return err
	}
	if a.Role != user.Agency {
		if d.Agencies, err = w.Agencies.List(r.Context(), agency.ListOptions{}); err != nil {
			return err
		}
	}
	rq := report.Query{From: q.Get("from"), To: q.Get("to"), Agency: q.Get("agency"), Channel: q.Get("channel"),
		Category: q.Get("category"), Area: q.Get("area")}
	f, err := w.Reports.Parse(r.Context(), rq, w.Today())
	var sum report.Summary
	if err == nil {
		sum, err = w.Reports.Summary(r.Context(), a, f)
	}
	status, err := p.FilterError(err)
	if err != nil {
		return err
	}
	d.Ranges = w.ranges(q, f)
	if status == http.StatusOK {
		labels, err := w.Reports.Labels(r.Context(), sum)
		if err != nil {
			return err
		}
		d.Shown, d.From, d.To = true, f.From, f.To
		d.Empty = sum.Total.N == 0
		v := &view{p: p, q: q, f: f, sum: sum, labels: labels}
		v.fill(&d)
	}
	p.Data = d
	w.Render(rw, r, status, "reports", p)
	return nil
}

// ranges are the quick ranges: the last 7 and 30 days, this month, the
// last month, this year, each keeping the other filters.
func (w *Reports) ranges(q url.Values, f report.Filter) []link {
	today, _ := time.Parse(time.DateOnly, w.Today())
	first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	rs := []struct{ key, from, to string }{
		{"reports.range.7d", day(today.AddDate(0, 0, -6)), day(today)},
		{"reports.range.30d", day(today.AddDate(0, 0, -29)), day(today)},
		{"reports.range.month", day(first), day(today)},
		{"reports.range.last_month", day(first.AddDate(0, -1, 0)), day(first.AddDate(0, 0, -1))},
		{"reports.range.year", strconv.Itoa(today.Year()) + "-01-01", day(today)},
	}
	var out []link
	for _, x := range rs {
		nq := keep(q)
		nq.Set("from", x.from)
		nq.Set("to", x.to)
		out = append(out, link{Label: x.key, Href: "/console/reports?" + nq.Encode(), Current: f.From == x.from && f.To == x.to})
	}
	return out
}

// keep copies the filter parameters of q.
func keep(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range filterKeys {
		if v := q.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

// dict makes a map of key, value pairs, for a partial that needs more
// than one value.
func dict(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			m[k] = kv[i+1]
		}
	}
	return m
}
