package clock_test

import (
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/clock"
)

func TestTodayIsTheLocalDate(t *testing.T) {
	cases := []struct {
		name string
		at   time.Time
		want string
	}{
		{"00:30 local is still yesterday in UTC", time.Date(2026, 3, 31, 17, 30, 0, 0, time.UTC), "2026-04-01"},
		{"06:59 local", time.Date(2026, 3, 31, 23, 59, 0, 0, time.UTC), "2026-04-01"},
		{"07:00 local, midnight UTC", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), "2026-04-01"},
		{"23:59 local", time.Date(2026, 4, 1, 16, 59, 0, 0, time.UTC), "2026-04-01"},
		{"given in another zone", time.Date(2026, 3, 31, 19, 30, 0, 0, time.FixedZone("CEST", 2*3600)), "2026-04-01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := clock.New(func() time.Time { return c.at }).Today(); got != c.want {
				t.Fatalf("Today at %v = %s, want %s", c.at, got, c.want)
			}
			if got := clock.Day(c.at); got != c.want {
				t.Fatalf("Day(%v) = %s, want %s", c.at, got, c.want)
			}
		})
	}
}

func TestManualMovesWhenTold(t *testing.T) {
	start := time.Date(2026, 3, 31, 16, 30, 0, 0, time.UTC)
	m := clock.NewManual(start)
	c := m.Clock()
	if !c.Now().Equal(start) || c.Today() != "2026-03-31" {
		t.Fatalf("set: %v %s", c.Now(), c.Today())
	}
	m.Advance(time.Hour)
	if c.Today() != "2026-04-01" {
		t.Fatalf("an hour later, 00:30 local: %s", c.Today())
	}
	m.Set(start)
	if !c.Now().Equal(start) {
		t.Fatalf("set back: %v", c.Now())
	}
}

func TestZeroClockIsTheSystemClock(t *testing.T) {
	var c clock.Clock
	before := time.Now()
	got := c.Now()
	if got.Before(before) || got.Sub(before) > time.Minute {
		t.Fatalf("zero Clock says %v, system clock %v", got, before)
	}
}
