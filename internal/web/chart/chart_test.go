package chart

import "testing"

// The tallest column fills the plot, the others scale to it, stacked from
// the bottom; the longest bar is the largest; labels are cut with an
// ellipsis.
func TestLayout(t *testing.T) {
	c := Columns([]Column{
		{Label: "01", Parts: []Part{{N: 30, Class: "ch-phone", Channel: "phone"}, {N: 10, Class: "ch-zalo", Channel: "zalo"}}},
		{Label: "02", Parts: []Part{{N: 20, Class: "ch-phone", Channel: "phone"}, {N: 0, Class: "ch-zalo", Channel: "zalo"}}},
	}, "t", 2)
	if len(c.Cols) != 2 || c.Cols[0].Total != 40 || c.Cols[1].Total != 20 {
		t.Fatalf("columns %+v", c.Cols)
	}
	if h := c.Cols[0].Segs[0].H + c.Cols[0].Segs[1].H; h != plotH {
		t.Errorf("the tallest column is %.1f high, want the plot's %.1f", h, plotH)
	}
	if got := c.Cols[1].Segs[0].H; got != plotH/2 || len(c.Cols[1].Segs) != 1 {
		t.Errorf("the half column: %+v", c.Cols[1].Segs)
	}
	if s := c.Cols[0].Segs; s[0].Y+s[0].H != plotY+plotH || s[1].Y+s[1].H != s[0].Y {
		t.Errorf("segments not stacked from the bottom: %+v", s)
	}
	if !c.Cols[0].ShowLabel || c.Cols[1].ShowLabel || c.Ticks[2].Label != "40" {
		t.Errorf("labels %v %v, top tick %q", c.Cols[0].ShowLabel, c.Cols[1].ShowLabel, c.Ticks[2].Label)
	}
	b := HBars([]Bar{{Label: "Đất đai", N: 8}, {Label: "Xây dựng nhà ở và công trình công cộng", N: 2}}, "b")
	if b.Bars[0].W != 4*b.Bars[1].W || b.Bars[1].Short != "Xây dựng nhà ở và công …" {
		t.Errorf("bars %+v", b.Bars)
	}
	if e := Columns(nil, "empty", 1); len(e.Cols) != 0 || e.W == 0 {
		t.Errorf("an empty chart %+v", e)
	}
}
