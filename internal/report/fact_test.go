package report

import (
	"testing"
	"time"
)

func TestFactCountsEachMeasureOnce(t *testing.T) {
	rcv := time.Date(2026, 11, 30, 17, 30, 0, 0, time.UTC) // 00:30 on 1 December in Hồ Chí Minh City
	cases := []struct {
		name string
		src  Source
		want Measures
		day  string
		hour int
	}{
		{"open, not yet due", Source{ReceivedAt: rcv, Deadline: rcv.Add(5 * time.Hour), State: "received"}, Measures{N: 1}, "2026-12-01", 0},
		{"answered directly on time", Source{ReceivedAt: rcv, Deadline: rcv.Add(5 * time.Hour), ResolvedAt: rcv.Add(2 * time.Hour), State: "replied", Rating: 4},
			Measures{N: 1, Resolved: 1, OnTime: 1, Due: 1, Direct: 1, Rated: 1, RatingSum: 4, HSum: 7200, H5: 1}, "2026-12-01", 0},
		{"forwarded, returned, overdue", Source{ReceivedAt: rcv, Deadline: rcv.Add(5 * time.Hour), Breached: rcv.Add(5 * time.Hour), State: "forwarded", Assignments: 2, Returns: 1},
			Measures{N: 1, Due: 1, Overdue: 1, Forwarded: 1, Returned: 1}, "2026-12-01", 0},
		{"refused is not resolved", Source{ReceivedAt: rcv, Deadline: rcv, ResolvedAt: rcv, State: "refused"}, Measures{N: 1}, "2026-12-01", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, m := Fact(c.src)
			if m != c.want || k.Day != c.day || k.Hour != c.hour {
				t.Errorf("got %s %d %+v, want %s %d %+v", k.Day, k.Hour, m, c.day, c.hour, c.want)
			}
			if decode(m.encode()) != m {
				t.Errorf("encode/decode lost %+v", m)
			}
		})
	}
}
