package ticket

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// handled is what handle did.
type handled struct {
	actions []Action // in order
	auto    bool     // a routing rule forwarded the ticket by itself
	// ruleKept: a routing rule forwarded the ticket by itself to another
	// agency than Forward named, and the actor may not reassign it.
	ruleKept bool
}

// handle applies the desk's handling of a new report inside Create's
// transaction, as the actions themselves, with their checks, timeline
// entries and audit events: the classification, then the forward or the
// direct answer.
//
// A routing rule that forwards by itself binds the desk as it would have
// on a ticket classified later: the rule's forward is made, and when the
// desk named another agency, it is reassigned there only if the actor may
// reassign (a supervisor); otherwise the ticket stays where the rule sent
// it, and Created says so. A direct answer takes the place of the rule.
func (s *Service) handle(ctx context.Context, tx *sql.Tx, actor user.Actor, t *Ticket, n NewTicket, now time.Time) (handled, error) {
	var h handled
	// An actor who may create but not handle (a channel, a citizen) is
	// refused for the step, not told that the new ticket is not theirs.
	for a, want := range map[Action]bool{Classify: n.Classify, Forward: n.Forward != nil, Reply: n.Reply != "", Close: n.Close} {
		if err := Permit(actor, a); want && err != nil {
			return h, err
		}
	}
	if n.Classify {
		next, _, err := s.apply(ctx, tx, actor, t, Classify, Input{Category: n.Category, Kind: n.Kind, Area: n.Area, Priority: n.Priority})
		if err != nil {
			return h, err
		}
		h.actions = append(h.actions, Classify)
		if next != "" && n.Reply == "" {
			if _, _, err := s.apply(ctx, tx, user.System, t, next, Input{}); err != nil {
				return h, err
			}
			h.actions, h.auto = append(h.actions, next), next == Forward
		}
	} else if t.CategoryID != 0 && t.AreaCode != "" && n.Reply == "" {
		var err error
		if h.auto, err = s.autoForward(ctx, tx, t, now); err != nil {
			return h, err
		}
		if h.auto {
			h.actions = append(h.actions, Forward)
		}
	}
	switch {
	case n.Forward != nil && h.auto:
		want := strings.TrimSpace(n.Forward.Agency)
		got, err := agencyCode(ctx, tx, t.AgencyID)
		switch {
		case err != nil:
			return h, err
		case want == "" || strings.EqualFold(want, got):
		case !slices.Contains(Allowed(actor, *t), Reassign):
			h.ruleKept = true
		default:
			if _, _, err := s.apply(ctx, tx, actor, t, Reassign, Input{Agency: want, Note: n.Forward.Note}); err != nil {
				return h, inField(err, "forward.")
			}
			h.actions = append(h.actions, Reassign)
		}
	case n.Forward != nil:
		if _, _, err := s.apply(ctx, tx, actor, t, Forward, Input{Agency: n.Forward.Agency, Note: n.Forward.Note}); err != nil {
			return h, inField(err, "forward.")
		}
		h.actions = append(h.actions, Forward)
	case n.Reply != "":
		if _, _, err := s.apply(ctx, tx, actor, t, Reply, Input{Text: n.Reply, InPerson: n.Close && inPerson(t.Channel)}); err != nil {
			if e := errs.As(err); e.Field == "text" {
				return h, e.InField("reply")
			}
			return h, err
		}
		h.actions = append(h.actions, Reply)
		if n.Close {
			if _, _, err := s.apply(ctx, tx, actor, t, Close, Input{}); err != nil {
				return h, err
			}
			h.actions = append(h.actions, Close)
		}
	}
	return h, nil
}

// inField names an action's input field as the part of NewTicket it came
// from ("agency" is "forward.agency" there).
func inField(err error, prefix string) error {
	if e := errs.As(err); e.Field != "" && e.Code != errs.Internal {
		return e.InField(prefix + e.Field)
	}
	return err
}

// inPerson reports whether an answer given at once on a report of channel
// c is given in person: on the call, or at the desk to a visitor.
func inPerson(c Channel) bool { return c == Phone || c == WalkIn }
