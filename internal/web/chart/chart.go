// Package chart lays out the server-rendered SVG charts of the figures
// (the console's dashboard, the portal's public statistics): columns of
// volumes over time, stacked by channel, and horizontal bars. The shared
// template partials "columns" and "hbars" (internal/web/templates/
// partials/charts.html) draw them; every chart stands beside a table of
// the same numbers.
package chart

import (
	"strconv"
)

// Charts are laid out here, in the SVG's own units, and drawn by the
// template: no JavaScript, and each chart scales with its viewBox.

// MaxBars is how many rows a bar chart draws; its table lists them all.
const MaxBars = 15

// Chart is one SVG chart: columns (volumes over time or hours) or
// horizontal bars (categories, wards).
type Chart struct {
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

// Part is one stacked part of a column to lay out: N tickets drawn with
// CSS class Class (a channel's colour, "ch-zalo", or "bar").
type Part struct {
	N       int64
	Class   string
	Channel string
}

// Column is a column to lay out: its axis label, its tooltip, where it
// links (the tickets behind it), the days it covers and its parts.
type Column struct {
	Label, Title, Href, Day, End string
	Parts                        []Part
}

// Bar is a horizontal bar to lay out.
type Bar struct {
	Label, Title, Href string
	N                  int64
}

const (
	colW, colH    = 600, 220
	plotX, plotY  = 40.0, 10.0
	plotH         = 170.0
	barW, barRowH = 400, 22
	labelW        = 150.0
)

// Columns lays out columns, labelling every step-th.
func Columns(cols []Column, title string, step int) Chart {
	c := Chart{Title: title, W: colW, H: colH}
	var max int64
	for _, col := range cols {
		var t int64
		for _, p := range col.Parts {
			t += p.N
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
		out := Col{X: x + slot*0.1, W: slot * 0.8, LX: x + slot/2, Label: col.Label, Title: col.Title, Href: col.Href,
			ShowLabel: step > 0 && i%step == 0, Day: col.Day, End: col.End, ByChannel: map[string]int64{}}
		y := plotY + plotH
		for _, p := range col.Parts {
			out.Total += p.N
			out.ByChannel[p.Channel] += p.N
			if p.N == 0 || max == 0 {
				continue
			}
			h := float64(p.N) / float64(max) * plotH
			y -= h
			out.Segs = append(out.Segs, Seg{Y: y, H: h, Class: p.Class, N: p.N, Channel: p.Channel})
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

// HBars lays out horizontal bars, longest for the largest N.
func HBars(in []Bar, title string) Chart {
	c := Chart{Title: title, W: barW, H: len(in)*barRowH + 4}
	var max int64
	for _, b := range in {
		if b.N > max {
			max = b.N
		}
	}
	for i, b := range in {
		y := float64(i*barRowH) + 2
		w := 0.0
		if max > 0 {
			w = float64(b.N) / float64(max) * (barW - labelW - 50)
		}
		c.Bars = append(c.Bars, HBar{Y: y + 3, W: w, TY: y + 15, NX: labelW + 4 + w + 4, Label: b.Label, Short: Short(b.Label, 24),
			Href: b.Href, Title: b.Title, N: b.N})
	}
	return c
}

// Short cuts a label to n runes, with an ellipsis.
func Short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
