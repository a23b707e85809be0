package sla

import (
	"slices"
	"time"
)

// Pause is a stretch in which the clock stood still: the ticket waited for
// the citizen. To is zero while it still waits.
type Pause struct{ From, To time.Time }

// Extension is an approved extension of a deadline to Until, granted At.
type Extension struct {
	At     time.Time
	Until  time.Time
	Reason string
}

// Events is what happened to one clock (a ticket's, from its receipt, or
// an assignment's, from its forwarding).
type Events struct {
	Start      time.Time
	Pauses     []Pause
	Extensions []Extension
	Stop       time.Time // when the clock stopped (answered); zero while it runs
}

// Timing is a clock's state at a moment.
type Timing struct {
	WarnAt, Deadline time.Time
	EscalateAt       time.Time     // the second escalation: EscalateAgainPercent of the counted time to the deadline
	Spent            time.Duration // counted time from Start to Stop (or now), pauses left out
	Paused           bool          // waiting for the citizen now
}

// Compute is the SLA engine: every deadline, warning time and time spent
// hotline stores comes from here. The deadline is Start plus the policy's
// target of counted time on c, where a pause counts nothing; the last
// approved extension that moves the deadline later sets it to its Until,
// pushed on by the counted time of the pauses after its grant. The warning
// comes after WarnPercent of the counted time from Start to the deadline.
// The second escalation comes after EscalateAgainPercent of it, counted
// on past the deadline on the same calendar.
// A pause still open counts as ending at now, so the deadline shown is the
// one the citizen's answer would give now.
func Compute(p Policy, c Clock, ev Events, now time.Time) Timing {
	pauses := make([]Pause, 0, len(ev.Pauses))
	var out Timing
	for _, ps := range ev.Pauses {
		if ps.To.IsZero() {
			ps.To = now
			out.Paused = true
		}
		if ps.To.After(ps.From) {
			pauses = append(pauses, ps)
		}
	}
	slices.SortFunc(pauses, func(a, b Pause) int { return a.From.Compare(b.From) })
	// Overlapping pauses are one.
	merged := pauses[:0]
	for _, ps := range pauses {
		if n := len(merged); n > 0 && !ps.From.After(merged[n-1].To) {
			if ps.To.After(merged[n-1].To) {
				merged[n-1].To = ps.To
			}
			continue
		}
		merged = append(merged, ps)
	}
	pauses = merged
	pc := pausedClock{c: c, pauses: pauses}
	deadline := pc.Add(ev.Start, p.Target)
	for _, x := range ev.Extensions {
		until := x.Until
		var after time.Duration
		for _, ps := range pauses {
			if !ps.From.Before(x.At) {
				after += c.Between(ps.From, ps.To)
			}
		}
		if after > 0 {
			until = c.Add(until, after)
		}
		if until.After(deadline) {
			deadline = until
		}
	}
	warn := p.WarnPercent
	if warn <= 0 || warn >= 100 {
		warn = 80
	}
	out.Deadline = deadline.UTC()
	counted := pc.Between(ev.Start, deadline)
	out.WarnAt = pc.Add(ev.Start, counted*time.Duration(warn)/100).UTC()
	again := p.EscalateAgainPercent
	if again <= 100 {
		again = DefaultEscalateAgain
	}
	out.EscalateAt = pc.Add(ev.Start, counted*time.Duration(again)/100).UTC()
	stop := ev.Stop
	if stop.IsZero() {
		stop = now
	}
	out.Spent = pc.Between(ev.Start, stop)
	return out
}

// pausedClock is c with the pauses left out.
type pausedClock struct {
	c      Clock
	pauses []Pause // in order
}

func (pc pausedClock) Add(from time.Time, d time.Duration) time.Time {
	t := from
	for _, ps := range pc.pauses {
		if !ps.To.After(t) {
			continue
		}
		if ps.From.After(t) {
			if avail := pc.c.Between(t, ps.From); d <= avail {
				return pc.c.Add(t, d)
			} else {
				d -= avail
			}
		}
		t = ps.To
	}
	return pc.c.Add(t, d)
}

func (pc pausedClock) Between(from, to time.Time) time.Duration {
	sum := pc.c.Between(from, to)
	for _, ps := range pc.pauses {
		a, b := ps.From, ps.To
		if a.Before(from) {
			a = from
		}
		if b.After(to) {
			b = to
		}
		if b.After(a) {
			sum -= pc.c.Between(a, b)
		}
	}
	return max(sum, 0)
}
