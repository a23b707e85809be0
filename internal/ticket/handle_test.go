package ticket_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// The desk records a report and handles it in one call: classified, then
// forwarded or answered, each step on the timeline and in the audit log
// as if taken on its own.
func TestCreateWithTheDesksHandling(t *testing.T) {
	tests := []struct {
		name    string
		rule    bool // an auto-forward rule to TDM for the category and ward
		n       ticket.NewTicket
		state   ticket.State
		agency  string
		actions []string // audit actions, in order
	}{
		{"classified and forwarded", false, ticket.NewTicket{Classify: true, Category: "ha_tang_giao_thong", Area: "25747",
			Forward: &ticket.ForwardTo{Agency: "SXD", Note: "Kiểm tra gấp"}},
			ticket.Forwarded, "SXD", []string{"ticket.receive", "ticket.classify", "ticket.forward"}},
		{"forwarded without a category", false, ticket.NewTicket{Forward: &ticket.ForwardTo{Agency: "TDM"}},
			ticket.Forwarded, "TDM", []string{"ticket.receive", "ticket.forward"}},
		{"classified and answered directly", false, ticket.NewTicket{Classify: true, Category: "hanh_chinh_cong", Reply: "Anh mang CCCD đến phường."},
			ticket.Replied, "", []string{"ticket.receive", "ticket.classify", "ticket.reply"}},
		{"classified only", false, ticket.NewTicket{Classify: true, Category: "dat_dai", Priority: "high"},
			ticket.Classified, "", []string{"ticket.receive", "ticket.classify"}},
		{"classified; the routing rule forwards", true, ticket.NewTicket{Classify: true, Category: "ha_tang_giao_thong", Area: "25747"},
			ticket.Forwarded, "TDM", []string{"ticket.receive", "ticket.classify", "ticket.forward"}},
		{"the rule binds an operator who chose another agency", true, ticket.NewTicket{Classify: true, Category: "ha_tang_giao_thong", Area: "25747",
			Forward: &ticket.ForwardTo{Agency: "SXD"}},
			ticket.Forwarded, "TDM", []string{"ticket.receive", "ticket.classify", "ticket.forward"}},
		{"the rule forwarded where the operator wanted", true, ticket.NewTicket{Classify: true, Category: "ha_tang_giao_thong", Area: "25747",
			Forward: &ticket.ForwardTo{Agency: "tdm"}},
			ticket.Forwarded, "TDM", []string{"ticket.receive", "ticket.classify", "ticket.forward"}},
		{"not classified, the rule still forwards", true, ticket.NewTicket{Category: "ha_tang_giao_thong", Area: "25747"},
			ticket.Forwarded, "TDM", []string{"ticket.receive", "ticket.forward"}},
		{"answered on the call and closed", false, ticket.NewTicket{Classify: true, Category: "hanh_chinh_cong", Reply: "Anh mang CCCD đến phường.", Close: true},
			ticket.Closed, "", []string{"ticket.receive", "ticket.classify", "ticket.reply", "ticket.close"}},
		{"answered on the call, the rule does not forward", true, ticket.NewTicket{Classify: true, Category: "ha_tang_giao_thong", Area: "25747", Reply: "Đã sửa xong.", Close: true},
			ticket.Closed, "", []string{"ticket.receive", "ticket.classify", "ticket.reply", "ticket.close"}},
		{"a direct answer takes the rule's place", true, ticket.NewTicket{Classify: true, Category: "ha_tang_giao_thong", Area: "25747", Reply: "Đã sửa xong."},
			ticket.Replied, "", []string{"ticket.receive", "ticket.classify", "ticket.reply"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
				ctx := context.Background()
				e := newEnv(t, d)
				if tt.rule {
					e.mustRule(t, routingRule(1, "25747", 2, true))
				}
				n := tt.n
				n.Channel, n.Content = ticket.Phone, "Ổ gà lớn trên đường Lê Lợi"
				n.Contact = contact.Input{Name: "Nguyễn Văn An", Phone: "0912345678"}
				c, err := e.svc.Create(ctx, op, n)
				if err != nil {
					t.Fatal(err)
				}
				tk := c.Ticket
				if elsewhere := tk.AgencyCode != "" && n.Forward != nil && !strings.EqualFold(n.Forward.Agency, tk.AgencyCode); c.RoutedElsewhere != elsewhere {
					t.Errorf("RoutedElsewhere = %v; want %v", c.RoutedElsewhere, elsewhere)
				}
				if tk.State != tt.state || tk.AgencyCode != tt.agency {
					t.Fatalf("state %s, agency %q; want %s, %q", tk.State, tk.AgencyCode, tt.state, tt.agency)
				}
				if n.Classify && (tk.OwnerID != op.UserID || tk.CategoryCode != n.Category) {
					t.Errorf("classified: owner %d, category %q", tk.OwnerID, tk.CategoryCode)
				}
				evs, err := audit.NewLog(d).List(ctx, audit.Filter{TicketID: tk.ID})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, ev := range slices.Backward(evs) {
					got = append(got, ev.Action)
				}
				if !slices.Equal(got, tt.actions) {
					t.Errorf("audit %v; want %v", got, tt.actions)
				}
				det, err := e.svc.Detail(ctx, op, tk.ID)
				if err != nil {
					t.Fatal(err)
				}
				if n.Forward != nil && !c.RoutedElsewhere && (len(det.Assignments) != 1 || det.Assignments[0].Note != n.Forward.Note) {
					t.Errorf("assignments %+v; want one, with the note", det.Assignments)
				}
				// An answer given on the call was delivered then; another
				// one waits for its channel.
				delivery := ticket.DeliveryQueued
				if n.Close {
					delivery = ticket.DeliveryDelivered
				}
				if n.Reply != "" && (tk.Answer != n.Reply || !slices.ContainsFunc(det.Timeline, func(m ticket.Message) bool {
					return m.Kind == ticket.MsgOutbound && m.Delivery == delivery && m.Body == n.Reply
				})) {
					t.Errorf("the direct answer is not on its way: answer %q, timeline %+v", tk.Answer, det.Timeline)
				}
				var changes []string
				for _, c := range e.changes {
					changes = append(changes, c.Action)
				}
				if want := strings.ReplaceAll(strings.Join(tt.actions, " "), "ticket.", ""); strings.Join(changes, " ") != want {
					t.Errorf("listeners were told %v; want %s", changes, want)
				}
			})
		})
	}
}

// A supervisor who names another agency than the rule's reassigns the
// ticket there in the same transaction.
func TestCreateBySupervisorReassignsTheRulesForward(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		e.mustRule(t, routingRule(1, "25747", 2, true))
		c, err := e.svc.Create(ctx, sup, ticket.NewTicket{Channel: ticket.Phone, Content: "Ổ gà", Classify: true, Category: "ha_tang_giao_thong",
			Area: "25747", Forward: &ticket.ForwardTo{Agency: "SXD", Note: "Việc của Sở"}})
		if err != nil {
			t.Fatal(err)
		}
		det, err := e.svc.Detail(ctx, sup, c.Ticket.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.RoutedElsewhere || c.Ticket.AgencyCode != "SXD" || len(det.Assignments) != 2 || det.Assignments[1].Note != "Việc của Sở" || det.Assignments[0].State != ticket.AsgWithdrawn {
			t.Fatalf("routed elsewhere %v, agency %s, assignments %+v; want SXD after TDM", c.RoutedElsewhere, c.Ticket.AgencyCode, det.Assignments)
		}
	})
}

// A step refused at the end of an intake leaves nothing behind: no
// ticket, no reporter, no timeline, no audit event.
func TestCreateRefusedAtTheEndLeavesNothing(t *testing.T) {
	tests := []struct {
		name  string
		n     ticket.NewTicket
		code  errs.Code
		field string
	}{
		{"unknown agency", ticket.NewTicket{Classify: true, Category: "ha_tang_giao_thong", Forward: &ticket.ForwardTo{Agency: "NOPE"}},
			errs.Invalid, "forward.agency"},
		{"retired agency", ticket.NewTicket{Classify: true, Category: "ha_tang_giao_thong", Forward: &ticket.ForwardTo{Agency: "DIAN"}},
			errs.Invalid, "forward.agency"},
		{"note too long", ticket.NewTicket{Forward: &ticket.ForwardTo{Agency: "SXD", Note: strings.Repeat("ạ", ticket.MaxReason+1)}},
			errs.Invalid, "forward.note"},
		{"no rule to forward by", ticket.NewTicket{Classify: true, Category: "dat_dai", Forward: &ticket.ForwardTo{}},
			errs.Invalid, "forward.agency"},
		{"an empty answer", ticket.NewTicket{Reply: " \n "}, errs.Invalid, "reply"},
		{"answer too long", ticket.NewTicket{Reply: strings.Repeat("ạ", ticket.MaxContent+1)}, errs.Invalid, "reply"},
		{"forwarded and answered", ticket.NewTicket{Forward: &ticket.ForwardTo{Agency: "SXD"}, Reply: "Đã rõ"}, errs.Invalid, "reply"},
		{"closed without an answer", ticket.NewTicket{Close: true}, errs.Invalid, "reply"},
		{"answered on the call and forwarded", ticket.NewTicket{Forward: &ticket.ForwardTo{Agency: "SXD"}, Reply: "Đã rõ", Close: true}, errs.Invalid, "reply"},
		{"classified without a category", ticket.NewTicket{Classify: true, Forward: &ticket.ForwardTo{Agency: "SXD"}}, errs.Invalid, "category"},
	}
	tables := []string{"tickets", "contacts", "contact_identities", "messages", "assignments", "audit_events"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
				ctx := context.Background()
				e := newEnv(t, d)
				// DIAN merged away before today (the clock is on 2026-11-27).
				if _, err := d.W().ExecContext(ctx, `UPDATE agencies SET valid_to = '2026-01-01' WHERE code = 'DIAN'`); err != nil {
					t.Fatal(err)
				}
				before := map[string]int{}
				for _, tb := range tables {
					before[tb] = e.count(t, `SELECT count(*) FROM `+tb)
				}
				n := tt.n
				n.Channel, n.Content = ticket.Phone, "Ổ gà lớn trên đường Lê Lợi"
				n.Contact = contact.Input{Name: "Trần Thị Bích", Phone: "0987654321"}
				_, err := e.svc.Create(ctx, op, n)
				if errs.CodeOf(err) != tt.code || errs.As(err).Field != tt.field {
					t.Fatalf("Create = %v; want %s in %q", err, tt.code, tt.field)
				}
				for _, tb := range tables {
					if n := e.count(t, `SELECT count(*) FROM `+tb); n != before[tb] {
						t.Errorf("%d rows left in %s", n-before[tb], tb)
					}
				}
				if len(e.changes) != 0 {
					t.Errorf("listeners were told of %v", e.changes)
				}
			})
		})
	}
}

// Several actions in one submit are one transaction, each checked on the
// ticket as the steps before it left it: classify and forward, answer and
// close; a step refused leaves the ticket, its timeline and the audit log
// as they were.
func TestDoStepsIsOneTransaction(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		n := ticket.NewTicket{Channel: ticket.Email, Content: "Hỏi giờ làm việc của phường", Contact: contact.Input{Name: "Lê Văn C", Phone: "0912000111"}}

		tk := e.mustCreate(t, n)
		got, err := e.svc.DoSteps(ctx, op, tk.ID, ticket.Step{Action: ticket.Classify, Input: ticket.Input{Category: "ha_tang_giao_thong", Area: "25747"}},
			ticket.Step{Action: ticket.Forward, Input: ticket.Input{Agency: "SXD"}})
		if err != nil || got.State != ticket.Forwarded || got.AgencyCode != "SXD" || got.CategoryCode != "ha_tang_giao_thong" {
			t.Fatalf("classify and forward: %v, state %s, agency %s, category %s", err, got.State, got.AgencyCode, got.CategoryCode)
		}

		tk = e.mustCreate(t, n)
		got, err = e.svc.DoSteps(ctx, op, tk.ID, ticket.Step{Action: ticket.Reply, Input: ticket.Input{Text: "Từ 7 giờ 30."}}, ticket.Step{Action: ticket.Close})
		if err != nil || got.State != ticket.Closed || got.Answer != "Từ 7 giờ 30." {
			t.Fatalf("answer and close: %v, state %s, answer %q", err, got.State, got.Answer)
		}
		evs, err := audit.NewLog(d).List(ctx, audit.Filter{TicketID: tk.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 3 || evs[0].Action != "ticket.close" || evs[1].Action != "ticket.reply" {
			t.Errorf("audit %+v; want receive, reply, close", evs)
		}

		// The second step is refused (a refusal needs a reason): nothing of
		// the first is written.
		tk = e.mustCreate(t, n)
		before := e.count(t, `SELECT count(*) FROM audit_events`)
		msgs := e.count(t, `SELECT count(*) FROM messages`)
		_, err = e.svc.DoSteps(ctx, op, tk.ID, ticket.Step{Action: ticket.Classify, Input: ticket.Input{Category: "dat_dai"}}, ticket.Step{Action: ticket.Refuse})
		if errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("classify then refuse without a reason = %v; want invalid", err)
		}
		if after, _ := e.svc.Get(ctx, op, tk.ID); after.State != ticket.Received || after.CategoryCode != "" {
			t.Errorf("after the refused steps: state %s, category %q", after.State, after.CategoryCode)
		}
		if e.count(t, `SELECT count(*) FROM audit_events`) != before || e.count(t, `SELECT count(*) FROM messages`) != msgs {
			t.Error("the refused steps left audit events or messages")
		}
		// A step the workflow refuses: closing what was never answered.
		if _, err := e.svc.DoSteps(ctx, op, tk.ID, ticket.Step{Action: ticket.Close}); errs.CodeOf(err) != errs.Conflict {
			t.Errorf("close a received ticket = %v; want conflict", err)
		}
	})
}
