// The agency's actions and their review: accept, return, extensions,
// answer, approve and send back. Who may take them, and from which state,
// is in workflow.go.

package ticket

import (
	"context"
	"database/sql"
	"time"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

func (s *Service) accept(ctx context.Context, tx *sql.Tx, actor user.Actor, t *Ticket, now time.Time) (step, error) {
	asg, err := s.currentAssignment(ctx, tx, *t)
	if err != nil {
		return step{}, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE assignments SET state = $1, accepted_by = $2, accepted_at = $3 WHERE id = $4`, AsgAccepted, nullID(actor.UserID), now, asg.ID)
	return step{data: map[string]any{"agency": asg.AgencyCode}}, err
}

func (s *Service) giveBack(ctx context.Context, tx *sql.Tx, actor user.Actor, t *Ticket, in Input, now time.Time) (step, error) {
	reason, err := requiredText(in.Reason, "reason", MaxReason)
	if err != nil {
		return step{}, err
	}
	asg, err := s.currentAssignment(ctx, tx, *t)
	if err != nil {
		return step{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE assignments SET state = $1, returned_at = $2, return_reason = $3, closed_at = $2 WHERE id = $4`,
		AsgReturned, now, reason, asg.ID); err != nil {
		return step{}, err
	}
	// The ticket goes back to the hotline desk; the agency no longer holds it.
	t.AgencyID, t.AssignmentID = 0, 0
	return step{data: map[string]any{"agency": asg.AgencyCode}, body: reason}, nil
}

// maxExtension bounds how far an agency may push its deadline.
const maxExtension = 30 * 24 * time.Hour

func (s *Service) extension(ctx context.Context, tx *sql.Tx, actor user.Actor, t *Ticket, a Action, in Input, now time.Time) (step, error) {
	asg, err := s.currentAssignment(ctx, tx, *t)
	if err != nil {
		return step{}, err
	}
	switch a {
	case RequestExtension:
		reason, err := requiredText(in.Reason, "reason", MaxReason)
		if err != nil {
			return step{}, err
		}
		until := in.Until.UTC().Truncate(time.Microsecond)
		switch {
		case until.IsZero():
			return step{}, errs.Invalidf("field.required").InField("until")
		case !until.After(asg.Deadline) || !until.After(now):
			return step{}, errs.Invalidf("ticket.extension_not_later").InField("until")
		case until.Sub(now) > maxExtension:
			return step{}, errs.Invalidf("ticket.extension_too_long", "days", "30").InField("until")
		}
		_, err = tx.ExecContext(ctx, `UPDATE assignments SET ext_state = 'requested', ext_until = $1, ext_reason = $2, ext_requested_by = $3, ext_requested_at = $4 WHERE id = $5`,
			until, reason, nullID(actor.UserID), now, asg.ID)
		return step{data: map[string]any{"until": until.Format(time.RFC3339), "agency": asg.AgencyCode}, body: reason}, err
	case GrantExtension:
		// The agency's clock, and the ticket's with it, now runs to the
		// granted date from the forward, on the agency's calendar, pushed
		// on by the time the ticket waits for the citizen after the grant.
		if _, err := tx.ExecContext(ctx, `UPDATE assignments SET ext_state = 'granted', ext_decided_by = $1, ext_decided_at = $2 WHERE id = $3`,
			nullID(actor.UserID), now, asg.ID); err != nil {
			return step{}, err
		}
		if err := s.redue(ctx, tx, t, now); err != nil {
			return step{}, err
		}
		return step{data: map[string]any{"until": t.Deadline.Format(time.RFC3339)}, resetSLA: true}, nil
	default: // DenyExtension
		reason, err := requiredText(in.Reason, "reason", MaxReason)
		if err != nil {
			return step{}, err
		}
		_, err = tx.ExecContext(ctx, `UPDATE assignments SET ext_state = 'denied', ext_decided_by = $1, ext_decided_at = $2 WHERE id = $3`, nullID(actor.UserID), now, asg.ID)
		return step{body: reason}, err
	}
}

func (s *Service) answer(ctx context.Context, tx *sql.Tx, actor user.Actor, t *Ticket, in Input, now time.Time) (step, error) {
	text, err := requiredText(in.Text, "text", MaxContent)
	if err != nil {
		return step{}, err
	}
	asg, err := s.currentAssignment(ctx, tx, *t)
	if err != nil {
		return step{}, err
	}
	// Answering a ticket that was never explicitly accepted accepts it.
	if _, err := tx.ExecContext(ctx, `UPDATE assignments SET state = $1, answered_by = $2, answered_at = $3, answer = $4,
			accepted_at = COALESCE(accepted_at, $3), accepted_by = COALESCE(accepted_by, $2) WHERE id = $5`,
		AsgAnswered, nullID(actor.UserID), now, text, asg.ID); err != nil {
		return step{}, err
	}
	t.Answer, t.AnsweredBy = text, actor.UserID
	if t.ResolvedAt.IsZero() {
		t.ResolvedAt = now
	}
	return step{data: map[string]any{"agency": asg.AgencyCode}, body: text}, nil
}

// review is approve and send-back. The four-eyes rule is the workflow
// table's (check).
func (s *Service) review(ctx context.Context, tx *sql.Tx, actor user.Actor, t *Ticket, a Action, in Input, now time.Time) (step, error) {
	asg, err := s.currentAssignment(ctx, tx, *t)
	if err != nil {
		return step{}, err
	}
	if a == Approve {
		return step{data: map[string]any{"agency": asg.AgencyCode}}, nil
	}
	reason, err := requiredText(in.Reason, "reason", MaxReason)
	if err != nil {
		return step{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE assignments SET state = $1, answered_at = NULL WHERE id = $2`, AsgAccepted, asg.ID); err != nil {
		return step{}, err
	}
	// The answer was not good enough: the clock runs again.
	t.State, t.ResolvedAt = Accepted, time.Time{}
	return step{data: map[string]any{"agency": asg.AgencyCode}, body: reason, resetSLA: true}, nil
}
