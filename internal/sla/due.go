package sla

import (
	"context"
	"time"
)

// Due is when a clock turns at risk and when it runs out, as stored: UTC,
// to the microsecond both engines keep.
type Due struct{ WarnAt, Deadline time.Time }

func stored(warnAt, deadline time.Time) Due {
	return Due{WarnAt: warnAt.UTC().Truncate(time.Microsecond), Deadline: deadline.UTC().Truncate(time.Microsecond)}
}

// Policy returns the stored policy id, active or not, or Default for 0 (a
// ticket no stored policy matched). An unknown id is "sla.not_found".
func (s *Store) Policy(ctx context.Context, id int64) (Policy, error) {
	if id == 0 {
		return Default, nil
	}
	return s.Get(ctx, id)
}

// Deadlines returns the due times of a ticket's clock started at from
// (its receipt, or its reopening) under p, on p's calendar.
func (s *Store) Deadlines(ctx context.Context, p Policy, from time.Time) (Due, error) {
	c, err := s.calendar(ctx, p)
	if err != nil {
		return Due{}, err
	}
	return stored(p.Deadlines(c, from)), nil
}

// AssignmentDeadlines returns the due times of an agency's assignment
// forwarded at from under p: DESIGN §4 gives each assignment its own
// deadline, counted from the forward. Each agency is also to have its own
// business calendar; until agencies keep their hours, the policy's
// calendar counts, and this is the one place that will change.
func (s *Store) AssignmentDeadlines(ctx context.Context, p Policy, from time.Time) (Due, error) {
	return s.Deadlines(ctx, p, from)
}

// ExtendedDeadlines returns the due times of an assignment forwarded at
// from under p once its deadline is extended to until (Policy.Extended).
func (s *Store) ExtendedDeadlines(ctx context.Context, p Policy, from, until time.Time) (Due, error) {
	c, err := s.calendar(ctx, p)
	if err != nil {
		return Due{}, err
	}
	return stored(p.Extended(c, from, until)), nil
}
