package portal

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/hotline-1022/hotline/internal/report"
	"github.com/hotline-1022/hotline/internal/web/chart"
)

// The public statistics, /stats: the last twelve months' volumes by
// channel and by category and the resolution and on-time rates, as SVG
// charts each beside a table of the same numbers. They name no agency,
// ward or person (internal/report's Public). The figures are read at most
// once every statsTTL: the page is public and the sums change slowly.

const statsTTL = 5 * time.Minute

// statsCache keeps the last figures read, by the day they were read for.
type statsCache struct {
	mu   sync.Mutex
	day  string
	at   time.Time
	figs report.Public
}

func (c *statsCache) get(ctx context.Context, s *report.Store, today string, now time.Time) (report.Public, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.day == today && now.Sub(c.at) < statsTTL {
		return c.figs, nil
	}
	figs, err := s.Public(ctx, today, report.PublicMonths)
	if err != nil {
		return report.Public{}, err
	}
	c.day, c.at, c.figs = today, now, figs
	return figs, nil
}

// statsMonth is a row of the months' table.
type statsMonth struct {
	Label, Received, Resolved, Resolution, OnTime string
}

// statsShare is a row of the channels' or the categories' table.
type statsShare struct {
	Label, N, Share string
}

// legendItem names a channel's colour in the volume chart.
type legendItem struct {
	Class, Name string
}

// statsData is the /stats page.
type statsData struct {
	From, To           string
	Received           string
	Resolution, OnTime string
	Direct             string // share of the resolved answered by the desk itself
	Volume, Categories chart.Chart
	Legend             []legendItem
	Months             []statsMonth
	Channels           []statsShare
	CategoryRows       []statsShare
	Empty              bool
}

func (p *Portal) stats(w http.ResponseWriter, r *http.Request) error {
	pg := p.page(w, r, "stats.title")
	pg.Nav = "stats"
	figs, err := p.statsCache.get(r.Context(), p.Reports, p.Today(), p.Now())
	if err != nil {
		return err
	}
	lang := string(pg.Lang)
	num := func(n int64) string { return pg.Number(int(n)) }
	share := func(n, of int64) string { return pg.Percent(float64(n)/float64(max(of, 1)), of > 0) }
	t := figs.Total
	d := statsData{From: pg.Day(figs.From), To: pg.Day(figs.To), Received: num(t.N), Empty: t.N == 0}
	d.Resolution = pg.Percent(t.ResolutionRate())
	d.OnTime = pg.Percent(t.OnTimeRate())
	d.Direct = share(t.Direct, t.Resolved)

	// Channels in the order of their volume over the period, for the
	// stacks and the legend.
	var channels []string
	for _, row := range figs.ByChannel {
		channels = append(channels, row.Key)
		d.Channels = append(d.Channels, statsShare{Label: pg.T("channel." + row.Key), N: num(row.N), Share: share(row.N, t.N)})
	}
	var cols []chart.Column
	for _, m := range figs.Months {
		label := monthLabel(m.Month)
		c := chart.Column{Label: label, Title: label + ": " + num(m.Total.N), Day: m.From, End: m.To}
		for _, ch := range channels {
			c.Parts = append(c.Parts, chart.Part{N: m.ByChannel[ch], Class: "ch-" + ch, Channel: ch})
		}
		cols = append(cols, c)
		d.Months = append(d.Months, statsMonth{Label: label, Received: num(m.Total.N), Resolved: num(m.Total.Resolved),
			Resolution: pg.Percent(m.Total.ResolutionRate()), OnTime: pg.Percent(m.Total.OnTimeRate())})
	}
	d.Volume = chart.Columns(cols, pg.T("stats.chart.volume"), 1)
	for _, ch := range channels {
		d.Legend = append(d.Legend, legendItem{Class: "ch-" + ch, Name: pg.T("channel." + ch)})
	}

	cats, err := p.Categories.List(r.Context(), false)
	if err != nil {
		return err
	}
	names := map[string]string{"0": pg.T("stats.no_category")}
	for _, c := range cats {
		names[strconv.FormatInt(c.ID, 10)] = c.Name(lang)
	}
	var bars []chart.Bar
	for i, row := range figs.ByCategory {
		name, ok := names[row.Key]
		if !ok {
			name = names["0"]
		}
		d.CategoryRows = append(d.CategoryRows, statsShare{Label: name, N: num(row.N), Share: share(row.N, t.N)})
		if i < chart.MaxBars {
			bars = append(bars, chart.Bar{Label: name, N: row.N, Title: name + ": " + num(row.N)})
		}
	}
	d.Categories = chart.HBars(bars, pg.T("stats.chart.categories"))
	pg.Data = d
	w.Header().Set("Cache-Control", "public, max-age=300")
	p.Render(w, r, http.StatusOK, "portal_stats", pg)
	return nil
}

// monthLabel writes 2026-03 as 03/2026, as Vietnamese dates are read.
func monthLabel(m string) string {
	if len(m) != 7 {
		return m
	}
	return m[5:] + "/" + m[:4]
}
