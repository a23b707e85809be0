// The hotline desk's actions: classify, forward, reply, reopen, merge and
// publish. Who may take them, and from which state, is in workflow.go.

package ticket

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/vntext"
)

func (s *Service) classify(ctx context.Context, tx *sql.Tx, actor user.Actor, t *Ticket, in Input, now time.Time) (step, error) {
	data := map[string]any{}
	if in.Category == "" && t.CategoryID == 0 {
		return step{}, errs.Invalidf("field.required").InField("category")
	}
	if in.Category != "" {
		id, kind, err := s.categoryID(ctx, tx, in.Category, "category")
		if err != nil {
			return step{}, err
		}
		t.CategoryID = id
		if in.Kind == "" && t.Kind == "" {
			t.Kind = kind
		}
		data["category"] = strings.TrimSpace(in.Category)
	}
	if in.Kind != "" {
		k, err := category.ParseKind(in.Kind)
		if err != nil {
			return step{}, errs.As(err).InField("kind")
		}
		t.Kind = string(k)
		data["kind"] = t.Kind
	}
	if in.Area != "" {
		code, err := s.wardCode(ctx, tx, in.Area, "area")
		if err != nil {
			return step{}, err
		}
		t.AreaCode = code
		data["area"] = code
	}
	if in.Priority != "" {
		if !sla.ValidPriority(in.Priority) {
			return step{}, errs.Invalidf("ticket.priority_unknown").InField("priority")
		}
		t.Priority = in.Priority
		data["priority"] = t.Priority
	}
	if title := vntext.Line(in.Title); title != "" {
		if vntext.Len(title) > MaxTitle {
			return step{}, errs.Invalidf("field.too_long", "max", strconv.Itoa(MaxTitle)).InField("title")
		}
		t.Title = title
	}
	if addr := vntext.Line(in.Address); addr != "" {
		if vntext.Len(addr) > MaxAddress {
			return step{}, errs.Invalidf("field.too_long", "max", strconv.Itoa(MaxAddress)).InField("address")
		}
		t.Address = addr
	}
	if t.OwnerID == 0 && actor.IsUser() {
		t.OwnerID = actor.UserID
	}
	// The category and priority decide the policy; the clock still runs
	// from when it started: the receipt, or the reopening.
	start, err := clockStart(ctx, tx, *t)
	if err != nil {
		return step{}, err
	}
	oldDeadline := t.Deadline
	if err := s.applySLA(ctx, tx, t, start); err != nil {
		return step{}, err
	}
	if in.Title != "" || in.Address != "" {
		if err := s.index(ctx, tx, *t, true); err != nil {
			return step{}, err
		}
	}
	st := step{data: data, resetSLA: !t.Deadline.Equal(oldDeadline)}
	if t.AreaCode != "" {
		auto, err := s.autoRoute(ctx, tx, *t)
		if err != nil {
			return step{}, err
		}
		if auto {
			st.follow = Forward
		}
	}
	return st, nil
}

// clockStart is when t's own SLA clock started: its receipt, or its
// reopening.
func clockStart(ctx context.Context, tx *sql.Tx, t Ticket) (time.Time, error) {
	var started sql.NullTime
	if err := tx.QueryRowContext(ctx, `SELECT sla_started_at FROM tickets WHERE id = $1`, t.ID).Scan(&started); err != nil {
		return time.Time{}, err
	}
	if started.Valid {
		return started.Time.UTC(), nil
	}
	return t.ReceivedAt, nil
}

// autoRoute reports whether a routing rule forwards t by itself. No rule
// is a plain no; any other failure is the caller's, so a ticket is never
// left with the desk because the rules could not be read.
func (s *Service) autoRoute(ctx context.Context, tx *sql.Tx, t Ticket) (bool, error) {
	r, err := s.routes.Suggest(ctx, tx, t.CategoryID, t.AreaCode)
	if errs.CodeOf(err) == errs.NotFound {
		return false, nil
	}
	return err == nil && r.AutoForward, err
}

// autoForward forwards a new ticket when a routing rule says so. It runs
// inside Create's transaction.
func (s *Service) autoForward(ctx context.Context, tx *sql.Tx, t *Ticket, now time.Time) (bool, error) {
	if auto, err := s.autoRoute(ctx, tx, *t); err != nil || !auto {
		return false, err
	}
	t.State = Received
	if _, _, err := s.apply(ctx, tx, user.System, t, Forward, Input{}); err != nil {
		return false, err
	}
	return true, nil
}

func (s *Service) forward(ctx context.Context, tx *sql.Tx, actor user.Actor, t *Ticket, a Action, in Input, now time.Time) (step, error) {
	day := clock.Day(now)
	var target int64
	var suggested bool
	if strings.TrimSpace(in.Agency) != "" {
		id, err := agencyID(ctx, tx, in.Agency, day, "agency")
		if err != nil {
			return step{}, err
		}
		target = id
	} else {
		r, err := s.routes.Suggest(ctx, tx, t.CategoryID, t.AreaCode)
		if errs.CodeOf(err) == errs.NotFound {
			return step{}, errs.Invalidf("field.required").InField("agency")
		}
		if err != nil {
			return step{}, err
		}
		target, suggested = r.AgencyID, true
	}
	if a == Reassign && target == t.AgencyID {
		return step{}, errs.Invalidf("ticket.same_agency").InField("agency")
	}
	note := vntext.Clean(in.Note)
	if vntext.Len(note) > MaxReason {
		return step{}, errs.Invalidf("field.too_long", "max", strconv.Itoa(MaxReason)).InField("note")
	}
	if t.AssignmentID != 0 {
		// Reassigning withdraws the agency that held it.
		if _, err := tx.ExecContext(ctx, `UPDATE assignments SET state = $1, closed_at = $2 WHERE id = $3`, AsgWithdrawn, now, t.AssignmentID); err != nil {
			return step{}, err
		}
	}
	// The agency's clock starts now, with the ticket's policy's target on
	// the agency's calendar.
	p, err := s.sla.Policy(ctx, t.SLAPolicyID)
	if err != nil {
		return step{}, err
	}
	due, err := s.sla.AssignmentDeadlines(ctx, p, target, now)
	if err != nil {
		return step{}, err
	}
	reset := false
	if p.Calendar == sla.Agency {
		// The ticket's own clock counts on the calendar of the agency
		// holding it, still from its start.
		start, err := clockStart(ctx, tx, *t)
		if err != nil {
			return step{}, err
		}
		own, err := s.ownDue(ctx, tx, *t, p, target, start, now)
		if err != nil {
			return step{}, err
		}
		reset = !own.Deadline.Equal(t.Deadline)
		t.setDue(own)
	}
	var asg int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO assignments (ticket_id, agency_id, state, note, forwarded_by, forwarded_at, deadline)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		t.ID, target, AsgPending, note, nullID(actor.UserID), now, due.Deadline).Scan(&asg); err != nil {
		return step{}, err
	}
	code, err := agencyCode(ctx, tx, target)
	if err != nil {
		return step{}, err
	}
	t.AgencyID, t.AssignmentID = target, asg
	t.State = Forwarded
	if t.OwnerID == 0 && actor.IsUser() {
		t.OwnerID = actor.UserID
	}
	return step{data: map[string]any{"agency": code, "assignment_id": asg, "suggested": suggested}, body: note, resetSLA: reset}, nil
}

// reply sends the answer to the citizen on their channel: the approved
// agency answer, or the operator's own direct answer.
func (s *Service) reply(t *Ticket, in Input, now time.Time) (step, error) {
	text := vntext.Clean(in.Text)
	if vntext.Len(text) > MaxContent {
		return step{}, errs.Invalidf("field.too_long", "max", strconv.Itoa(MaxContent)).InField("text")
	}
	direct := t.State != Approved
	if direct {
		if text == "" {
			return step{}, errs.Invalidf("field.required").InField("text")
		}
		t.Answer = text
	} else if text == "" {
		text = t.Answer
	}
	if t.ResolvedAt.IsZero() {
		t.ResolvedAt = now
	}
	if t.FirstResponseAt.IsZero() {
		t.FirstResponseAt = now
	}
	data := map[string]any{"direct": direct, "channel": string(t.Channel)}
	if in.InPerson {
		data["in_person"] = true
	}
	return step{data: data, body: text, kind: MsgOutbound, outbound: true, inPerson: in.InPerson}, nil
}

func (s *Service) reopen(ctx context.Context, tx *sql.Tx, t *Ticket, in Input, now time.Time) (step, error) {
	reason, err := requiredText(in.Reason, "reason", MaxReason)
	if err != nil {
		return step{}, err
	}
	if t.AssignmentID != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE assignments SET closed_at = COALESCE(closed_at, $1) WHERE id = $2`, now, t.AssignmentID); err != nil {
			return step{}, err
		}
	}
	t.State = Received
	if t.CategoryID != 0 && t.AreaCode != "" {
		t.State = Classified
	}
	t.AgencyID, t.AssignmentID = 0, 0
	t.ResolvedAt, t.ClosedAt, t.Answer, t.AnsweredBy = time.Time{}, time.Time{}, "", 0
	// A reopened ticket gets a fresh clock from now.
	if err := s.applySLA(ctx, tx, t, now); err != nil {
		return step{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tickets SET sla_started_at = $1 WHERE id = $2`, now, t.ID); err != nil {
		return step{}, err
	}
	return step{body: reason, resetSLA: true}, nil
}

func (s *Service) merge(ctx context.Context, tx *sql.Tx, actor user.Actor, t *Ticket, in Input, now time.Time) (step, error) {
	into := strings.TrimSpace(in.Into)
	if into == "" {
		return step{}, errs.Invalidf("field.required").InField("into")
	}
	var target Ticket
	var err error
	if id, perr := strconv.ParseInt(into, 10, 64); perr == nil {
		target, err = scanTicket(tx.QueryRowContext(ctx, selectTicket+` WHERE t.id = $1`, id))
	} else {
		target, err = scanTicket(tx.QueryRowContext(ctx, selectTicket+` WHERE t.code = $1`, NormalizeCode(into)))
	}
	if err != nil || !Visible(actor, target) {
		return step{}, errs.Invalidf("ticket.merge_target_unknown").InField("into")
	}
	switch {
	case target.ID == t.ID:
		return step{}, errs.Invalidf("ticket.merge_self").InField("into")
	case target.State == Merged || target.State == Refused:
		return step{}, errs.Conflictf("ticket.merge_target_closed")
	}
	if t.AssignmentID != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE assignments SET state = $1, closed_at = $2 WHERE id = $3`, AsgWithdrawn, now, t.AssignmentID); err != nil {
			return step{}, err
		}
	}
	t.MergedInto, t.AgencyID, t.AssignmentID = target.ID, 0, 0
	t.ResolvedAt, t.ClosedAt = now, now
	if _, err := addMessage(ctx, tx, Message{TicketID: target.ID, Kind: MsgEvent, Event: "merged-from", AuthorID: actor.UserID,
		Data: map[string]any{"ticket": t.Code}, CreatedAt: now}); err != nil {
		return step{}, err
	}
	return step{data: map[string]any{"into": target.Code}}, nil
}

func (s *Service) publish(ctx context.Context, tx *sql.Tx, t *Ticket, in Input, now time.Time) (step, error) {
	p, scrub, err := s.anonymise(ctx, *t)
	if err != nil {
		return step{}, err
	}
	if v := vntext.Line(in.PublicTitle); v != "" {
		p.PublicTitle = v
	}
	if v := vntext.Clean(in.PublicContent); v != "" {
		p.PublicContent = v
	}
	if v := vntext.Clean(in.PublicAnswer); v != "" {
		p.PublicAnswer = v
	}
	// Even text a supervisor typed goes through the scrubber: a phone
	// number pasted by mistake must not be published.
	t.PublicTitle, t.PublicContent, t.PublicAnswer = scrub(p.PublicTitle), scrub(p.PublicContent), scrub(p.PublicAnswer)
	t.PublishedAt = now
	return step{}, nil
}

// MayOwn reports whether a user of role r may own a ticket: the hotline's
// desk. Agencies own their work through the forwarding instead.
func MayOwn(r user.Role) bool { return slices.Contains(desk, r) }

// assign gives the ticket to a member of the hotline's desk: an active
// operator, supervisor or admin. Agencies own their work through the
// forwarding, not through the ticket's owner.
func (s *Service) assign(ctx context.Context, tx *sql.Tx, t *Ticket, in Input) (step, error) {
	if in.Owner == 0 {
		return step{}, errs.Invalidf("field.required").InField("owner")
	}
	var role, name string
	var active bool
	err := tx.QueryRowContext(ctx, `SELECT role, active, name FROM users WHERE id = $1`, in.Owner).Scan(&role, &active, &name)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (!active || !MayOwn(user.Role(role)))) {
		return step{}, errs.Invalidf("ticket.assignee_invalid").InField("owner")
	}
	if err != nil {
		return step{}, err
	}
	if t.OwnerID == in.Owner {
		return step{}, errs.Conflictf("ticket.already_assigned")
	}
	t.OwnerID = in.Owner
	// The staff member's name, for the timeline: staff names are not
	// the reporter's personal data.
	return step{data: map[string]any{"owner_id": in.Owner, "owner": name}}, nil
}
