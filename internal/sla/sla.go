// Package sla computes deadlines: which policy applies to a ticket, when
// its answer is due on that policy's calendar, when it turns "at risk", and
// what state its clock is in.
package sla

import (
	"time"
)

// DefaultTarget is Bình Dương's rule: an answer within 5 hours of receipt.
const DefaultTarget = 5 * time.Hour

// Calendar kinds.
const (
	Always = "24x7"   // the clock always runs
	Office = "office" // the clock runs in office hours, not on weekends or public holidays
)

// Policy is an SLA policy: a target for tickets of one category and/or
// priority. A zero CategoryID or empty Priority matches any.
type Policy struct {
	ID           int64
	Name         string
	CategoryID   int64
	Priority     string
	Target       time.Duration
	Calendar     string
	WarnPercent  int    // the ticket turns at risk after this share of the target
	EscalateRole string // who is told when it is overdue, and again at EscalateAgainPercent
	// EscalateAgainPercent is the second escalation threshold: past this
	// share of the target (DefaultEscalateAgain, 150, when 0) an overdue
	// ticket is escalated again.
	EscalateAgainPercent int
	Active               bool
}

// DefaultEscalateAgain is the second escalation threshold when a policy
// names none: half the target again past the deadline.
const DefaultEscalateAgain = 150

// Default is the policy used when no stored policy matches.
var Default = Policy{Name: "default", Target: DefaultTarget, Calendar: Always, WarnPercent: 80, EscalateRole: "supervisor",
	EscalateAgainPercent: DefaultEscalateAgain, Active: true}

// State of a ticket's clock.
type State string

// The states. Open tickets are on time, at risk or overdue; resolved ones
// were met or breached.
const (
	OnTime  State = "on_time"
	AtRisk  State = "at_risk"
	Overdue State = "overdue"
	Met     State = "met"
	// Paused: the clock stands still while the ticket waits for the
	// citizen's answer to a question.
	Paused   State = "paused"
	Breached State = "breached"
)

// StateAt returns the clock state at now. resolved is when the ticket was
// answered, refused or merged; zero while it is open.
func StateAt(now, warnAt, deadline, resolved time.Time) State {
	if !resolved.IsZero() {
		if resolved.After(deadline) {
			return Breached
		}
		return Met
	}
	switch {
	case now.After(deadline):
		return Overdue
	case !now.Before(warnAt):
		return AtRisk
	}
	return OnTime
}

// Clock computes due times on a calendar.
type Clock interface {
	// Add returns the instant when d of counted time has passed since from.
	Add(from time.Time, d time.Duration) time.Time
	// Between returns how much counted time passes from from to to; zero
	// when to is not after from.
	Between(from, to time.Time) time.Duration
}

// Deadlines returns when a clock started at from is due under p on c, and
// when it turns at risk: after WarnPercent of the target. It is Compute
// for a clock with nothing but its start.
func (p Policy) Deadlines(c Clock, from time.Time) (warnAt, deadline time.Time) {
	t := Compute(p, c, Events{Start: from}, from)
	return t.WarnAt, t.Deadline
}

// Extended returns the warning time and deadline of a clock started at
// from whose deadline was extended to until (later than p's own): Compute
// with that extension, so the warning comes at the same share of the
// counted time up to until, on the same calendar.
func (p Policy) Extended(c Clock, from, until time.Time) (warnAt, deadline time.Time) {
	t := Compute(p, c, Events{Start: from, Extensions: []Extension{{At: from, Until: until}}}, from)
	return t.WarnAt, t.Deadline
}

// AlwaysClock counts every minute of every day.
type AlwaysClock struct{}

// Add implements Clock.
func (AlwaysClock) Add(from time.Time, d time.Duration) time.Time { return from.Add(d) }

// Between implements Clock.
func (AlwaysClock) Between(from, to time.Time) time.Duration { return max(to.Sub(from), 0) }
