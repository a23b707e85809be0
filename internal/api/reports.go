package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/report"
)

// FiguresJSON are the figures of one group of tickets (all, a channel, an
// agency…), with the rates as fractions (null when nothing counts) and
// times in seconds.
type FiguresJSON struct {
	Received           int64    `json:"received"`
	Answered           int64    `json:"answered"`
	AnsweredDirectly   int64    `json:"answered_directly"`
	Forwarded          int64    `json:"forwarded"`
	Due                int64    `json:"due"`
	OnTime             int64    `json:"on_time"`
	OnTimeRate         *float64 `json:"on_time_rate"`
	ResolutionRate     *float64 `json:"resolution_rate"`
	OverdueNow         int64    `json:"overdue_now"`
	AvgHandlingSeconds *int64   `json:"avg_handling_seconds"`
	P90HandlingSeconds *int64   `json:"p90_handling_seconds"`
	P90Over            bool     `json:"p90_over,omitempty"`
	Returned           int64    `json:"returned"`
	ReturnedRate       *float64 `json:"returned_rate"`
	Extensions         int64    `json:"extensions"`
	Rated              int64    `json:"rated"`
	Satisfaction       *float64 `json:"satisfaction"`
	FirstResponseAvg   *int64   `json:"first_response_avg_seconds"`
}

func figuresJSON(m report.Measures) FiguresJSON {
	rate := func(v float64, ok bool) *float64 {
		if !ok {
			return nil
		}
		return &v
	}
	out := FiguresJSON{Received: m.N, Answered: m.Resolved, AnsweredDirectly: m.Direct, Forwarded: m.Forwarded, Due: m.Due,
		OnTime: m.OnTime, OverdueNow: m.Overdue, Returned: m.Returned, Extensions: m.Extended, Rated: m.Rated}
	out.OnTimeRate = rate(m.OnTimeRate())
	out.ResolutionRate = rate(m.ResolutionRate())
	out.ReturnedRate = rate(m.ReturnedRate())
	out.Satisfaction = rate(m.Satisfaction())
	if d, ok := m.AvgHandling(); ok {
		s := int64(d.Seconds())
		out.AvgHandlingSeconds = &s
	}
	if d, more, ok := m.P90Handling(); ok {
		s := int64(d.Seconds())
		out.P90HandlingSeconds, out.P90Over = &s, more
	}
	if d, ok := m.AvgFirstResponse(); ok {
		s := int64(d.Seconds())
		out.FirstResponseAvg = &s
	}
	return out
}

// BreakdownJSON is one value of a breakdown with its figures; key is
// empty (and ref absent) for tickets without one (not yet classified or
// forwarded).
type BreakdownJSON struct {
	Key string   `json:"key"`
	Ref *RefJSON `json:"ref,omitempty"`
	FiguresJSON
}

// SummaryJSON is GET /api/v1/reports/summary.
type SummaryJSON struct {
	From        string            `json:"from"`
	To          string            `json:"to"`
	Filters     map[string]string `json:"filters"`
	Definitions map[string]string `json:"definitions"`
	MinSample   int               `json:"min_sample"`
	Total       FiguresJSON       `json:"total"`
	ByChannel   []BreakdownJSON   `json:"by_channel"`
	ByState     []BreakdownJSON   `json:"by_state"`
	ByKind      []BreakdownJSON   `json:"by_kind"`
	ByAgency    []BreakdownJSON   `json:"by_agency"`
	ByCategory  []BreakdownJSON   `json:"by_category"`
	ByArea      []BreakdownJSON   `json:"by_area"`
	ByFormer    []BreakdownJSON   `json:"by_former_province"`
	ByDistrict  []BreakdownJSON   `json:"by_former_district"`
	ByHour      [24]int64         `json:"by_hour"`
	ByDay       []DayJSON         `json:"by_day"`
}

// DayJSON is one local day's volume by channel.
type DayJSON struct {
	Day       string           `json:"day"`
	Received  int64            `json:"received"`
	ByChannel map[string]int64 `json:"by_channel"`
}

// reportQuery reads the ticket list's filters that figures take.
func reportQuery(r *http.Request) report.Query {
	q := r.URL.Query()
	return report.Query{From: q.Get("from"), To: q.Get("to"), Agency: q.Get("agency"), Channel: q.Get("channel"),
		Category: q.Get("category"), Area: q.Get("area")}
}

func (a *API) reportSummary(w http.ResponseWriter, r *http.Request) error {
	if a.Reports == nil {
		return errs.E(errs.Unavailable, "error.unavailable")
	}
	act := actor(r)
	if !report.MayRead(act) {
		return errs.Forbiddenf("report.forbidden")
	}
	q := reportQuery(r)
	f, err := a.Reports.Parse(r.Context(), q, clock.Day(a.Now()))
	if err != nil {
		return err
	}
	sum, err := a.Reports.Summary(r.Context(), act, f)
	if err != nil {
		return err
	}
	labels, err := a.Reports.Labels(r.Context(), sum)
	if err != nil {
		return err
	}
	l := lang(r)
	out := SummaryJSON{From: f.From, To: f.To, Filters: map[string]string{}, MinSample: report.MinSample, Total: figuresJSON(sum.Total),
		ByHour: sum.Hours, Definitions: map[string]string{
			"on_time_rate":    a.Catalog.T(l, "report.def.on_time"),
			"resolution_rate": a.Catalog.T(l, "report.def.resolution"),
			"p90_handling":    a.Catalog.T(l, "report.def.p90"),
			"first_response":  a.Catalog.T(l, "report.def.first_response"),
		}}
	for k, v := range map[string]string{"agency": q.Agency, "channel": q.Channel, "category": q.Category, "area": q.Area} {
		if v != "" {
			out.Filters[k] = v
		}
	}
	if sum.Filter.Agency != 0 && q.Agency == "" { // an agency user's own
		out.Filters["agency"] = labels.Agencies[sum.Filter.Agency].Code
	}
	plain := func(rows []report.Row) []BreakdownJSON {
		out := make([]BreakdownJSON, 0, len(rows))
		for _, r := range rows {
			out = append(out, BreakdownJSON{Key: r.Key, FiguresJSON: figuresJSON(r.Measures)})
		}
		return out
	}
	byID := func(rows []report.Row, refs map[int64]report.Ref, en bool) []BreakdownJSON {
		out := make([]BreakdownJSON, 0, len(rows))
		for _, r := range rows {
			b := BreakdownJSON{FiguresJSON: figuresJSON(r.Measures)}
			if id, _ := strconv.ParseInt(r.Key, 10, 64); id != 0 {
				ref := refs[id]
				name := ref.Name
				if en && ref.NameEn != "" {
					name = ref.NameEn
				}
				b.Key, b.Ref = ref.Code, &RefJSON{Code: ref.Code, Name: name}
			}
			out = append(out, b)
		}
		return out
	}
	out.ByChannel, out.ByState, out.ByKind = plain(sum.ByChannel), plain(sum.ByState), plain(sum.ByKind)
	out.ByAgency = byID(sum.ByAgency, labels.Agencies, false)
	out.ByCategory = byID(sum.ByCategory, labels.Categories, l == i18n.EN)
	out.ByArea = plain(sum.ByArea)
	for i := range out.ByArea {
		if ref, ok := labels.Areas[out.ByArea[i].Key]; ok {
			out.ByArea[i].Ref = &RefJSON{Code: ref.Code, Name: ref.Name}
		}
	}
	out.ByFormer = plain(report.ByFormer(sum.ByArea, labels.Former, report.FormerProvince))
	for i := range out.ByFormer {
		if name, ok := area.FormerProvinces[out.ByFormer[i].Key]; ok {
			out.ByFormer[i].Ref = &RefJSON{Code: out.ByFormer[i].Key, Name: name}
		}
	}
	out.ByDistrict = plain(report.ByFormer(sum.ByArea, labels.Former, report.FormerDistrict))
	for i := range out.ByDistrict {
		if prov, district, ok := strings.Cut(out.ByDistrict[i].Key, "|"); ok {
			out.ByDistrict[i].Ref = &RefJSON{Code: out.ByDistrict[i].Key, Name: district + ", " + area.FormerProvinces[prov]}
		}
	}
	out.ByDay = make([]DayJSON, 0, len(sum.Days))
	for _, d := range sum.Days {
		out.ByDay = append(out.ByDay, DayJSON{Day: d.Day, Received: d.N, ByChannel: d.ByChannel})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
