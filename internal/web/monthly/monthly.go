// Package monthly is the statutory monthly report (báo cáo tháng): one
// month's figures on one page that prints to PDF from the browser, for
// supervisors, leaders and admins. The figures are report.Store.Summary's,
// read from the sums kept as tickets change, the same as the dashboard's
// and the API's.
package monthly

import (
	"embed"
	"encoding/csv"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/report"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web"
)

//go:embed templates
var templates embed.FS

// Monthly serves the monthly report.
type Monthly struct {
	*web.Web
	Reports    *report.Store
	Categories *category.Store
}

// readers are who the report is for.
var readers = []user.Role{user.Admin, user.Supervisor, user.Viewer}

// Routes registers the report's page.
func (m *Monthly) Routes(rt *web.Router) {
	rt.Templates(templates, nil)
	rt.Page("GET /console/reports/monthly", readers, m.month)
	rt.Page("GET /console/reports/monthly.csv", readers, m.monthCSV)
}

// line is one row of a table (a channel, an agency or a category) or the
// totals, its figures written in the page's language.
type line struct {
	Name                                string
	Received, Answered, OnTime, Overdue string // "8.755"
	Resolution, OnTimeRate              string // "92,5 %"; "–" when nothing counts
	m                                   report.Measures
}

// table is one breakdown: its element id, heading and first column's
// message keys, and its rows.
type table struct {
	ID, Head, Col string
	Rows          []line
}

// monthData is the page.
type monthData struct {
	Month       string // YYYY-MM
	Prev, Next  string // the neighbouring months, "" past the current one
	First, Last time.Time
	Through     time.Time // the last day counted: the month's, or today while it runs
	Total       line
	Tables      []table // by channel, by agency, by category
	Empty       bool
	ExportCSV   string
	ExportXLSX  string
	FiguresCSV  string // this page's tables as CSV
	Generated   time.Time
}

// parseMonth reads ?month=YYYY-MM; none is the current month.
func parseMonth(v string, now time.Time) (time.Time, error) {
	if v == "" {
		n := now.In(clock.Zone)
		return time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, clock.Zone), nil
	}
	m, err := time.ParseInLocation("2006-01", v, clock.Zone)
	if err != nil || m.Year() < 2000 || m.Year() > 2100 {
		return time.Time{}, errs.Invalidf("monthly.month_invalid").InField("month")
	}
	return m, nil
}

func (m *Monthly) month(rw http.ResponseWriter, r *http.Request) error {
	p := m.NewPage(r, "monthly.title", "monthly")
	status := http.StatusOK
	month := r.URL.Query().Get("month")
	if _, err := parseMonth(month, m.Clock.Now()); err != nil {
		p.Errors["month"] = p.Err(err)
		month, status = "", http.StatusBadRequest
	}
	d, err := m.build(r, p, month)
	if err != nil {
		return err
	}
	p.Data = d
	m.Render(rw, r, status, "monthly", p)
	return nil
}

// monthCSV serves the report's tables as one CSV (the aggregates'
// export): a line per row of each table and the totals, counts as
// numbers, rates as the page shows them, in the reader's language.
func (m *Monthly) monthCSV(rw http.ResponseWriter, r *http.Request) error {
	p := m.NewPage(r, "monthly.title", "monthly")
	d, err := m.build(r, p, r.URL.Query().Get("month"))
	if err != nil {
		return err
	}
	h := rw.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="bao-cao-thang-`+d.Month+`.csv"`)
	h.Set("Cache-Control", "no-store")
	_, _ = io.WriteString(rw, "\uFEFF") // Excel reads UTF-8 only with it
	w := csv.NewWriter(rw)
	_ = w.Write([]string{p.T("monthly.table"), p.T("monthly.name"), p.T("monthly.received"), p.T("monthly.answered"),
		p.T("monthly.on_time"), p.T("monthly.overdue"), p.T("monthly.resolution_rate"), p.T("monthly.on_time_rate")})
	write := func(section string, l line) {
		n := func(v int64) string { return strconv.FormatInt(v, 10) }
		_ = w.Write([]string{section, l.Name, n(l.m.N), n(l.m.Resolved), n(l.m.OnTime), n(l.m.Overdue), l.Resolution, l.OnTimeRate})
	}
	write(p.T("monthly.totals"), d.Total)
	for _, t := range d.Tables {
		for _, l := range t.Rows {
			write(p.T(t.Head), l)
		}
	}
	w.Flush()
	return w.Error()
}

// build reads month's figures (YYYY-MM, "" for the current month) for
// the page and its CSV.
func (m *Monthly) build(r *http.Request, p *web.Page, month string) (monthData, error) {
	a := web.ActorOf(r)
	now := m.Clock.Now()
	first, err := parseMonth(month, now)
	if err != nil {
		return monthData{}, err
	}
	last := first.AddDate(0, 1, -1)
	d := monthData{Month: first.Format("2006-01"), First: first, Last: last, Through: last, Generated: now,
		Prev: first.AddDate(0, -1, 0).Format("2006-01")}
	if today := now.In(clock.Zone); today.Before(last.AddDate(0, 0, 1)) {
		d.Through = today
	} else {
		d.Next = first.AddDate(0, 1, 0).Format("2006-01")
	}
	sum, err := m.Reports.Summary(r.Context(), a, report.Filter{From: clock.Day(first), To: clock.Day(last)})
	if err != nil {
		return d, err
	}
	lang := string(p.Lang)
	d.Total = newLine(p.Lang, "", sum.Total)
	d.Empty = sum.Total.N == 0
	names := map[string]string{}
	for _, row := range sum.ByChannel {
		names[row.Key] = p.T("channel." + row.Key)
	}
	channels := named(p.Lang, sum.ByChannel, names)
	agencies, err := m.Agencies.List(r.Context(), agency.ListOptions{})
	if err != nil {
		return d, err
	}
	names = map[string]string{"0": p.T("monthly.no_agency")}
	for _, ag := range agencies {
		names[strconv.FormatInt(ag.ID, 10)] = ag.NameIn(lang)
	}
	byAgency := named(p.Lang, sum.ByAgency, names)
	cats, err := m.Categories.List(r.Context(), true)
	if err != nil {
		return d, err
	}
	names = map[string]string{"0": p.T("monthly.no_category")}
	for _, c := range cats {
		names[strconv.FormatInt(c.ID, 10)] = c.Name(lang)
	}
	d.Tables = []table{
		{ID: "by-channel", Head: "monthly.by_channel", Col: "monthly.channel", Rows: channels},
		{ID: "by-agency", Head: "monthly.by_agency", Col: "monthly.agency", Rows: byAgency},
		{ID: "by-category", Head: "monthly.by_category", Col: "monthly.category", Rows: named(p.Lang, sum.ByCategory, names)},
	}
	q := "from=" + clock.Day(first) + "&to=" + clock.Day(last) + "&lang=" + lang
	d.ExportCSV, d.ExportXLSX = "/api/v1/exports/tickets.csv?"+q, "/api/v1/exports/tickets.xlsx?"+q
	d.FiguresCSV = "/console/reports/monthly.csv?month=" + d.Month
	return d, nil
}

// named gives rows their names, in the summary's order (largest first).
func named(lang i18n.Lang, rows []report.Row, names map[string]string) []line {
	out := make([]line, 0, len(rows))
	for _, row := range rows {
		name, ok := names[row.Key]
		if !ok {
			name = row.Key
		}
		out = append(out, newLine(lang, name, row.Measures))
	}
	return out
}

func newLine(lang i18n.Lang, name string, m report.Measures) line {
	n := func(v int64) string { return i18n.FormatNumber(lang, v) }
	l := line{Name: name, m: m, Received: n(m.N), Answered: n(m.Resolved), OnTime: n(m.OnTime), Overdue: n(m.Overdue)}
	l.Resolution = percent(lang, m.ResolutionRate)
	l.OnTimeRate = percent(lang, m.OnTimeRate)
	return l
}

// percent shows a rate with one decimal: "92,5 %" in Vietnamese, "92.5%"
// in English; "–" when there is nothing to divide by.
func percent(lang i18n.Lang, rate func() (float64, bool)) string {
	r, ok := rate()
	if !ok {
		return "–"
	}
	s := strconv.FormatFloat(r*100, 'f', 1, 64)
	if lang == i18n.EN {
		return s + "%"
	}
	return strings.Replace(s, ".", ",", 1) + " %"
}
