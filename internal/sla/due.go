package sla

import (
	"context"
	"time"
)

// Due is when a clock turns at risk and when it runs out, as stored: UTC,
// to the microsecond both engines keep.
type Due struct{ WarnAt, Deadline, EscalateAt time.Time }

func stored(t Timing) Due {
	return Due{WarnAt: t.WarnAt.UTC().Truncate(time.Microsecond), Deadline: t.Deadline.UTC().Truncate(time.Microsecond),
		EscalateAt: t.EscalateAt.UTC().Truncate(time.Microsecond)}
}

// Policy returns the stored policy id, active or not, or Default for 0 (a
// ticket no stored policy matched). An unknown id is "sla.not_found".
func (s *Store) Policy(ctx context.Context, id int64) (Policy, error) {
	if id == 0 {
		return Default, nil
	}
	return s.Get(ctx, id)
}

// policyClock is the clock of a ticket's own deadline under p: p's
// calendar, or for a policy on the agency's calendar the calendar of the
// agency holding the ticket, agencyID; while none holds it (0), the desk's
// hours, which are around the clock.
func (s *Store) policyClock(ctx context.Context, p Policy, agencyID int64) (Clock, error) {
	if p.Calendar != Agency {
		return s.clockNamed(ctx, s.db.R(), p.Calendar)
	}
	if agencyID == 0 {
		return AlwaysClock{}, nil
	}
	return s.agencyClock(ctx, agencyID)
}

func (s *Store) agencyClock(ctx context.Context, agencyID int64) (Clock, error) {
	name, err := agencyCalendar(ctx, s.db.R(), agencyID)
	if err != nil {
		return nil, err
	}
	return s.clockNamed(ctx, s.db.R(), name)
}

// Deadlines returns the due times of a ticket's clock started at from
// (its receipt, or its reopening) under p, on the clock policyClock names.
func (s *Store) Deadlines(ctx context.Context, p Policy, agencyID int64, from time.Time) (Due, error) {
	return s.TicketDue(ctx, p, agencyID, Events{Start: from}, from)
}

// TicketDue returns the due times of a ticket's clock with its events
// (its start, the pauses while it waited for the citizen) under p, on the
// clock policyClock names, at now.
func (s *Store) TicketDue(ctx context.Context, p Policy, agencyID int64, ev Events, now time.Time) (Due, error) {
	c, err := s.policyClock(ctx, p, agencyID)
	if err != nil {
		return Due{}, err
	}
	return stored(Compute(p, c, ev, now)), nil
}

// AssignmentDeadlines returns the due times of an assignment to agencyID
// forwarded at from under p: DESIGN §4 gives each assignment its own
// clock, counted from the forward with p's target on the agency's own
// calendar (agencies.calendar).
func (s *Store) AssignmentDeadlines(ctx context.Context, p Policy, agencyID int64, from time.Time) (Due, error) {
	return s.AssignmentDue(ctx, p, agencyID, Events{Start: from}, from)
}

// AssignmentDue returns the due times of an assignment to agencyID with
// its events (the forward, the pauses while the ticket waited for the
// citizen, an approved extension) under p, on the agency's calendar, at
// now.
func (s *Store) AssignmentDue(ctx context.Context, p Policy, agencyID int64, ev Events, now time.Time) (Due, error) {
	c, err := s.agencyClock(ctx, agencyID)
	if err != nil {
		return Due{}, err
	}
	return stored(Compute(p, c, ev, now)), nil
}

// ExtendedDeadlines returns the due times of an assignment to agencyID
// forwarded at from under p once an extension to until is approved at
// granted: the deadline moves to until (never earlier than it was), the
// warning to the policy's share of the counted time up to it, on the
// agency's calendar.
func (s *Store) ExtendedDeadlines(ctx context.Context, p Policy, agencyID int64, from, until, granted time.Time) (Due, error) {
	return s.AssignmentDue(ctx, p, agencyID, Events{Start: from, Extensions: []Extension{{At: granted, Until: until}}}, granted)
}
