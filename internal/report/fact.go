// Package report holds the leaders' figures: what each ticket contributes
// to them (a fact), the sums by local day and by every dimension a
// dashboard filters on (report_days), maintained in the ticket's own
// transaction, and the summaries the console and the API read from those
// sums, never from the tickets.
package report

import (
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/clock"
)

// Key is where a ticket's contribution is counted: its local day and hour
// of receipt and its classification now.
type Key struct {
	Day      string // YYYY-MM-DD in Asia/Ho_Chi_Minh
	Hour     int    // 0-23, local
	Channel  string
	Category int64 // 0: none
	Kind     string
	Area     string // ward code; "": none
	Agency   int64  // the current agency; 0: none
	State    string
}

// Measures are the additive counts and sums behind every figure. Each
// ticket contributes N=1 and the rest as its facts say; the column order
// is measureColumns.
type Measures struct {
	N         int64 // received
	Resolved  int64 // answered to the citizen (resolved_at set), refused and merged excluded
	OnTime    int64 // resolved no later than the deadline
	Due       int64 // resolved, or marked overdue by the SLA clock: the on-time rate's denominator
	Overdue   int64 // open and marked overdue now
	Forwarded int64 // forwarded to an agency at least once
	Direct    int64 // resolved without ever being forwarded: answered by the desk
	Returned  int64 // returned by an agency at least once
	Extended  int64 // given an extension at least once
	Rated     int64
	RatingSum int64
	FRN       int64 // with a first response
	FRSum     int64 // seconds from receipt to first response
	HSum      int64 // seconds from receipt to resolution, resolved tickets
	// Handling time histogram, resolved tickets: up to 1 h, 5 h, 24 h,
	// 72 h, longer. p90 is read from it as the bucket's upper bound.
	H1, H5, H24, H72, HMore int64
}

var measureColumns = []string{"n", "resolved", "on_time", "due", "overdue", "forwarded", "direct", "returned", "extended",
	"rated", "rating_sum", "fr_n", "fr_sum", "h_sum", "h1", "h5", "h24", "h72", "hmore"}

// HistogramBounds are the handling-time buckets' upper bounds; the last
// bucket has none.
var HistogramBounds = []time.Duration{time.Hour, 5 * time.Hour, 24 * time.Hour, 72 * time.Hour}

func (m *Measures) fields() []*int64 {
	return []*int64{&m.N, &m.Resolved, &m.OnTime, &m.Due, &m.Overdue, &m.Forwarded, &m.Direct, &m.Returned, &m.Extended,
		&m.Rated, &m.RatingSum, &m.FRN, &m.FRSum, &m.HSum, &m.H1, &m.H5, &m.H24, &m.H72, &m.HMore}
}

// Add adds o to m.
func (m *Measures) Add(o Measures) {
	m.N += o.N
	m.Resolved += o.Resolved
	m.OnTime += o.OnTime
	m.Due += o.Due
	m.Overdue += o.Overdue
	m.Forwarded += o.Forwarded
	m.Direct += o.Direct
	m.Returned += o.Returned
	m.Extended += o.Extended
	m.Rated += o.Rated
	m.RatingSum += o.RatingSum
	m.FRN += o.FRN
	m.FRSum += o.FRSum
	m.HSum += o.HSum
	m.H1 += o.H1
	m.H5 += o.H5
	m.H24 += o.H24
	m.H72 += o.H72
	m.HMore += o.HMore
}

func (m Measures) neg() Measures {
	f := m.fields()
	for i := range f {
		*f[i] = -*f[i]
	}
	return m
}

func (m Measures) encode() string {
	var b strings.Builder
	for i, p := range m.fields() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(*p, 10))
	}
	return b.String()
}

func decode(s string) Measures {
	var m Measures
	parts := strings.Split(s, ",")
	for i, p := range m.fields() {
		if i < len(parts) {
			*p, _ = strconv.ParseInt(parts[i], 10, 64)
		}
	}
	return m
}

// Source is what a fact is computed from: the ticket's row and its
// forwardings' counts.
type Source struct {
	ReceivedAt, Deadline                  time.Time
	FirstResponseAt, ResolvedAt, Breached time.Time
	Channel, Kind, Area, State            string
	Category, Agency                      int64
	Rating                                int
	Assignments, Returns, Extensions      int64
}

// Fact computes a ticket's key and contribution. It is the one
// definition of every measure: the maintained sums and a rebuild both go
// through it.
func Fact(s Source) (Key, Measures) {
	local := s.ReceivedAt.In(clock.Zone)
	k := Key{Day: local.Format(time.DateOnly), Hour: local.Hour(), Channel: s.Channel, Category: s.Category, Kind: s.Kind,
		Area: s.Area, Agency: s.Agency, State: s.State}
	m := Measures{N: 1}
	resolved := !s.ResolvedAt.IsZero() && s.State != "refused" && s.State != "merged"
	breached := !s.Breached.IsZero()
	if resolved {
		m.Resolved = 1
		if !s.ResolvedAt.After(s.Deadline) {
			m.OnTime = 1
		}
		h := s.ResolvedAt.Sub(s.ReceivedAt)
		m.HSum = int64(h / time.Second)
		switch {
		case h <= HistogramBounds[0]:
			m.H1 = 1
		case h <= HistogramBounds[1]:
			m.H5 = 1
		case h <= HistogramBounds[2]:
			m.H24 = 1
		case h <= HistogramBounds[3]:
			m.H72 = 1
		default:
			m.HMore = 1
		}
		if s.Assignments == 0 {
			m.Direct = 1
		}
	}
	if resolved || (breached && s.ResolvedAt.IsZero()) {
		m.Due = 1
	}
	if breached && s.ResolvedAt.IsZero() {
		m.Overdue = 1
	}
	if s.Assignments > 0 {
		m.Forwarded = 1
	}
	if s.Returns > 0 {
		m.Returned = 1
	}
	if s.Extensions > 0 {
		m.Extended = 1
	}
	if s.Rating > 0 {
		m.Rated, m.RatingSum = 1, int64(s.Rating)
	}
	if !s.FirstResponseAt.IsZero() {
		m.FRN, m.FRSum = 1, int64(s.FirstResponseAt.Sub(s.ReceivedAt)/time.Second)
	}
	return k, m
}
