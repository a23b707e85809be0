package reports

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/report"
	"github.com/hotline-1022/hotline/internal/web"
	"github.com/hotline-1022/hotline/internal/web/chart"
)

// view turns a summary into the page's figures, in the page's language,
// each with its link to the inbox.
type view struct {
	p      *web.Page
	q      url.Values
	f      report.Filter
	sum    report.Summary
	labels report.Labels
}

// unitRow is one agency or ward of a ranking table.
type unitRow struct {
	Rank                                                          int // 0: too few tickets due to rank
	Label, Href, Received, Answered, OnTime, Overdue, OverdueHref string
	AvgHandling, P90, Returned, Extensions, Satisfaction          string
}

// inbox links to the inbox list of the tickets received in the range
// with the dashboard's filters, changed by set (key, value pairs).
func (v *view) inbox(set ...string) string {
	q := url.Values{"tab": {"all"}, "from": {v.f.From}, "to": {v.f.To}}
	for _, k := range []string{"agency", "channel", "category", "area"} {
		if x := v.q.Get(k); x != "" {
			q.Set(k, x)
		}
	}
	for i := 0; i+1 < len(set); i += 2 {
		if set[i+1] == "" {
			q.Del(set[i])
		} else {
			q.Set(set[i], set[i+1])
		}
	}
	return "/console?" + q.Encode()
}

func (v *view) num(n int64) string { return v.p.Number(int(n)) }

// pct is a rate as a percentage, "—" when nothing counts.
func (v *view) pct(rate float64, ok bool) string { return v.p.Percent(rate, ok) }

func (v *view) dur(d time.Duration, ok bool) string {
	if !ok {
		return "—"
	}
	m := int64(d / time.Minute)
	if m < 60 {
		return v.p.T("reports.minutes", "m", strconv.FormatInt(m, 10))
	}
	return v.p.T("reports.hours_minutes", "h", strconv.FormatInt(m/60, 10), "m", strconv.FormatInt(m%60, 10))
}

func (v *view) p90(m report.Measures) string {
	b, more, ok := m.P90Handling()
	if !ok {
		return "—"
	}
	h := strconv.Itoa(int(b / time.Hour))
	if more {
		return v.p.T("reports.p90_over", "h", h)
	}
	return v.p.T("reports.p90_within", "h", h)
}

func (v *view) satisfaction(m report.Measures) string {
	s, ok := m.Satisfaction()
	if !ok {
		return "—"
	}
	out := strconv.FormatFloat(s, 'f', 1, 64)
	if v.p.Lang == i18n.VI {
		out = strings.Replace(out, ".", ",", 1)
	}
	return out + " / 5"
}

func (v *view) fill(d *data) {
	t := v.sum.Total
	d.Cards = []card{
		{Label: v.p.T("reports.received"), Value: v.num(t.N), Href: v.inbox()},
		{Label: v.p.T("reports.resolution_rate"), Value: v.pct(t.ResolutionRate()), Detail: v.p.T("reports.of", "a", v.num(t.Resolved), "b", v.num(t.N)),
			Def: v.p.T("report.def.resolution"), Href: v.inbox()},
		{Label: v.p.T("reports.on_time_rate"), Value: v.pct(t.OnTimeRate()), Detail: v.p.T("reports.of", "a", v.num(t.OnTime), "b", v.num(t.Due)),
			Def: v.p.T("report.def.on_time"), Href: v.inbox()},
		{Label: v.p.T("reports.overdue_now"), Value: v.num(t.Overdue), Href: v.inbox("sla", "overdue")},
		{Label: v.p.T("reports.first_response"), Value: v.dur(t.AvgFirstResponse()), Def: v.p.T("report.def.first_response"), Href: v.inbox()},
		{Label: v.p.T("reports.handling"), Value: v.dur(t.AvgHandling()), Detail: v.p90(t), Def: v.p.T("report.def.p90"), Href: v.inbox()},
		{Label: v.p.T("reports.direct"), Value: v.num(t.Direct), Detail: v.p.T("reports.forwarded_n", "n", v.num(t.Forwarded)), Href: v.inbox()},
		{Label: v.p.T("reports.satisfaction"), Value: v.satisfaction(t), Detail: v.p.T("reports.rated_n", "n", v.num(t.Rated)), Href: v.inbox()},
	}
	d.Volume, d.Weekly, d.Legend = v.volume()
	d.Hours = v.hours()
	d.Categorys = v.categories()
	d.Wards, d.WardRows = v.wards()
	d.FormerRows = v.former()
	d.DistrictRows = v.formerDistricts()
	d.AgencyRows = v.agencies()
	for _, r := range v.sum.ByKind {
		d.Kinds = append(d.Kinds, countRow{Label: v.p.T("kind." + r.Key), Value: v.num(r.N), Href: v.inbox()})
	}
	for _, r := range v.sum.ByState {
		d.States = append(d.States, countRow{Label: v.p.T("state." + r.Key), Value: v.num(r.N), Href: v.inbox("state", r.Key)})
	}
}

// unit is one agency's or ward's row.
func (v *view) unit(rank int, label, href, overdueHref string, m report.Measures) unitRow {
	return unitRow{Rank: rank, Label: label, Href: href, Received: v.num(m.N), Answered: v.num(m.Resolved), OnTime: v.pct(m.OnTimeRate()),
		Overdue: v.num(m.Overdue), OverdueHref: overdueHref, AvgHandling: v.dur(m.AvgHandling()), P90: v.p90(m),
		Returned: v.pct(m.ReturnedRate()), Extensions: v.num(m.Extended), Satisfaction: v.satisfaction(m)}
}

// ranked lists rows with enough tickets due by rank (best first, or
// worst first), then the others by volume.
func ranked(rows []report.Row, worstFirst bool) (out []report.Row, ranks []int) {
	r := report.Ranked(rows)
	if worstFirst {
		slices.Reverse(r)
	}
	in := map[string]bool{}
	for i, x := range r {
		out, ranks = append(out, x), append(ranks, i+1)
		in[x.Key] = true
	}
	for _, x := range rows {
		if !in[x.Key] {
			out, ranks = append(out, x), append(ranks, 0)
		}
	}
	return out, ranks
}

func (v *view) agencies() []unitRow {
	rows, ranks := ranked(v.sum.ByAgency, false)
	var out []unitRow
	for i, r := range rows {
		id, _ := strconv.ParseInt(r.Key, 10, 64)
		label, code := v.p.T("reports.no_agency"), ""
		if ref, ok := v.labels.Agencies[id]; ok && id != 0 {
			label, code = ref.Name, ref.Code
		}
		href, over := v.inbox("agency", code), v.inbox("agency", code, "sla", "overdue") // none: the whole list
		out = append(out, v.unit(ranks[i], label, href, over, r.Measures))
	}
	return out
}

func (v *view) wardName(code string) string {
	if code == "" {
		return v.p.T("reports.no_area")
	}
	if ref, ok := v.labels.Areas[code]; ok {
		return ref.Name
	}
	return code
}

// wards are the wards worst on-time rate first (those with enough
// tickets due), then the others by volume; the chart shows each ward's
// volume in that order.
func (v *view) wards() (chart.Chart, []unitRow) {
	rows, ranks := ranked(v.sum.ByArea, true)
	var out []unitRow
	var bars []chart.Bar
	for i, r := range rows {
		name := v.wardName(r.Key)
		href := v.inbox("area", r.Key)
		out = append(out, v.unit(ranks[i], name, href, v.inbox("area", r.Key, "sla", "overdue"), r.Measures))
		if i < chart.MaxBars {
			bars = append(bars, chart.Bar{Label: name, N: r.N, Href: href, Title: name + ": " + v.num(r.N) + " · " + v.pct(r.OnTimeRate())})
		}
	}
	return chart.HBars(bars, v.p.T("reports.chart.wards")), out
}

// former groups the wards by the province they belonged to before July
// 2025, worst on-time rate first like the wards, when they came from more
// than one: for Hồ Chí Minh City, former Bình Dương and Bà Rịa - Vũng Tàu
// beside the city itself. A group's figures drill down through its wards
// in the table below it: the inbox filters by one ward.
func (v *view) former() []unitRow {
	return v.formerRows(report.FormerProvince, func(key string) (string, bool) {
		name, ok := area.FormerProvinces[key]
		return v.p.T("reports.former_province", "name", name), ok
	})
}

// formerDistricts groups the wards by the district (quận, huyện, thị xã,
// thành phố thuộc tỉnh) they belonged to before July 2025, when the
// district level was abolished: "Thành phố Thủ Dầu Một, Bình Dương (cũ)".
func (v *view) formerDistricts() []unitRow {
	return v.formerRows(report.FormerDistrict, func(key string) (string, bool) {
		prov, district, ok := strings.Cut(key, "|")
		return v.p.T("reports.former_district", "name", district, "province", area.FormerProvinces[prov]), ok
	})
}

// formerRows sums the wards by key, ranked like the wards, labelled by
// label (false: the wards with no former unit); nil when they came from
// one unit.
func (v *view) formerRows(key func(report.FormerUnit) string, label func(string) (string, bool)) []unitRow {
	groups := report.ByFormer(v.sum.ByArea, v.labels.Former, key)
	if len(groups) < 2 {
		return nil
	}
	rows, ranks := ranked(groups, true)
	var out []unitRow
	for i, r := range rows {
		name, ok := label(r.Key)
		if !ok {
			name = v.p.T("reports.former_unknown")
		}
		out = append(out, v.unit(ranks[i], name, "", "", r.Measures))
	}
	return out
}

func (v *view) categories() chart.Chart {
	var bars []chart.Bar
	for i, r := range v.sum.ByCategory {
		if i == chart.MaxBars {
			break
		}
		id, _ := strconv.ParseInt(r.Key, 10, 64)
		name, code := v.p.T("reports.no_category"), ""
		if ref, ok := v.labels.Categories[id]; ok && id != 0 {
			name, code = ref.Name, ref.Code
			if v.p.Lang == i18n.EN && ref.NameEn != "" {
				name = ref.NameEn
			}
		}
		href := v.inbox("category", code) // none: the whole list
		bars = append(bars, chart.Bar{Label: name, N: r.N, Href: href, Title: name + ": " + v.num(r.N)})
	}
	return chart.HBars(bars, v.p.T("reports.chart.categories"))
}

func (v *view) hours() chart.Chart {
	var cols []chart.Column
	for h, n := range v.sum.Hours {
		label := strconv.Itoa(h)
		cols = append(cols, chart.Column{Label: label, Title: v.p.T("reports.hour", "h", label) + ": " + v.num(n), Href: v.inbox(),
			Parts: []chart.Part{{N: n, Class: "bar"}}})
	}
	return chart.Columns(cols, v.p.T("reports.chart.hours"), 3)
}

// volume is the volume by day, or by week (from Monday) for ranges over
// nine weeks, stacked by channel.
func (v *view) volume() (chart.Chart, bool, []legendItem) {
	from, _ := time.Parse(time.DateOnly, v.f.From)
	to, _ := time.Parse(time.DateOnly, v.f.To)
	weekly := to.Sub(from) > 63*24*time.Hour
	byDay := map[string]report.Day{}
	for _, d := range v.sum.Days {
		byDay[d.Day] = d
	}
	var channels []string
	for _, r := range v.sum.ByChannel {
		channels = append(channels, r.Key)
	}
	var cols []chart.Column
	for start := from; !start.After(to); {
		end := start
		if weekly {
			end = start.AddDate(0, 0, 6-(int(start.Weekday())+6)%7) // to Sunday
			if end.After(to) {
				end = to
			}
		}
		counts := map[string]int64{}
		var n int64
		for day := start; !day.After(end); day = day.AddDate(0, 0, 1) {
			for ch, c := range byDay[day.Format(time.DateOnly)].ByChannel {
				counts[ch] += c
				n += c
			}
		}
		s, e := start.Format(time.DateOnly), end.Format(time.DateOnly)
		label := start.Format("02/01")
		q := url.Values{"tab": {"all"}, "from": {s}, "to": {e}}
		for _, k := range []string{"agency", "channel", "category", "area"} {
			if x := v.q.Get(k); x != "" {
				q.Set(k, x)
			}
		}
		c := chart.Column{Label: label, Title: v.p.Day(s) + ": " + v.num(n), Href: "/console?" + q.Encode(), Day: s, End: e}
		if weekly {
			c.Title = v.p.Day(s) + " – " + v.p.Day(e) + ": " + v.num(n)
		}
		for _, ch := range channels {
			c.Parts = append(c.Parts, chart.Part{N: counts[ch], Class: "ch-" + ch, Channel: ch})
		}
		cols = append(cols, c)
		start = end.AddDate(0, 0, 1)
	}
	step := 1
	if len(cols) > 16 {
		step = (len(cols) + 11) / 12
	}
	var legend []legendItem
	for _, ch := range channels {
		legend = append(legend, legendItem{Label: v.p.T("channel." + ch), Class: "ch-" + ch, Channel: ch})
	}
	return chart.Columns(cols, v.p.T("reports.chart.volume"), step), weekly, legend
}
