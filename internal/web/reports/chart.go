package reports

import (
	"strconv"
)

// Charts are laid out here, in the SVG's own units, and drawn by the
// template: no JavaScript, and each chart scales with its viewBox.

// maxBars is how many rows a bar chart draws; its table lists them all.
const maxBars = 15

// chart is one SVG chart: columns (volumes over time or hours) or
// horizontal bars (categories, wards).
type chart struct {
	Title string
	W, H  int
	Cols  []Col
	Bars  []HBar
	Ticks []Tick
}

// Col is one column, stacked from the bottom.
type Col struct {
	X, W, LX         float64
	Label, Title     string
	ShowLabel        bool
	Href, Day, End   string
	Total            int64
	Segs             []Seg
	ByChannel        map[string]int64
	TotalY, TotalTop float64
}

// Seg is one part of a column.
type Seg struct {
	Y, H    float64
	Class   string
	N       int64
	Channel string
}

// HBar is one horizontal bar with its label.
type HBar struct {
	Y, W, TY, NX       float64
	Label, Short, Href string
	Title              string
	N                  int64
}

// Tick is a value line of a column chart.
type Tick struct {
	Y     float64
	Label string
}

type part struct {
	n       int64
	class   string
	channel string
}

type column struct {
	label, title, href, day, end string
	total                        int64
	parts                        []part
}

type hbarIn struct {
	label, title, href string
	n                  int64
}

const (
	colW, colH    = 600, 220
	plotX, plotY  = 40.0, 10.0
	plotH         = 170.0
	barW, barRowH = 400, 22
	labelW        = 150.0
)

// columnChart lays out columns, labelling every step-th.
func columnChart(cols []column, title string, step int) chart {
	c := chart{Title: title, W: colW, H: colH}
	var max int64
	for _, col := range cols {
		var t int64
		for _, p := range col.parts {
			t += p.n
		}
		if t > max {
			max = t
		}
	}
	if len(cols) == 0 {
		return c
	}
	slot := (colW - plotX - 4) / float64(len(cols))
	for i, col := range cols {
		x := plotX + float64(i)*slot
		out := Col{X: x + slot*0.1, W: slot * 0.8, LX: x + slot/2, Label: col.label, Title: col.title, Href: col.href,
			ShowLabel: i%step == 0, Day: col.day, End: col.end, ByChannel: map[string]int64{}}
		y := plotY + plotH
		for _, p := range col.parts {
			out.Total += p.n
			out.ByChannel[p.channel] += p.n
			if p.n == 0 || max == 0 {
				continue
			}
			h := float64(p.n) / float64(max) * plotH
			y -= h
			out.Segs = append(out.Segs, Seg{Y: y, H: h, Class: p.class, N: p.n, Channel: p.channel})
		}
		out.TotalTop = y
		c.Cols = append(c.Cols, out)
	}
	for _, f := range []int64{0, 1, 2} {
		v := max * f / 2
		c.Ticks = append(c.Ticks, Tick{Y: plotY + plotH - float64(f)/2*plotH, Label: strconv.FormatInt(v, 10)})
	}
	return c
}

// hbarChart lays out horizontal bars, longest for the largest n.
func hbarChart(in []hbarIn, title string) chart {
	c := chart{Title: title, W: barW, H: len(in)*barRowH + 4}
	var max int64
	for _, b := range in {
		if b.n > max {
			max = b.n
		}
	}
	for i, b := range in {
		y := float64(i*barRowH) + 2
		w := 0.0
		if max > 0 {
			w = float64(b.n) / float64(max) * (barW - labelW - 50)
		}
		c.Bars = append(c.Bars, HBar{Y: y + 3, W: w, TY: y + 15, NX: labelW + 4 + w + 4, Label: b.label, Short: short(b.label, 24),
			Href: b.href, Title: b.title, N: b.n})
	}
	return c
}

// short cuts a label to n runes, with an ellipsis.
func short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
