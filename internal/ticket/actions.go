package ticket

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// Input carries the parameters of an action; each action reads the fields
// it needs and rejects what is missing.
type Input struct {
	Kind     string // classify
	Category string // classify: code
	Area     string // classify: ward code
	Priority string // classify
	Title    string // classify
	Address  string // classify
	Agency   string // forward, reassign: code; empty takes the routing suggestion
	Note     string // forward, reassign
	Reason   string // return, refuse, send-back, reopen, request-/deny-extension
	Until    time.Time
	Text     string // answer, reply, note
	Into     string // merge: the other ticket's code or id
	Rating   int    // rate: 1–5
	Comment  string // rate
	// publish: the public text; empty fields take an anonymised copy.
	PublicTitle, PublicContent, PublicAnswer string
}

// step is what an action did, for the timeline and the audit log.
type step struct {
	data      map[string]any // no personal data
	body      string         // timeline text (a note, an answer, a reason)
	kind      string         // timeline kind; MsgEvent by default
	resetSLA  bool           // the deadline moved: the sweeper may warn again
	follow    Action         // an automatic next action (auto-forward)
	outbound  bool           // the body goes to the citizen on their channel
	auditOnly bool           // nothing for the timeline
}

// Do performs action a on ticket id as actor, all or nothing: the change,
// its timeline entry and its audit event commit together or not at all.
func (s *Service) Do(ctx context.Context, actor user.Actor, id int64, a Action, in Input) (Ticket, error) {
	if _, ok := lifecycle[a]; !ok {
		return Ticket{}, errs.NotFoundf("ticket.action_unknown", "action", string(a))
	}
	var t Ticket
	var actions []Action
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		t, err = s.lock(ctx, tx, id)
		if err != nil {
			return err
		}
		next, err := s.apply(ctx, tx, actor, &t, a, in)
		if err != nil {
			return err
		}
		actions = append(actions, a)
		if next != "" {
			if _, err := s.apply(ctx, tx, user.System, &t, next, Input{}); err != nil {
				return err
			}
			actions = append(actions, next)
		}
		return nil
	})
	if err != nil {
		return Ticket{}, err
	}
	t, err = s.get(ctx, id)
	if err != nil {
		return Ticket{}, err
	}
	for _, act := range actions {
		s.log.Info("ticket "+string(act), "ticket_id", t.ID, "state", t.State, "actor_role", actor.Label())
		s.changed(t, string(act))
	}
	return t, nil
}

// apply checks and performs one action inside tx and records it.
func (s *Service) apply(ctx context.Context, tx *sql.Tx, actor user.Actor, t *Ticket, a Action, in Input) (Action, error) {
	if err := check(a, actor, *t); err != nil {
		return "", err
	}
	now := s.clock()
	from := t.State
	st, err := s.perform(ctx, tx, actor, t, a, in, now)
	if err != nil {
		return "", err
	}
	if r := lifecycle[a]; r.to != "" && t.State == from {
		t.State = r.to
	}
	if err := s.save(ctx, tx, t, now, st.resetSLA); err != nil {
		return "", err
	}
	data := st.data
	if data == nil {
		data = map[string]any{}
	}
	if from != t.State {
		data["from"], data["to"] = string(from), string(t.State)
	}
	if !st.auditOnly {
		m := Message{TicketID: t.ID, Kind: MsgEvent, Event: string(a), AuthorID: actor.UserID, Body: st.body, Data: data, CreatedAt: now}
		if st.kind != "" {
			m.Kind = st.kind
		}
		if st.outbound {
			m.Channel, m.Delivery = t.Channel, "queued"
		}
		if _, err := addMessage(ctx, tx, m); err != nil {
			return "", err
		}
	}
	if err := audit.Append(ctx, tx, audit.Event{At: now, ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
		Action: "ticket." + string(a), TicketID: t.ID, Detail: data}); err != nil {
		return "", err
	}
	return st.follow, nil
}

func required(v, field string) (string, error) {
	v = vntext.Clean(v)
	if v == "" {
		return "", errs.Invalidf("field.required").InField(field)
	}
	return v, nil
}

func requiredText(v, field string, max int) (string, error) {
	v, err := required(v, field)
	if err != nil {
		return "", err
	}
	if vntext.Len(v) > max {
		return "", errs.Invalidf("field.too_long", "max", strconv.Itoa(max)).InField(field)
	}
	return v, nil
}

// perform is the body of each action. The transition table has already
// said yes to who and from where; what remains is each action's own rules.
func (s *Service) perform(ctx context.Context, tx *sql.Tx, actor user.Actor, t *Ticket, a Action, in Input, now time.Time) (step, error) {
	switch a {
	case Classify:
		return s.classify(ctx, tx, actor, t, in, now)
	case Take:
		t.OwnerID = actor.UserID
		return step{data: map[string]any{"owner_id": actor.UserID}}, nil
	case Forward, Reassign:
		return s.forward(ctx, tx, actor, t, a, in, now)
	case Accept:
		return s.accept(ctx, tx, actor, t, now)
	case Return:
		return s.giveBack(ctx, tx, actor, t, in, now)
	case RequestExtension, GrantExtension, DenyExtension:
		return s.extension(ctx, tx, actor, t, a, in, now)
	case AnswerAction:
		return s.answer(ctx, tx, actor, t, in, now)
	case Approve, SendBack:
		return s.review(ctx, tx, actor, t, a, in, now)
	case Reply:
		return s.reply(t, in, now)
	case Close:
		t.ClosedAt = now
		return step{}, nil
	case Reopen:
		return s.reopen(ctx, tx, t, in, now)
	case Refuse:
		reason, err := requiredText(in.Reason, "reason", MaxReason)
		if err != nil {
			return step{}, err
		}
		t.ResolvedAt, t.ClosedAt = now, now
		return step{body: reason}, nil
	case Merge:
		return s.merge(ctx, tx, actor, t, in, now)
	case Note:
		text, err := requiredText(in.Text, "text", MaxContent)
		if err != nil {
			return step{}, err
		}
		return step{body: text, kind: MsgNote}, nil
	case Rate:
		if in.Rating < 1 || in.Rating > 5 {
			return step{}, errs.Invalidf("ticket.rating_range").InField("rating")
		}
		t.Rating, t.RatingComment = in.Rating, vntext.Clean(in.Comment)
		if vntext.Len(t.RatingComment) > MaxReason {
			return step{}, errs.Invalidf("field.too_long", "max", strconv.Itoa(MaxReason)).InField("comment")
		}
		return step{data: map[string]any{"rating": in.Rating}, body: t.RatingComment}, nil
	case Publish:
		return s.publish(ctx, tx, t, in, now)
	case Unpublish:
		if t.PublishedAt.IsZero() {
			return step{}, errs.Conflictf("ticket.not_published")
		}
		t.PublishedAt = time.Time{}
		return step{}, nil
	}
	return step{}, errs.NotFoundf("ticket.action_unknown", "action", string(a))
}

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
	// from receipt.
	oldDeadline := t.Deadline
	if err := s.applySLA(ctx, t, t.ReceivedAt); err != nil {
		return step{}, err
	}
	if in.Title != "" || in.Address != "" {
		if err := s.index(ctx, tx, *t, true); err != nil {
			return step{}, err
		}
	}
	st := step{data: data, resetSLA: !t.Deadline.Equal(oldDeadline)}
	if t.AreaCode != "" {
		if r, err := s.routes.Suggest(ctx, tx, t.CategoryID, t.AreaCode); err == nil && r.AutoForward {
			st.follow = Forward
		}
	}
	return st, nil
}

// autoForward forwards a new ticket when a routing rule says so. It runs
// inside Create's transaction.
func (s *Service) autoForward(ctx context.Context, tx *sql.Tx, t *Ticket, now time.Time) (bool, error) {
	r, err := s.routes.Suggest(ctx, tx, t.CategoryID, t.AreaCode)
	if err != nil || !r.AutoForward {
		return false, nil
	}
	t.State = Received
	if _, err := s.apply(ctx, tx, user.System, t, Forward, Input{}); err != nil {
		return false, err
	}
	return true, nil
}

func (s *Service) forward(ctx context.Context, tx *sql.Tx, actor user.Actor, t *Ticket, a Action, in Input, now time.Time) (step, error) {
	day := now.Format("2006-01-02")
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
		if err != nil {
			return step{}, errs.Invalidf("field.required").InField("agency")
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
	var asg int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO assignments (ticket_id, agency_id, state, note, forwarded_by, forwarded_at, deadline)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		t.ID, target, AsgPending, note, nullID(actor.UserID), now, t.Deadline).Scan(&asg); err != nil {
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
	return step{data: map[string]any{"agency": code, "assignment_id": asg, "suggested": suggested}, body: note}, nil
}

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
		if asg.ExtState == "requested" {
			return step{}, errs.Conflictf("ticket.extension_pending")
		}
		reason, err := requiredText(in.Reason, "reason", MaxReason)
		if err != nil {
			return step{}, err
		}
		until := in.Until.UTC().Truncate(time.Microsecond)
		switch {
		case until.IsZero():
			return step{}, errs.Invalidf("field.required").InField("until")
		case !until.After(t.Deadline) || !until.After(now):
			return step{}, errs.Invalidf("ticket.extension_not_later").InField("until")
		case until.Sub(now) > maxExtension:
			return step{}, errs.Invalidf("ticket.extension_too_long", "days", "30").InField("until")
		}
		_, err = tx.ExecContext(ctx, `UPDATE assignments SET ext_state = 'requested', ext_until = $1, ext_reason = $2, ext_requested_by = $3, ext_requested_at = $4 WHERE id = $5`,
			until, reason, nullID(actor.UserID), now, asg.ID)
		return step{data: map[string]any{"until": until.Format(time.RFC3339), "agency": asg.AgencyCode}, body: reason}, err
	case GrantExtension:
		if asg.ExtState != "requested" {
			return step{}, errs.Conflictf("ticket.extension_none_pending")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE assignments SET ext_state = 'granted', deadline = $1, ext_decided_by = $2, ext_decided_at = $3 WHERE id = $4`,
			asg.ExtUntil, nullID(actor.UserID), now, asg.ID); err != nil {
			return step{}, err
		}
		// Keep the same warning margin before the new deadline.
		margin := t.Deadline.Sub(t.WarnAt)
		t.Deadline = asg.ExtUntil.UTC()
		t.WarnAt = t.Deadline.Add(-margin)
		return step{data: map[string]any{"until": t.Deadline.Format(time.RFC3339)}, resetSLA: true}, nil
	default: // DenyExtension
		if asg.ExtState != "requested" {
			return step{}, errs.Conflictf("ticket.extension_none_pending")
		}
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

// review is approve and send-back. Four eyes: an operator may not approve
// an answer on a ticket they forwarded themselves; a supervisor may.
func (s *Service) review(ctx context.Context, tx *sql.Tx, actor user.Actor, t *Ticket, a Action, in Input, now time.Time) (step, error) {
	asg, err := s.currentAssignment(ctx, tx, *t)
	if err != nil {
		return step{}, err
	}
	if actor.Role == user.Operator && (asg.ForwardedBy == actor.UserID || t.AnsweredBy == actor.UserID) {
		return step{}, errs.Forbiddenf("ticket.own_answer")
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
	return step{data: map[string]any{"direct": direct, "channel": string(t.Channel)}, body: text, kind: MsgOutbound, outbound: true}, nil
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
	if err := s.applySLA(ctx, t, now); err != nil {
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
	if t.Answer == "" {
		return step{}, errs.Conflictf("ticket.publish_no_answer")
	}
	p := s.anonymise(ctx, *t)
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
	t.PublicTitle = s.scrub(ctx, *t, p.PublicTitle)
	t.PublicContent = s.scrub(ctx, *t, p.PublicContent)
	t.PublicAnswer = s.scrub(ctx, *t, p.PublicAnswer)
	t.PublishedAt = now
	return step{}, nil
}
