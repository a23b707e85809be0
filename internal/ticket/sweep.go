package ticket

import (
	"context"
	"database/sql"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/user"
)

// sweepLockID keeps the SLA sweep a singleton across instances.
const sweepLockID = 0x736c61737765 // "slaswe"

// Sweep marks open tickets that crossed their warning time or deadline
// since the last sweep, with a timeline event each (one that is past its
// deadline when found is only overdue, never at risk after the fact), and tells listeners so
// the people concerned see it at once: an overdue ticket is escalated to
// its SLA policy's escalation target (Change.EscalateTo, and "escalate_to" on
// the timeline event), and escalated again past the policy's second
// threshold (EventEscalated). A target of the agency's lead when the
// agency names no active lead escalates to the supervisors
// (sla.EscalationFor), and the timeline says so ("escalate_fallback").
// It returns how many it marked at risk and overdue.
// A ticket waiting for the citizen is not marked: its clocks stand still.
// Only the SLA runner (SLARunner) sweeps.
func (s *Service) Sweep(ctx context.Context, actor user.Actor) (warned, overdue int, err error) {
	if err := Permit(actor, MarkSLA); err != nil {
		return 0, 0, err
	}
	now := s.clock()
	var changes []Change
	ctx, after := withAfter(ctx)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if s.db.Dialect == db.Postgres {
			var got bool
			if err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock($1)`, sweepLockID).Scan(&got); err != nil || !got {
				return err // another instance is sweeping
			}
		}
		var err error
		// A ticket already past its deadline when first found (after a
		// restart, an import, a sweep that could not run) goes straight to
		// overdue: being "at risk" is news only before the deadline.
		if warned, err = s.sweepOne(ctx, tx, now, "warn_at", "sla_warned_at", "sla.at_risk", &changes); err != nil {
			return err
		}
		if overdue, err = s.sweepOne(ctx, tx, now, "deadline", "sla_breached_at", "sla.overdue", &changes); err != nil {
			return err
		}
		// The second threshold, after the overdue mark (in the same run
		// for a ticket found that late).
		_, err = s.sweepOne(ctx, tx, now, "escalate_at", "sla_escalated_at", EventEscalated, &changes)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	after.run()
	for _, c := range changes {
		s.log.Info("ticket "+c.Action, "ticket_id", c.TicketID)
		if s.Notify != nil {
			s.Notify(c)
		}
	}
	return warned, overdue, nil
}

// sweepOne marks up to 1000 tickets per run; a backlog clears over a few
// runs without one long transaction.
func (s *Service) sweepOne(ctx context.Context, tx *sql.Tx, now time.Time, due, flag, event string, changes *[]Change) (int, error) {
	notYetDue := ""
	if event == "sla.at_risk" {
		notYetDue = ` AND t.deadline > $1`
	}
	rows, err := tx.QueryContext(ctx, `SELECT t.id, t.code, t.state, t.agency_id, p.escalate_role, lu.id FROM tickets t
		LEFT JOIN sla_policies p ON p.id = t.sla_policy_id
		LEFT JOIN agencies ag ON ag.id = t.agency_id
		LEFT JOIN users lu ON lu.id = ag.lead_id AND lu.active
		WHERE t.resolved_at IS NULL AND t.`+flag+` IS NULL AND t.waiting_since IS NULL AND t.`+due+` <= $1`+notYetDue+` ORDER BY t.`+due+` LIMIT 1000`, now)
	if err != nil {
		return 0, db.Fail(err)
	}
	var found []Change
	for rows.Next() {
		var c Change
		var agency, lead sql.NullInt64
		var role sql.NullString
		if err := rows.Scan(&c.TicketID, &c.Code, &c.State, &agency, &role, &lead); err != nil {
			rows.Close()
			return 0, db.Fail(err)
		}
		c.AgencyID, c.Action = agency.Int64, event
		if event == "sla.overdue" || event == EventEscalated {
			// A ticket no stored policy matched is on the default policy.
			c.EscalateTo = sla.EscalationFor(user.Role(role.String), lead.Valid)
			if c.EscalateTo != user.Role(role.String) && role.String != "" {
				c.fallbackFrom = user.Role(role.String)
			}
		}
		found = append(found, c)
	}
	if err := rows.Close(); err != nil {
		return 0, db.Fail(err)
	}
	for _, c := range found {
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET `+flag+` = $1 WHERE id = $2`, now, c.TicketID); err != nil {
			return 0, db.Fail(err)
		}
		if err := s.track(ctx, tx, c.TicketID); err != nil {
			return 0, err
		}
		m := Message{TicketID: c.TicketID, Kind: MsgEvent, Event: event, CreatedAt: now}
		if c.EscalateTo != "" {
			m.Data = map[string]any{"escalate_to": string(c.EscalateTo)}
			if c.fallbackFrom != "" {
				m.Data["escalate_fallback"] = string(c.fallbackFrom)
			}
		}
		msg, err := addMessage(ctx, tx, m)
		if err != nil {
			return 0, db.Fail(err)
		}
		if err := s.emit(ctx, tx, Event{TicketID: c.TicketID, Code: c.Code, Name: event, State: c.State, AgencyID: c.AgencyID,
			MessageID: msg, EscalateTo: c.EscalateTo, At: now}); err != nil {
			return 0, err
		}
	}
	*changes = append(*changes, found...)
	return len(found), nil
}

// EventEscalated is the timeline event of the second escalation, past the
// policy's EscalateAgainPercent of its target.
const EventEscalated = "sla.escalated"

// Sweeper runs Sweep every Interval until its context ends.
type Sweeper struct {
	Service  *Service
	Interval time.Duration
	OnError  func(error)
}

// Run implements a background runner.
func (w *Sweeper) Run(ctx context.Context) error {
	iv := w.Interval
	if iv <= 0 {
		iv = 30 * time.Second
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, _, err := w.Service.Sweep(ctx, SLARunner); err != nil && ctx.Err() == nil && w.OnError != nil {
				w.OnError(err)
			}
		}
	}
}
