package ticket

import (
	"context"
	"database/sql"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// handle applies the desk's handling of a new report inside Create's
// transaction, as the actions themselves, with their checks, timeline
// entries and audit events: the classification, then the forward or the
// direct answer. The actor's explicit forward or answer takes the place of
// a routing rule's automatic forward. It returns the actions taken.
func (s *Service) handle(ctx context.Context, tx *sql.Tx, actor user.Actor, t *Ticket, n NewTicket) ([]Action, error) {
	var done []Action
	if n.Classify {
		next, _, err := s.apply(ctx, tx, actor, t, Classify, Input{Category: n.Category, Kind: n.Kind, Area: n.Area, Priority: n.Priority})
		if err != nil {
			return nil, err
		}
		done = append(done, Classify)
		if next != "" && n.Forward == nil && n.Reply == "" {
			if _, _, err := s.apply(ctx, tx, user.System, t, next, Input{}); err != nil {
				return nil, err
			}
			done = append(done, next)
		}
	}
	switch {
	case n.Forward != nil:
		if _, _, err := s.apply(ctx, tx, actor, t, Forward, Input{Agency: n.Forward.Agency, Note: n.Forward.Note}); err != nil {
			return nil, inField(err, "forward.")
		}
		done = append(done, Forward)
	case n.Reply != "":
		if _, _, err := s.apply(ctx, tx, actor, t, Reply, Input{Text: n.Reply}); err != nil {
			if e := errs.As(err); e.Field == "text" {
				return nil, e.InField("reply")
			}
			return nil, err
		}
		done = append(done, Reply)
	}
	return done, nil
}

// inField names an action's input field as the part of NewTicket it came
// from ("agency" is "forward.agency" there).
func inField(err error, prefix string) error {
	if e := errs.As(err); e.Field != "" && e.Code != errs.Internal {
		return e.InField(prefix + e.Field)
	}
	return err
}
