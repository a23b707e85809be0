package ticket

import (
	"context"
	"database/sql"
	"time"

	"github.com/hotline-1022/hotline/internal/user"
)

// Event is one timeline event as it is written, for what must follow
// from it in the same transaction: staff notifications and outgoing
// webhooks (internal/notification). It carries no personal data.
type Event struct {
	TicketID  int64
	Code      string
	Name      string // the timeline event: an Action, "sla.at_risk", "sla.overdue"…
	State     State  // after the event
	AgencyID  int64  // the agency holding the ticket after the event; 0: none
	OwnerID   int64
	MessageID int64 // the timeline entry
	ActorID   int64 // the user who acted; 0 for a system actor
	// EscalateTo is, on "sla.overdue" and "sla.escalated" (the second
	// threshold), the role the policy escalates to.
	EscalateTo user.Role
	At         time.Time
}

// EventSink takes every timeline event inside the transaction that writes
// it: what it writes commits or rolls back with the event. The function it
// returns, if any, runs after the commit (a live notice).
type EventSink interface {
	TicketEvent(ctx context.Context, tx *sql.Tx, e Event) (after func(), err error)
}

// afterKey holds, in a transaction's context, what runs once it commits.
type afterKey struct{}

type afterList struct{ fns []func() }

// withAfter returns ctx carrying a fresh list of post-commit functions.
func withAfter(ctx context.Context) (context.Context, *afterList) {
	l := &afterList{}
	return context.WithValue(ctx, afterKey{}, l), l
}

func (l *afterList) run() {
	for _, f := range l.fns {
		f()
	}
}

// emit hands e to the sink, in tx.
func (s *Service) emit(ctx context.Context, tx *sql.Tx, e Event) error {
	if s.Events == nil {
		return nil
	}
	after, err := s.Events.TicketEvent(ctx, tx, e)
	if err != nil {
		return err
	}
	if l, ok := ctx.Value(afterKey{}).(*afterList); ok && after != nil {
		l.fns = append(l.fns, after)
	}
	return nil
}

// Sinks hands each event to every sink in turn, in the same transaction:
// the first error rolls the whole write back. It lets the staff
// notifications and the outgoing webhooks each take the events without
// knowing of the other.
type Sinks []EventSink

// TicketEvent implements EventSink.
func (ss Sinks) TicketEvent(ctx context.Context, tx *sql.Tx, e Event) (func(), error) {
	var afters []func()
	for _, s := range ss {
		after, err := s.TicketEvent(ctx, tx, e)
		if err != nil {
			return nil, err
		}
		if after != nil {
			afters = append(afters, after)
		}
	}
	if len(afters) == 0 {
		return nil, nil
	}
	return func() {
		for _, f := range afters {
			f()
		}
	}, nil
}
