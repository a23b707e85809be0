package ticket

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/errs"
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
	// reply: the operator gave the answer in person, on the call or at
	// the desk; it is on the timeline as delivered, and nothing is sent.
	InPerson bool
	Into     string // merge: the other ticket's code or id
	Owner    int64  // assign: the user who will own the ticket
	Rating   int    // rate: 1–5
	Comment  string // rate
	// publish: the public text; empty fields take an anonymised copy.
	PublicTitle, PublicContent, PublicAnswer string
	// info-received: the citizen's message that answered the question,
	// when one did (the service's own follow-up of an inbound message).
	viaMessage int64
}

// step is what an action did, for the timeline and the audit log.
type step struct {
	data      map[string]any // no personal data
	body      string         // timeline text (a note, an answer, a reason)
	kind      string         // timeline kind; MsgEvent by default
	resetSLA  bool           // the deadline moved: the sweeper may warn again
	follow    Action         // an automatic next action (auto-forward)
	outbound  bool           // the body goes to the citizen on their channel
	inPerson  bool           // the body was told to the citizen in person: delivered, not sent
	auditOnly bool           // nothing for the timeline
}

// Do performs action a on ticket id as actor, all or nothing: the change,
// its timeline entry and its audit event commit together or not at all.
func (s *Service) Do(ctx context.Context, actor user.Actor, id int64, a Action, in Input) (Ticket, error) {
	return s.do(ctx, actor, id, []Step{{a, in}}, nil)
}

// Step is one action of DoSteps with its input.
type Step struct {
	Action Action
	Input  Input
}

// DoSteps performs several actions on ticket id in order, in one
// transaction: each is checked by the workflow table on the ticket as
// the steps before it left it, recorded and audited as if done alone,
// and if any is refused none is written. The console's "classify and
// forward" and "answer and close" are two steps of one submit. An
// automatic next action (a routing rule's forward) follows only the last
// step.
func (s *Service) DoSteps(ctx context.Context, actor user.Actor, id int64, steps ...Step) (Ticket, error) {
	if len(steps) == 0 {
		return Ticket{}, errs.Invalidf("ticket.no_steps")
	}
	return s.do(ctx, actor, id, steps, nil)
}

// do is DoSteps with then, which runs in the same transaction right after
// the last step, given the ticket and the id of the timeline entry that
// step wrote (0 when it wrote none), before any automatic next action.
func (s *Service) do(ctx context.Context, actor user.Actor, id int64, steps []Step, then func(tx *sql.Tx, t Ticket, msg int64) error) (Ticket, error) {
	for _, st := range steps {
		if _, ok := lifecycle[st.Action]; !ok {
			return Ticket{}, errs.NotFoundf("ticket.action_unknown", "action", string(st.Action))
		}
	}
	var t Ticket
	var actions []Action
	ctx, after := withAfter(ctx)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		t, err = s.lock(ctx, tx, id)
		if err != nil {
			return err
		}
		actions = actions[:0]
		var next Action
		var msg int64
		for _, st := range steps {
			if next, msg, err = s.apply(ctx, tx, actor, &t, st.Action, st.Input); err != nil {
				return err
			}
			actions = append(actions, st.Action)
		}
		if then != nil {
			if err := then(tx, t, msg); err != nil {
				return err
			}
		}
		if next != "" {
			if _, _, err := s.apply(ctx, tx, user.System, &t, next, Input{}); err != nil {
				return err
			}
			actions = append(actions, next)
		}
		return nil
	})
	if err != nil {
		return Ticket{}, err
	}
	after.run()
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

// apply checks and performs one action inside tx and records it. It
// returns the automatic next action, if any, and the id of the timeline
// entry it wrote (0 for an audit-only action).
func (s *Service) apply(ctx context.Context, tx *sql.Tx, actor user.Actor, t *Ticket, a Action, in Input) (Action, int64, error) {
	if err := check(a, actor, *t); err != nil {
		return "", 0, err
	}
	now := s.clock()
	from := t.State
	st, err := s.perform(ctx, tx, actor, t, a, in, now)
	if err != nil {
		return "", 0, err
	}
	if r := lifecycle[a]; r.to != "" && t.State == from {
		t.State = r.to
	}
	if err := s.save(ctx, tx, t, now, st.resetSLA); err != nil {
		return "", 0, err
	}
	var msg int64
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
		switch {
		case st.inPerson:
			m.Channel, m.Delivery = t.Channel, DeliveryDelivered
		case st.outbound:
			m.Channel, m.Delivery = t.Channel, DeliveryQueued
		}
		if msg, err = addMessage(ctx, tx, m); err != nil {
			return "", 0, err
		}
		if st.outbound && !st.inPerson {
			if err := s.enqueue(ctx, tx, msg, 0); err != nil {
				return "", 0, err
			}
		}
		if err := s.emit(ctx, tx, Event{TicketID: t.ID, Code: t.Code, Name: string(a), State: t.State, AgencyID: t.AgencyID,
			OwnerID: t.OwnerID, MessageID: msg, ActorID: actor.UserID, At: now}); err != nil {
			return "", 0, err
		}
	}
	if err := audit.Append(ctx, tx, audit.Event{At: now, ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
		Action: "ticket." + string(a), TicketID: t.ID, Detail: data}); err != nil {
		return "", 0, err
	}
	return st.follow, msg, nil
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

// perform is the body of each action. The workflow table (check) has
// already said yes to who, from where and on which facts of the ticket;
// what remains is each action's input.
func (s *Service) perform(ctx context.Context, tx *sql.Tx, actor user.Actor, t *Ticket, a Action, in Input, now time.Time) (step, error) {
	switch a {
	case Classify:
		return s.classify(ctx, tx, actor, t, in, now)
	case Take:
		t.OwnerID = actor.UserID
		return step{data: map[string]any{"owner_id": actor.UserID}}, nil
	case Assign:
		return s.assign(ctx, tx, t, in)
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
		if KindOf(actor) == KindCitizen {
			if err := CitizenMayReopen(*t, now); err != nil {
				return step{}, err
			}
		}
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
		if KindOf(actor) == KindCitizen && t.Rating != 0 {
			return step{}, errs.Conflictf("public.already_rated")
		}
		if in.Rating < 1 || in.Rating > 5 {
			return step{}, errs.Invalidf("ticket.rating_range").InField("rating")
		}
		t.Rating, t.RatingComment = in.Rating, vntext.Clean(in.Comment)
		if vntext.Len(t.RatingComment) > MaxReason {
			return step{}, errs.Invalidf("field.too_long", "max", strconv.Itoa(MaxReason)).InField("comment")
		}
		return step{data: map[string]any{"rating": in.Rating}, body: t.RatingComment}, nil
	case Publish:
		st, err := s.publish(ctx, tx, t, in, now)
		if err != nil {
			return st, err
		}
		return st, s.indexPublic(ctx, tx, *t, true)
	case Unpublish:
		t.PublishedAt = time.Time{}
		return step{}, s.indexPublic(ctx, tx, *t, false)
	case RequestInfo:
		return s.requestInfo(ctx, tx, t, in, now)
	case InfoReceived:
		return s.infoReceived(ctx, tx, t, in, now)
	}
	return step{}, errs.NotFoundf("ticket.action_unknown", "action", string(a))
}
