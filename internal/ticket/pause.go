// Need more information: a question to the citizen pauses the ticket's
// clocks until they answer. Who may ask and when is in workflow.go
// (RequestInfo, InfoReceived, whileWaiting); the deadlines come from
// sla.Compute, given the pauses stored here (sla_pauses).

package ticket

import (
	"context"
	"database/sql"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/sla"
)

// requestInfo asks the citizen a question on their own channel, through
// the outbox like an answer (a phone ticket's goes by email or waits on
// the call-back list), and starts a pause of the ticket's clock and of
// its current assignment's.
func (s *Service) requestInfo(ctx context.Context, tx *sql.Tx, t *Ticket, in Input, now time.Time) (step, error) {
	text, err := requiredText(in.Text, "text", MaxContent)
	if err != nil {
		return step{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sla_pauses (ticket_id, assignment_id, paused_at) VALUES ($1, $2, $3)`,
		t.ID, nullID(t.AssignmentID), now); err != nil {
		return step{}, db.Fail(err)
	}
	t.WaitingSince = now
	return step{data: map[string]any{"channel": string(t.Channel), "paused": true}, body: text, kind: MsgOutbound, outbound: true}, nil
}

// infoReceived ends the pause: the citizen's answer came, as a message
// that joined the ticket (in.viaMessage) or told to the staff by phone
// (in.Text). The deadlines move by the counted time the clocks stood
// still; the timeline says by how much and to when.
func (s *Service) infoReceived(ctx context.Context, tx *sql.Tx, t *Ticket, in Input, now time.Time) (step, error) {
	data := map[string]any{"via": "message", "message_id": in.viaMessage}
	var body string
	if in.viaMessage == 0 {
		text, err := requiredText(in.Text, "text", MaxContent)
		if err != nil {
			return step{}, err
		}
		data, body = map[string]any{"via": "staff"}, text
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sla_pauses SET resumed_at = $1 WHERE ticket_id = $2 AND resumed_at IS NULL`, now, t.ID); err != nil {
		return step{}, db.Fail(err)
	}
	waited := now.Sub(t.WaitingSince)
	t.WaitingSince = time.Time{}
	old := t.Deadline
	if err := s.redue(ctx, tx, t, now); err != nil {
		return step{}, err
	}
	data["paused_minutes"] = int64(waited / time.Minute)
	data["deadline"] = t.Deadline.Format(time.RFC3339)
	// The sweeper may warn again only for a deadline still ahead.
	return step{data: data, body: body, resetSLA: !t.Deadline.Equal(old) && t.Deadline.After(now)}, nil
}

// pauses returns the pauses of ticket id that started at or after since,
// or, for assignment asg (not 0), those taken while it held the ticket.
func pauses(ctx context.Context, q db.Querier, id, asg int64, since time.Time) ([]sla.Pause, error) {
	query, args := `SELECT paused_at, resumed_at FROM sla_pauses WHERE ticket_id = $1 AND paused_at >= $2 ORDER BY paused_at`, []any{id, since}
	if asg != 0 {
		query, args = `SELECT paused_at, resumed_at FROM sla_pauses WHERE ticket_id = $1 AND assignment_id = $2 ORDER BY paused_at`, []any{id, asg}
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []sla.Pause
	for rows.Next() {
		var from time.Time
		var to sql.NullTime
		if err := rows.Scan(&from, &to); err != nil {
			return nil, db.Fail(err)
		}
		p := sla.Pause{From: from.UTC()}
		if to.Valid {
			p.To = to.Time.UTC()
		}
		out = append(out, p)
	}
	return out, db.Fail(rows.Err())
}

// ownDue is the ticket's own clock under p, counted from start on the
// calendar policy p names for the agency agencyID holding it, without
// the pauses since start.
func (s *Service) ownDue(ctx context.Context, tx *sql.Tx, t Ticket, p sla.Policy, agencyID int64, start, now time.Time) (sla.Due, error) {
	var ps []sla.Pause
	if t.ID != 0 {
		var err error
		if ps, err = pauses(ctx, tx, t.ID, 0, start); err != nil {
			return sla.Due{}, err
		}
	}
	return s.sla.TicketDue(ctx, p, agencyID, sla.Events{Start: start, Pauses: ps}, now)
}

// redue recomputes t's deadlines from its clocks' events: its own from
// its start, and its current assignment's from the forward with its
// pauses and an approved extension (which then sets the ticket's too, as
// granting it does).
func (s *Service) redue(ctx context.Context, tx *sql.Tx, t *Ticket, now time.Time) error {
	p, err := s.sla.Policy(ctx, t.SLAPolicyID)
	if err != nil {
		return err
	}
	start, err := clockStart(ctx, tx, *t)
	if err != nil {
		return err
	}
	own, err := s.ownDue(ctx, tx, *t, p, t.AgencyID, start, now)
	if err != nil {
		return err
	}
	t.setDue(own)
	if t.AssignmentID == 0 {
		return nil
	}
	var agencyID int64
	var forwarded time.Time
	var ext sql.NullString
	var until, decided sql.NullTime
	if err := tx.QueryRowContext(ctx, `SELECT agency_id, forwarded_at, ext_state, ext_until, ext_decided_at FROM assignments WHERE id = $1`,
		t.AssignmentID).Scan(&agencyID, &forwarded, &ext, &until, &decided); err != nil {
		return db.Fail(err)
	}
	ps, err := pauses(ctx, tx, t.ID, t.AssignmentID, time.Time{})
	if err != nil {
		return err
	}
	ev := sla.Events{Start: forwarded.UTC(), Pauses: ps}
	granted := ext.String == "granted" && until.Valid
	if granted {
		ev.Extensions = []sla.Extension{{At: decided.Time.UTC(), Until: until.Time.UTC()}}
	}
	due, err := s.sla.AssignmentDue(ctx, p, agencyID, ev, now)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE assignments SET deadline = $1 WHERE id = $2`, due.Deadline, t.AssignmentID); err != nil {
		return db.Fail(err)
	}
	if granted {
		t.setDue(due)
	}
	return nil
}
