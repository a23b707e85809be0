package ticket_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// walkState builds a ticket in one (state, condition) of the walk and
// returns its id.
type walkState struct {
	name  string
	build func(t *testing.T, e *env) int64
}

func walkStates() []walkState {
	fwd := func(t *testing.T, e *env) int64 { return e.forwarded(t).ID }
	do := func(base func(*testing.T, *env) int64, steps ...func(t *testing.T, e *env, id int64)) func(*testing.T, *env) int64 {
		return func(t *testing.T, e *env) int64 {
			id := base(t, e)
			for _, s := range steps {
				s(t, e, id)
			}
			return id
		}
	}
	step := func(actor user.Actor, a ticket.Action, in ticket.Input) func(*testing.T, *env, int64) {
		return func(t *testing.T, e *env, id int64) { e.mustDo(t, actor, id, a, in) }
	}
	extend := func(t *testing.T, e *env, id int64) {
		e.mustDo(t, sxd, id, ticket.RequestExtension, ticket.Input{Until: e.clock.Now().Add(20 * 24 * time.Hour), Reason: "Cần khảo sát"})
	}
	received := func(t *testing.T, e *env) int64 {
		return e.mustCreate(t, ticket.NewTicket{Content: "Đèn đường hỏng", Contact: contact.Input{Name: "Trần Thị Bình", Phone: "0987654321"}}).ID
	}
	answered := do(fwd, step(sxd, ticket.AnswerAction, ticket.Input{Text: "Đã sửa."}))
	replied := do(answered, step(op2, ticket.Approve, ticket.Input{}), step(op, ticket.Reply, ticket.Input{}))
	return []walkState{
		{"received", received},
		{"received, owned by op", do(received, step(op, ticket.Take, ticket.Input{}))},
		{"classified by op", do(received, step(op, ticket.Classify, ticket.Input{Category: "dat_dai", Area: "25747"}))},
		{"forwarded by op to SXD", fwd},
		{"forwarded, asking the citizen", fwd},
		{"forwarded, extension pending", do(fwd, extend)},
		{"accepted by SXD", do(fwd, step(sxd, ticket.Accept, ticket.Input{}))},
		{"accepted, extension pending", do(fwd, step(sxd, ticket.Accept, ticket.Input{}), extend)},
		{"accepted, extension denied", do(fwd, extend, step(sup, ticket.DenyExtension, ticket.Input{Reason: "Không"}))},
		{"returned", do(fwd, step(sxd, ticket.Return, ticket.Input{Reason: "Không thuộc thẩm quyền"}))},
		{"answered by SXD, forwarded by op", answered},
		{"answered, forwarded by op2", func(t *testing.T, e *env) int64 {
			id := received(t, e)
			e.mustDo(t, op2, id, ticket.Classify, ticket.Input{Category: "dat_dai", Area: "25747"})
			e.mustDo(t, op2, id, ticket.Forward, ticket.Input{Agency: "SXD"})
			e.mustDo(t, sxd, id, ticket.AnswerAction, ticket.Input{Text: "Đã sửa."})
			return id
		}},
		{"approved", do(answered, step(op2, ticket.Approve, ticket.Input{}))},
		{"replied", replied},
		{"replied directly, no answer to publish", do(received, func(t *testing.T, e *env, id int64) {
			e.mustDo(t, op, id, ticket.Reply, ticket.Input{Text: "Cảm ơn."})
			// A direct reply is an answer; clear it to reach the condition.
			if _, err := e.d.W().ExecContext(context.Background(), `UPDATE tickets SET answer = '' WHERE id = $1`, id); err != nil {
				t.Fatal(err)
			}
		})},
		{"closed", do(replied, step(op, ticket.Close, ticket.Input{}))},
		{"waiting for the citizen, with the desk", do(received, step(op, ticket.RequestInfo, ticket.Input{Text: "Ở đâu?"}))},
		{"waiting for the citizen, with SXD", do(fwd, step(sxd, ticket.RequestInfo, ticket.Input{Text: "Số nhà?"}))},
		{"closed, published", do(replied, step(op, ticket.Close, ticket.Input{}), step(sup, ticket.Publish, ticket.Input{}))},
		{"refused", do(received, step(op, ticket.Refuse, ticket.Input{Reason: "Quấy rối"}))},
		{"merged", func(t *testing.T, e *env) int64 {
			into := received(t, e)
			id := received(t, e)
			e.mustDo(t, op, id, ticket.Merge, ticket.Input{Into: itoa(into)})
			return id
		}},
	}
}

// walkInput is valid input for every action, so an action refused is
// refused for who, where or what the ticket is, never for its input.
func walkInput(e *env, a ticket.Action, mergeInto int64) ticket.Input {
	switch a {
	case ticket.Classify:
		return ticket.Input{Category: "dat_dai", Area: "25747"}
	case ticket.Forward:
		return ticket.Input{Agency: "SXD"}
	case ticket.Reassign:
		return ticket.Input{Agency: "DIAN"}
	case ticket.Return, ticket.DenyExtension, ticket.SendBack, ticket.Reopen, ticket.Refuse:
		return ticket.Input{Reason: "Lý do"}
	case ticket.RequestExtension:
		return ticket.Input{Until: e.clock.Now().Add(20 * 24 * time.Hour), Reason: "Cần thêm thời gian"}
	case ticket.AnswerAction, ticket.Reply, ticket.Note, ticket.RequestInfo, ticket.InfoReceived:
		return ticket.Input{Text: "Nội dung"}
	case ticket.Merge:
		return ticket.Input{Into: itoa(mergeInto)}
	case ticket.Rate:
		return ticket.Input{Rating: 4}
	case ticket.Assign:
		return ticket.Input{Owner: 7} // the admin, who owns no ticket of the walk
	}
	return ticket.Input{}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// walkActors are every role, both sides of each condition (op and op2 for
// ownership and four eyes, SXD and TDM for the agency's own ticket and
// another's), and the system actors.
func walkActors(tk ticket.Ticket) map[string]user.Actor {
	return map[string]user.Actor{
		"op": op, "op2": op2, "supervisor": sup, "admin": admin, "viewer": viewer, "sxd": sxd, "tdm": tdm,
		"channel": {Origin: "channel:zalo"}, "queue": {Origin: "queue"}, "sla": ticket.SLARunner, "system": user.System,
		"cli": {Origin: "cli"}, "demo": {Origin: "demo"}, "unknown": {Origin: "portal"},
		"citizen": {Origin: "citizen", ContactID: tk.ContactID}, "other citizen": {Origin: "citizen", ContactID: tk.ContactID + 1000},
	}
}

// For every (role, state, condition), every action Allowed offers is
// accepted by the service and every other one is refused.
func TestPermissionWalk(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		mergeInto := e.mustCreate(t, ticket.NewTicket{Content: "Phản ánh gốc để gộp"}).ID
		// The rules the walk's states are there for, each side of them.
		type rule struct {
			actor string
			a     ticket.Action
			want  bool
		}
		rules := map[string][]rule{
			"received, owned by op":                  {{"op", ticket.Take, false}, {"op2", ticket.Take, true}, {"channel", ticket.Take, false}, {"supervisor", ticket.Assign, true}, {"op", ticket.Assign, false}, {"sxd", ticket.Assign, false}},
			"forwarded by op to SXD":                 {{"sxd", ticket.RequestExtension, true}, {"tdm", ticket.Accept, false}, {"supervisor", ticket.GrantExtension, false}, {"system", ticket.Accept, false}},
			"forwarded, extension pending":           {{"sxd", ticket.RequestExtension, false}, {"supervisor", ticket.GrantExtension, true}, {"supervisor", ticket.DenyExtension, true}, {"op", ticket.GrantExtension, false}},
			"accepted, extension denied":             {{"sxd", ticket.RequestExtension, true}, {"supervisor", ticket.DenyExtension, false}},
			"answered by SXD, forwarded by op":       {{"op", ticket.Approve, false}, {"op", ticket.SendBack, false}, {"op2", ticket.Approve, true}, {"supervisor", ticket.Approve, true}, {"channel", ticket.Approve, false}},
			"answered, forwarded by op2":             {{"op2", ticket.Approve, false}, {"op", ticket.Approve, true}},
			"replied":                                {{"supervisor", ticket.Publish, true}, {"supervisor", ticket.Unpublish, false}, {"citizen", ticket.Rate, true}, {"other citizen", ticket.Rate, false}, {"citizen", ticket.Reopen, true}},
			"replied directly, no answer to publish": {{"supervisor", ticket.Publish, false}},
			"closed, published":                      {{"supervisor", ticket.Unpublish, true}, {"channel", ticket.Unpublish, false}},
			"waiting for the citizen, with the desk": {{"op", ticket.InfoReceived, true}, {"op", ticket.RequestInfo, false}, {"op", ticket.Forward, false}, {"op", ticket.Note, true}, {"sxd", ticket.InfoReceived, false}, {"channel", ticket.InfoReceived, false}},
			"waiting for the citizen, with SXD":      {{"sxd", ticket.InfoReceived, true}, {"tdm", ticket.InfoReceived, false}, {"sxd", ticket.AnswerAction, false}, {"sxd", ticket.RequestExtension, true}, {"viewer", ticket.InfoReceived, false}},
			"forwarded, asking the citizen":          {{"sxd", ticket.RequestInfo, true}, {"tdm", ticket.RequestInfo, false}, {"op", ticket.RequestInfo, true}, {"viewer", ticket.RequestInfo, false}, {"sxd", ticket.InfoReceived, false}},
			"received":                               {{"op", ticket.Forward, true}, {"system", ticket.Forward, true}, {"channel", ticket.Forward, false}, {"queue", ticket.Forward, false}},
		}
		offered := 0
		for _, st := range walkStates() {
			id := st.build(t, e)
			tk, err := e.svc.Get(ctx, user.System, id)
			if err != nil {
				t.Fatal(err)
			}
			actors := walkActors(tk)
			for _, r := range rules[st.name] {
				if got := slices.Contains(ticket.Allowed(actors[r.actor], tk), r.a); got != r.want {
					t.Errorf("%s: %s offered to %s: %v, want %v", st.name, r.a, r.actor, got, r.want)
				}
			}
			delete(rules, st.name)
			for name, actor := range actors {
				allowed := ticket.Allowed(actor, tk)
				for _, a := range ticket.Actions() {
					if slices.Contains(allowed, a) {
						continue
					}
					if _, err := e.svc.Do(ctx, actor, id, a, walkInput(e, a, mergeInto)); err == nil {
						t.Fatalf("%s: %s by %s was not offered but accepted", st.name, a, name)
					} else if c := errs.CodeOf(err); c != errs.Forbidden && c != errs.Conflict && c != errs.NotFound {
						t.Fatalf("%s: %s by %s refused for another reason: %v", st.name, a, name, err)
					}
				}
				// Each offered action on a fresh copy of the state.
				for _, a := range allowed {
					offered++
					fresh := st.build(t, e)
					if name == "citizen" {
						ft, _ := e.svc.Get(ctx, user.System, fresh)
						actor.ContactID = ft.ContactID
					}
					if _, err := e.svc.Do(ctx, actor, fresh, a, walkInput(e, a, mergeInto)); err != nil {
						t.Fatalf("%s: %s by %s was offered but refused: %v", st.name, a, name, err)
					}
				}
			}
		}
		if len(rules) > 0 {
			t.Fatalf("rules for states the walk does not build: %v", rules)
		}
		if offered < 100 {
			t.Fatalf("the walk tried only %d offered actions", offered)
		}
	})
}

// Each system actor may do what its kind is granted and nothing else.
func TestSystemActors(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		channel := user.Actor{Origin: "channel:zalo"}
		queue := user.Actor{Origin: "queue"}
		tk := e.forwarded(t)
		e.mustDo(t, sxd, tk.ID, ticket.AnswerAction, ticket.Input{Text: "Đã sửa."})
		answered, _ := e.svc.Get(ctx, user.System, tk.ID)
		for _, actor := range []user.Actor{channel, queue, ticket.SLARunner, user.System, {Origin: "cli"}, {Origin: "demo"},
			{Origin: "channel:fax"}, {Origin: "portal"}, {Origin: "citizen", ContactID: answered.ContactID}, {Origin: "citizen"}} {
			for _, a := range []ticket.Action{ticket.Approve, ticket.SendBack, ticket.Publish, ticket.Reply, ticket.Note, ticket.Reassign} {
				if _, err := e.svc.Do(ctx, actor, tk.ID, a, walkInput(e, a, 0)); err == nil {
					t.Fatalf("%s by %s accepted", a, actor.Label())
				}
			}
			if _, err := e.svc.Reveal(ctx, actor, tk.ID, "xem"); err == nil {
				t.Fatalf("reveal by %s accepted", actor.Label())
			}
			if _, err := e.svc.LinkContact(ctx, actor, tk.ID, "0912345678"); err == nil {
				t.Fatalf("link by %s accepted", actor.Label())
			}
			if _, err := e.svc.Queue(ctx, actor, ticket.QueueApprove, "", 10); errs.CodeOf(err) != errs.Forbidden {
				t.Fatalf("queue read by %s: %v", actor.Label(), err)
			}
		}
		// Reading: a channel, the queue and the SLA runner see no ticket
		// through the user-facing path; the system and the CLI see all.
		for _, actor := range []user.Actor{channel, queue, ticket.SLARunner, {Origin: "demo"}, {Origin: "portal"}, {Origin: "citizen", ContactID: answered.ContactID + 1}} {
			if _, err := e.svc.Get(ctx, actor, tk.ID); errs.CodeOf(err) != errs.NotFound {
				t.Fatalf("get by %s: %v", actor.Label(), err)
			}
			if _, err := e.svc.List(ctx, actor, ticket.Filter{}); errs.CodeOf(err) != errs.Forbidden {
				t.Fatalf("list by %s: %v", actor.Label(), err)
			}
		}
		for _, actor := range []user.Actor{user.System, {Origin: "cli"}, {Origin: "citizen", ContactID: answered.ContactID}} {
			if _, err := e.svc.Get(ctx, actor, tk.ID); err != nil {
				t.Fatalf("get by %s: %v", actor.Label(), err)
			}
		}
		// Who may not sweep, deliver, attach or store webhook events.
		for _, actor := range []user.Actor{channel, user.System, {Origin: "cli"}, op, admin} {
			if _, _, err := e.svc.Sweep(ctx, actor); errs.CodeOf(err) != errs.Forbidden {
				t.Fatalf("sweep by %s: %v", actor.Label(), err)
			}
		}
		for _, actor := range []user.Actor{channel, ticket.SLARunner, user.System, admin} {
			if err := e.svc.RecordDelivery(ctx, actor, ticket.Delivery{MessageID: 1, State: ticket.DeliverySent}); errs.CodeOf(err) != errs.Forbidden {
				t.Fatalf("delivery by %s: %v", actor.Label(), err)
			}
			if err := e.svc.AttachInbound(ctx, actor, 1, ticket.NewAttachment{SHA256: "x", Name: "a.jpg", MIME: "image/jpeg", Size: 1}); errs.CodeOf(err) != errs.Forbidden {
				t.Fatalf("attach by %s: %v", actor.Label(), err)
			}
		}
		for _, actor := range []user.Actor{queue, ticket.SLARunner, user.System, {Origin: "cli"}, op} {
			if _, err := e.svc.Inbound(ctx, actor, ticket.InboundBatch{Channel: ticket.Zalo, AccountID: 1}); errs.CodeOf(err) != errs.Forbidden {
				t.Fatalf("inbound by %s: %v", actor.Label(), err)
			}
			if actor.IsUser() {
				continue
			}
			if _, err := e.svc.Create(ctx, actor, ticket.NewTicket{Channel: ticket.Zalo, Content: "x"}); errs.CodeOf(err) != errs.Forbidden {
				t.Fatalf("create by %s: %v", actor.Label(), err)
			}
		}
		// What they may do works: a channel and a citizen create, the SLA
		// runner sweeps, the system forwards by a routing rule, the queue
		// reads an outbound message, a citizen rates and reopens their own.
		if _, err := e.svc.Create(ctx, channel, ticket.NewTicket{Channel: ticket.Zalo, Content: "Ngập nước", ProviderID: "m1"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Sweep(ctx, ticket.SLARunner); err != nil {
			t.Fatal(err)
		}
		e.mustDo(t, op2, tk.ID, ticket.Approve, ticket.Input{})
		replied := e.mustDo(t, op, tk.ID, ticket.Reply, ticket.Input{})
		var msg int64
		if err := d.R().QueryRowContext(ctx, `SELECT MAX(id) FROM messages WHERE ticket_id = $1 AND kind = 'outbound'`, tk.ID).Scan(&msg); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Outgoing(ctx, queue, msg); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Outgoing(ctx, channel, msg); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("outgoing by a channel: %v", err)
		}
		me := user.Actor{Origin: "citizen", ContactID: replied.ContactID}
		e.mustDo(t, me, tk.ID, ticket.Rate, ticket.Input{Rating: 5})
		e.mustDo(t, me, tk.ID, ticket.Reopen, ticket.Input{Reason: "Chưa sửa xong"})
		if _, err := e.svc.Do(ctx, me, tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"}); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("forward by the citizen: %v", err)
		}
		e.mustDo(t, user.System, tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
	})
}

// Create by an actor allowed to create but not to forward (a channel):
// the refusal comes at the end, after the contact, the ticket, its
// message and its audit event were written in the transaction, and
// nothing of it is left.
func TestCreateByAChannelRefusedAtTheForwardLeavesNothing(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		before := []int{e.count(t, `SELECT COUNT(*) FROM tickets`), e.count(t, `SELECT COUNT(*) FROM contacts`),
			e.count(t, `SELECT COUNT(*) FROM messages`), e.count(t, `SELECT COUNT(*) FROM audit_events`)}
		for _, actor := range []user.Actor{{Origin: "channel:zalo"}, {Origin: "citizen", ContactID: 1}} {
			_, err := e.svc.Create(context.Background(), actor, ticket.NewTicket{Channel: ticket.Zalo, Content: "Cây đổ chắn đường",
				Contact: contact.Input{Name: "Lê Văn Cường", Phone: "0911222333"}, Forward: &ticket.ForwardTo{Agency: "SXD"}})
			if errs.CodeOf(err) != errs.Forbidden {
				t.Fatalf("create and forward by %s: %v", actor.Label(), err)
			}
		}
		after := []int{e.count(t, `SELECT COUNT(*) FROM tickets`), e.count(t, `SELECT COUNT(*) FROM contacts`),
			e.count(t, `SELECT COUNT(*) FROM messages`), e.count(t, `SELECT COUNT(*) FROM audit_events`)}
		if !slices.Equal(before, after) {
			t.Fatalf("tickets, contacts, messages, audit events: %v before, %v after", before, after)
		}
	})
}
