package ticket_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

func TestAgencyPathEndToEnd(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		tk := e.mustCreate(t, ticket.NewTicket{Content: "Đèn đường hỏng trước số 12 Lê Lợi", Contact: contact.Input{Name: "Nguyễn Văn An", Phone: "0912 345 678"}})
		if tk.State != ticket.Received || !strings.Contains(tk.Code, "-") {
			t.Fatalf("created: %+v", tk)
		}
		if want := tk.ReceivedAt.Add(5 * time.Hour); !tk.Deadline.Equal(want) {
			t.Fatalf("deadline %v, want receipt + 5h = %v", tk.Deadline, want)
		}
		steps := []struct {
			actor  user.Actor
			action ticket.Action
			in     ticket.Input
			want   ticket.State
		}{
			{op, ticket.Classify, ticket.Input{Kind: "report", Category: "ha_tang_giao_thong", Area: "25747"}, ticket.Classified},
			{op, ticket.Forward, ticket.Input{Agency: "SXD", Note: "Nhờ kiểm tra"}, ticket.Forwarded},
			{sxd, ticket.Accept, ticket.Input{}, ticket.Accepted},
			{sxd, ticket.AnswerAction, ticket.Input{Text: "Đã thay bóng đèn ngày 27/11."}, ticket.Answered},
			{sup, ticket.Approve, ticket.Input{}, ticket.Approved},
			{op, ticket.Reply, ticket.Input{}, ticket.Replied},
			{op, ticket.Close, ticket.Input{}, ticket.Closed},
		}
		for _, s := range steps {
			e.clock.Advance(10 * time.Minute)
			got := e.mustDo(t, s.actor, tk.ID, s.action, s.in)
			if got.State != s.want {
				t.Fatalf("after %s: state %s, want %s", s.action, got.State, s.want)
			}
		}
		det, err := e.svc.Detail(ctx, op, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		final := det.Ticket
		if final.AgencyCode != "SXD" || final.CategoryCode != "ha_tang_giao_thong" || !strings.HasPrefix(final.AreaName, "Phường Thủ Dầu Một") {
			t.Fatalf("final ticket: %+v", final)
		}
		if final.ResolvedAt.IsZero() || final.SLA(e.clock.Now()) != sla.Met {
			t.Fatalf("answered within 5h but SLA is %s", final.SLA(e.clock.Now()))
		}
		var kinds []string
		for _, m := range det.Timeline {
			kinds = append(kinds, m.Kind+":"+m.Event)
		}
		want := "call: event:classify event:forward event:accept event:answer event:approve outbound:reply event:close"
		if strings.Join(kinds, " ") != want {
			t.Fatalf("timeline\n got %s\nwant %s", strings.Join(kinds, " "), want)
		}
		if out := det.Timeline[6]; out.Body != "Đã thay bóng đèn ngày 27/11." || out.Channel != ticket.Phone || out.Delivery != "queued" {
			t.Fatalf("reply message: %+v", out)
		}
		if len(det.Assignments) != 1 || det.Assignments[0].State != ticket.AsgAnswered || det.Assignments[0].AcceptedAt.IsZero() {
			t.Fatalf("assignments: %+v", det.Assignments)
		}
		if n := e.count(t, `SELECT count(*) FROM audit_events WHERE ticket_id = $1`, tk.ID); n != 8 {
			t.Fatalf("audit events: %d, want 8 (receive + 7 steps)", n)
		}
		if _, err := audit.NewLog(d).Chain(ctx); err != nil {
			t.Fatal(err)
		}
		if r, err := audit.NewLog(d).Verify(ctx); err != nil || !r.OK() || r.Chained != 8 {
			t.Fatalf("audit verify: %+v, %v", r, err)
		}
	})
}

func TestDirectReplyByOperator(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		tk := e.mustCreate(t, ticket.NewTicket{Content: "Cho hỏi thủ tục cấp lại căn cước?", Category: "hanh_chinh_cong"})
		if tk.Kind != "question" {
			t.Fatalf("kind %q, want the category's default kind question", tk.Kind)
		}
		if _, err := e.svc.Do(context.Background(), op, tk.ID, ticket.Reply, ticket.Input{}); errs.As(err).Field != "text" {
			t.Fatalf("direct reply without text: %v", err)
		}
		got := e.mustDo(t, op, tk.ID, ticket.Reply, ticket.Input{Text: "Anh/chị mang căn cước cũ đến Trung tâm Phục vụ hành chính công."})
		if got.State != ticket.Replied || got.FirstResponseAt.IsZero() || got.ResolvedAt.IsZero() || got.Answer == "" {
			t.Fatalf("after direct reply: %+v", got)
		}
	})
}

func TestAccessAndTransitionRules(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		fw := e.forwarded(t) // with SXD
		fresh := e.mustCreate(t, ticket.NewTicket{Content: "Rác ùn ứ ở hẻm 45"})
		tests := []struct {
			name   string
			actor  user.Actor
			id     int64
			action ticket.Action
			in     ticket.Input
			code   errs.Code
		}{
			{"other agency cannot see", tdm, fw.ID, ticket.Accept, ticket.Input{}, errs.NotFound},
			{"agency cannot see unforwarded", sxd, fresh.ID, ticket.Note, ticket.Input{Text: "x"}, errs.NotFound},
			{"viewer is read-only", viewer, fw.ID, ticket.Note, ticket.Input{Text: "x"}, errs.Forbidden},
			{"agency cannot forward", sxd, fw.ID, ticket.Reassign, ticket.Input{Agency: "TDM"}, errs.Forbidden},
			{"operator cannot reassign", op, fw.ID, ticket.Reassign, ticket.Input{Agency: "TDM"}, errs.Forbidden},
			{"accept before forward", sup, fresh.ID, ticket.Accept, ticket.Input{}, errs.Conflict},
			{"close an open ticket", op, fresh.ID, ticket.Close, ticket.Input{}, errs.Conflict},
			{"approve without an answer", sup, fw.ID, ticket.Approve, ticket.Input{}, errs.Conflict},
			{"forward to unknown agency", op, fresh.ID, ticket.Forward, ticket.Input{Agency: "NOPE"}, errs.Invalid},
			{"classify unknown category", op, fresh.ID, ticket.Classify, ticket.Input{Category: "nope"}, errs.Invalid},
			{"classify unknown ward", op, fresh.ID, ticket.Classify, ticket.Input{Category: "dat_dai", Area: "99999"}, errs.Invalid},
			{"classify a province as ward", op, fresh.ID, ticket.Classify, ticket.Input{Category: "dat_dai", Area: "79"}, errs.Invalid},
			{"refuse without reason", op, fresh.ID, ticket.Refuse, ticket.Input{}, errs.Invalid},
			{"return without reason", sxd, fw.ID, ticket.Return, ticket.Input{}, errs.Invalid},
			{"rate out of range", op, fresh.ID, ticket.Rate, ticket.Input{Rating: 6}, errs.Conflict},
			{"merge into itself", op, fresh.ID, ticket.Merge, ticket.Input{Into: fresh.Code}, errs.Invalid},
			{"unknown action", op, fresh.ID, ticket.Action("teleport"), ticket.Input{}, errs.NotFound},
			{"missing ticket", op, 999999, ticket.Note, ticket.Input{Text: "x"}, errs.NotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := e.count(t, `SELECT count(*) FROM audit_events`)
				_, err := e.svc.Do(ctx, tt.actor, tt.id, tt.action, tt.in)
				if errs.CodeOf(err) != tt.code {
					t.Fatalf("got %v, want %s", err, tt.code)
				}
				if after := e.count(t, `SELECT count(*) FROM audit_events`); after != before {
					t.Fatalf("a refused action wrote %d audit events", after-before)
				}
			})
		}
		if _, err := e.svc.Get(ctx, tdm, fw.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("other agency Get: %v", err)
		}
		if _, err := e.svc.Get(ctx, sxd, fw.ID); err != nil {
			t.Fatalf("own agency Get: %v", err)
		}
	})
}

func TestFourEyesOnApproval(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		tk := e.forwarded(t) // forwarded by op
		e.mustDo(t, sxd, tk.ID, ticket.AnswerAction, ticket.Input{Text: "Đã xử lý."})
		if _, err := e.svc.Do(ctx, op, tk.ID, ticket.Approve, ticket.Input{}); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("operator approving an answer on a ticket they forwarded: %v", err)
		}
		sent := e.mustDo(t, op2, tk.ID, ticket.SendBack, ticket.Input{Reason: "Thiếu hình ảnh"})
		if sent.State != ticket.Accepted || !sent.ResolvedAt.IsZero() {
			t.Fatalf("after send-back: %s resolved %v", sent.State, sent.ResolvedAt)
		}
		e.mustDo(t, sxd, tk.ID, ticket.AnswerAction, ticket.Input{Text: "Đã xử lý, kèm ảnh."})
		if got := e.mustDo(t, sup, tk.ID, ticket.Approve, ticket.Input{}); got.State != ticket.Approved {
			t.Fatalf("supervisor approve: %s", got.State)
		}
	})
}

func TestReturnAndReforward(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		tk := e.forwarded(t)
		got := e.mustDo(t, sxd, tk.ID, ticket.Return, ticket.Input{Reason: "Không thuộc thẩm quyền; thuộc UBND phường"})
		if got.State != ticket.Returned || got.AgencyID != 0 {
			t.Fatalf("after return: %+v", got)
		}
		if _, err := e.svc.Get(ctx, sxd, tk.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("returning agency still sees the ticket: %v", err)
		}
		got = e.mustDo(t, op, tk.ID, ticket.Forward, ticket.Input{Agency: "TDM"})
		if got.AgencyCode != "TDM" || got.State != ticket.Forwarded {
			t.Fatalf("re-forward: %+v", got)
		}
		got = e.mustDo(t, admin, tk.ID, ticket.Reassign, ticket.Input{Agency: "DIAN", Note: "Địa bàn Dĩ An"})
		det, err := e.svc.Detail(ctx, sup, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var states []string
		for _, a := range det.Assignments {
			states = append(states, a.AgencyCode+":"+a.State)
		}
		if strings.Join(states, " ") != "SXD:returned TDM:withdrawn DIAN:pending" || got.AgencyCode != "DIAN" {
			t.Fatalf("assignment history: %v", states)
		}
	})
}

func TestExtensions(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		tk := e.forwarded(t)
		e.mustDo(t, sxd, tk.ID, ticket.Accept, ticket.Input{})
		until := tk.Deadline.Add(48 * time.Hour)
		bad := []struct {
			name  string
			in    ticket.Input
			field string
		}{
			{"no reason", ticket.Input{Until: until}, "reason"},
			{"no date", ticket.Input{Reason: "Cần khảo sát"}, "until"},
			{"earlier than the deadline", ticket.Input{Reason: "x", Until: tk.Deadline.Add(-time.Hour)}, "until"},
			{"too far", ticket.Input{Reason: "x", Until: tk.Deadline.Add(60 * 24 * time.Hour)}, "until"},
		}
		for _, tt := range bad {
			if _, err := e.svc.Do(ctx, sxd, tk.ID, ticket.RequestExtension, tt.in); errs.As(err).Field != tt.field {
				t.Errorf("%s: %v, want field %s", tt.name, err, tt.field)
			}
		}
		if _, err := e.svc.Do(ctx, sup, tk.ID, ticket.GrantExtension, ticket.Input{}); errs.CodeOf(err) != errs.Conflict {
			t.Fatalf("grant with nothing requested: %v", err)
		}
		got := e.mustDo(t, sxd, tk.ID, ticket.RequestExtension, ticket.Input{Until: until, Reason: "Cần khảo sát hiện trường"})
		if got.State != ticket.Accepted || !got.Deadline.Equal(tk.Deadline) {
			t.Fatalf("a request moved the ticket: %s %v", got.State, got.Deadline)
		}
		if _, err := e.svc.Do(ctx, sxd, tk.ID, ticket.GrantExtension, ticket.Input{}); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("agency granting its own extension: %v", err)
		}
		got = e.mustDo(t, sup, tk.ID, ticket.GrantExtension, ticket.Input{})
		if !got.Deadline.Equal(until.UTC()) || !got.WarnAt.Before(got.Deadline) {
			t.Fatalf("granted: deadline %v warn %v, want %v", got.Deadline, got.WarnAt, until)
		}
	})
}

func TestRefuseMergeReopen(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		a := e.mustCreate(t, ticket.NewTicket{Content: "Ngập nước đường Nguyễn Trãi"})
		b := e.mustCreate(t, ticket.NewTicket{Content: "Đường Nguyễn Trãi ngập sau mưa"})
		spam := e.mustCreate(t, ticket.NewTicket{Content: "quảng cáo vay tiền"})
		if got := e.mustDo(t, op, spam.ID, ticket.Refuse, ticket.Input{Reason: "Tin rác"}); got.State != ticket.Refused || got.ResolvedAt.IsZero() {
			t.Fatalf("refuse: %+v", got)
		}
		if got := e.mustDo(t, op, b.ID, ticket.Merge, ticket.Input{Into: strings.ToLower(a.Code)}); got.State != ticket.Merged || got.MergedIntoCode != a.Code {
			t.Fatalf("merge: %+v", got)
		}
		if _, err := e.svc.Do(context.Background(), op, a.ID, ticket.Merge, ticket.Input{Into: spam.Code}); errs.CodeOf(err) != errs.Conflict {
			t.Fatalf("merge into a refused ticket: %v", err)
		}
		e.mustDo(t, op, a.ID, ticket.Reply, ticket.Input{Text: "Đã chuyển công ty thoát nước."})
		e.clock.Advance(24 * time.Hour)
		got := e.mustDo(t, op, a.ID, ticket.Reopen, ticket.Input{Reason: "Người dân báo vẫn còn ngập"})
		if got.State != ticket.Received || !got.ResolvedAt.IsZero() || got.Answer != "" {
			t.Fatalf("reopen: %+v", got)
		}
		if want := e.clock.Now().Add(5 * time.Hour); !got.Deadline.Equal(want) {
			t.Fatalf("reopened deadline %v, want a fresh 5h from now %v", got.Deadline, want)
		}
	})
}

func TestCreateRejectsBadInputAndWritesNothing(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		lat, lng := 95.0, 106.0
		tests := []struct {
			name  string
			n     ticket.NewTicket
			field string
		}{
			{"empty content", ticket.NewTicket{Channel: ticket.Web, Content: "  \n "}, "content"},
			{"content too long", ticket.NewTicket{Channel: ticket.Web, Content: strings.Repeat("á", ticket.MaxContent+1)}, "content"},
			{"unknown channel", ticket.NewTicket{Channel: "fax", Content: "x"}, "channel"},
			{"unknown category", ticket.NewTicket{Channel: ticket.Web, Content: "x", Category: "nope"}, "category"},
			{"unknown area", ticket.NewTicket{Channel: ticket.Web, Content: "x", Area: "00000"}, "area"},
			{"bad phone", ticket.NewTicket{Channel: ticket.Web, Content: "x", Contact: contact.Input{Phone: "abc"}}, "contact.phone"},
			{"bad kind", ticket.NewTicket{Channel: ticket.Web, Content: "x", Kind: "rant"}, "kind"},
			{"latitude out of range", ticket.NewTicket{Channel: ticket.Web, Content: "x", Lat: &lat, Lng: &lng}, "location"},
			{"bad priority", ticket.NewTicket{Channel: ticket.Web, Content: "x", Priority: "asap"}, "priority"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.svc.Create(context.Background(), op, tt.n)
				if ee := errs.As(err); ee.Code != errs.Invalid || ee.Field != tt.field {
					t.Fatalf("got %v, want invalid %s", err, tt.field)
				}
			})
		}
		// A valid contact with an invalid ticket must not leave the contact behind.
		_, err := e.svc.Create(context.Background(), op, ticket.NewTicket{Channel: ticket.Web, Content: "x", Area: "00000", Contact: contact.Input{Name: "A", Phone: "0912345678"}})
		if err == nil {
			t.Fatal("expected an error")
		}
		for _, table := range []string{"tickets", "contacts", "messages", "audit_events"} {
			if n := e.count(t, `SELECT count(*) FROM `+table); n != 0 {
				t.Errorf("%s has %d rows after rejected input", table, n)
			}
		}
		if _, err := e.svc.Create(context.Background(), viewer, ticket.NewTicket{Channel: ticket.Web, Content: "x"}); errs.CodeOf(err) != errs.Forbidden {
			t.Errorf("viewer created a ticket: %v", err)
		}
	})
}

func TestProviderIDIsIdempotent(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		n := ticket.NewTicket{Channel: ticket.Zalo, Content: "Mất nước từ sáng", ProviderID: "msg-123", Contact: contact.Input{Identities: []contact.Identity{{Kind: "zalo", Value: "u-1"}}}}
		first, err := e.svc.Create(ctx, user.Actor{Origin: "channel:zalo"}, n)
		if err != nil || first.Duplicate {
			t.Fatalf("first: %+v, %v", first, err)
		}
		again, err := e.svc.Create(ctx, user.Actor{Origin: "channel:zalo"}, n)
		if err != nil || !again.Duplicate || again.Ticket.ID != first.Ticket.ID {
			t.Fatalf("retry: %+v, %v", again, err)
		}
		n.Channel = ticket.Viber // the same id on another channel is another message
		other, err := e.svc.Create(ctx, user.Actor{Origin: "channel:viber"}, n)
		if err != nil || other.Duplicate {
			t.Fatalf("other channel: %+v, %v", other, err)
		}
		if c := e.count(t, `SELECT count(*) FROM tickets`); c != 2 {
			t.Fatalf("%d tickets, want 2", c)
		}
	})
}

func TestAutoForwardAndSLAPolicy(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.mustRule(t, routingRule(1, "25747", 2, true))
		e.mustPolicy(t, sla.Policy{Name: "land", CategoryID: 2, Target: 72 * time.Hour, Calendar: sla.Always, WarnPercent: 80, Active: true})
		tk := e.mustCreate(t, ticket.NewTicket{Content: "Nắp cống bị mất", Category: "ha_tang_giao_thong", Area: "25747"})
		if tk.State != ticket.Forwarded || tk.AgencyCode != "TDM" {
			t.Fatalf("auto-forward at intake: %s %s", tk.State, tk.AgencyCode)
		}
		land := e.mustCreate(t, ticket.NewTicket{Content: "Tranh chấp ranh giới đất"})
		got := e.mustDo(t, op, land.ID, ticket.Classify, ticket.Input{Category: "dat_dai", Area: "25942"})
		if want := land.ReceivedAt.Add(72 * time.Hour); !got.Deadline.Equal(want) || got.State != ticket.Classified {
			t.Fatalf("land policy: deadline %v, want %v (state %s)", got.Deadline, want, got.State)
		}
		later := e.mustCreate(t, ticket.NewTicket{Content: "Ổ gà"})
		got = e.mustDo(t, op, later.ID, ticket.Classify, ticket.Input{Category: "ha_tang_giao_thong", Area: "25747"})
		if got.State != ticket.Forwarded || got.AgencyCode != "TDM" {
			t.Fatalf("auto-forward on classify: %s %s", got.State, got.AgencyCode)
		}
	})
}

func TestSweepWarnsOnceThenEscalates(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		tk := e.forwarded(t)
		done := e.mustCreate(t, ticket.NewTicket{Content: "Câu hỏi"})
		e.mustDo(t, op, done.ID, ticket.Reply, ticket.Input{Text: "Trả lời ngay"})
		e.clock.Advance(4*time.Hour + time.Minute)
		if w, o, err := e.svc.Sweep(ctx, ticket.SLARunner); err != nil || w != 1 || o != 0 {
			t.Fatalf("at 4h: warned %d overdue %d, %v", w, o, err)
		}
		if w, o, _ := e.svc.Sweep(ctx, ticket.SLARunner); w != 0 || o != 0 {
			t.Fatalf("second sweep marked again: %d %d", w, o)
		}
		e.clock.Advance(time.Hour)
		if w, o, err := e.svc.Sweep(ctx, ticket.SLARunner); err != nil || w != 0 || o != 1 {
			t.Fatalf("at 5h: warned %d overdue %d, %v", w, o, err)
		}
		got, _ := e.svc.Get(ctx, op, tk.ID)
		if got.SLA(e.clock.Now()) != sla.Overdue {
			t.Fatalf("SLA state %s", got.SLA(e.clock.Now()))
		}
		if n := e.count(t, `SELECT count(*) FROM messages WHERE ticket_id = $1 AND event IN ('sla.at_risk', 'sla.overdue')`, tk.ID); n != 2 {
			t.Fatalf("%d SLA events on the timeline, want 2", n)
		}
	})
}

func TestIdentityIsMaskedAndRevealIsAudited(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		tk := e.mustCreate(t, ticket.NewTicket{Content: "Karaoke ồn sau 22h", ShareIdentity: true, Contact: contact.Input{Name: "Trần Thị Bích", Phone: "0987654321"}})
		e.mustDo(t, op, tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
		tk, _ = e.svc.Get(ctx, op, tk.ID)
		full, err := e.svc.Reporter(ctx, op, tk)
		if err != nil || full.Masked || full.Contact.Name != "Trần Thị Bích" {
			t.Fatalf("operator view: %+v, %v", full, err)
		}
		masked, err := e.svc.Reporter(ctx, sxd, tk)
		if err != nil || !masked.Masked || masked.Contact.Name != "Trần T** B***" || masked.Contact.Phone != "09******21" || !masked.CanReveal {
			t.Fatalf("agency view: %+v, %v", masked, err)
		}
		if _, err := e.svc.Reveal(ctx, sxd, tk.ID, ""); errs.As(err).Field != "reason" {
			t.Fatalf("reveal without reason: %v", err)
		}
		if _, err := e.svc.Reveal(ctx, tdm, tk.ID, "x"); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("reveal by another agency: %v", err)
		}
		c, err := e.svc.Reveal(ctx, sxd, tk.ID, "Cần liên hệ xác minh địa điểm")
		if err != nil || c.Phone != "+84987654321" {
			t.Fatalf("reveal: %+v, %v", c, err)
		}
		if n := e.count(t, `SELECT count(*) FROM audit_events WHERE action = 'contact.reveal' AND ticket_id = $1 AND actor_id = 4`, tk.ID); n != 1 {
			t.Fatalf("%d reveal audit events, want 1", n)
		}
		private := e.mustCreate(t, ticket.NewTicket{Content: "Tố cáo cán bộ", Contact: contact.Input{Name: "Lê Văn C", Phone: "0901234567"}})
		e.mustDo(t, op, private.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
		if _, err := e.svc.Reveal(ctx, sxd, private.ID, "muốn biết"); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("reveal of a confidential reporter: %v", err)
		}
	})
}

func TestPublishScrubsIdentity(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		tk := e.mustCreate(t, ticket.NewTicket{Content: "Tôi là Nguyễn Văn Khánh, sđt 0912 345 678, email khanh@example.org. Đường bị sụt lún.",
			Contact: contact.Input{Name: "Nguyễn Văn Khánh", Phone: "0912345678"}})
		e.mustDo(t, op, tk.ID, ticket.Reply, ticket.Input{Text: "Cảm ơn anh Khánh, đã chuyển đơn vị sửa chữa."})
		if _, err := e.svc.Do(context.Background(), op, tk.ID, ticket.Publish, ticket.Input{}); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("operator publishing: %v", err)
		}
		got := e.mustDo(t, sup, tk.ID, ticket.Publish, ticket.Input{})
		for _, leak := range []string{"Khánh", "0912", "345 678", "khanh@"} {
			if strings.Contains(got.PublicContent+got.PublicAnswer+got.PublicTitle, leak) {
				t.Fatalf("published text leaks %q: %q / %q", leak, got.PublicContent, got.PublicAnswer)
			}
		}
		if got.PublishedAt.IsZero() || !strings.Contains(got.PublicContent, "sụt lún") {
			t.Fatalf("published: %+v", got)
		}
	})
}

// Routing that fails for any reason but "no rule" must not leave a report
// quietly with the desk: intake and classification fail, writing nothing.
func TestRoutingFailureIsNotSwallowed(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		waiting := e.mustCreate(t, ticket.NewTicket{Content: "Ổ gà"})
		if _, err := d.W().ExecContext(ctx, `DROP TABLE routing_rules`); err != nil {
			t.Fatal(err)
		}
		before := e.count(t, `SELECT count(*) FROM tickets`)
		_, err := e.svc.Create(ctx, op, ticket.NewTicket{Channel: ticket.Phone, Content: "Nắp cống bị mất", Category: "ha_tang_giao_thong", Area: "25747"})
		if errs.CodeOf(err) != errs.Unavailable {
			t.Fatalf("create with routing unreadable: %v, want unavailable", err)
		}
		if n := e.count(t, `SELECT count(*) FROM tickets`); n != before {
			t.Fatalf("%d tickets after a failed intake, want %d", n, before)
		}
		if _, err := e.svc.Do(ctx, op, waiting.ID, ticket.Classify, ticket.Input{Category: "ha_tang_giao_thong", Area: "25747"}); errs.CodeOf(err) != errs.Unavailable {
			t.Fatalf("classify with routing unreadable: %v, want unavailable", err)
		}
		if _, err := e.svc.Do(ctx, op, waiting.ID, ticket.Forward, ticket.Input{}); errs.CodeOf(err) != errs.Unavailable {
			t.Fatalf("forward by the rule with routing unreadable: %v, want unavailable, not a missing agency", err)
		}
		if got, _ := e.svc.Get(ctx, op, waiting.ID); got.State != ticket.Received || got.CategoryID != 0 {
			t.Fatalf("a failed classification changed the ticket: %s category %d", got.State, got.CategoryID)
		}
	})
}

// An overdue ticket is escalated to the role its SLA policy names, and to
// supervisors under the default policy; the timeline says to whom.
func TestOverdueEscalatesToThePolicyRole(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		e.mustPolicy(t, sla.Policy{Name: "land", CategoryID: 2, Target: time.Hour, Calendar: sla.Always, WarnPercent: 50, EscalateRole: "admin", Active: true})
		land := e.mustCreate(t, ticket.NewTicket{Content: "Tranh chấp ranh giới đất", Category: "dat_dai"})
		other := e.mustCreate(t, ticket.NewTicket{Content: "Ổ gà"})
		e.clock.Advance(5*time.Hour + time.Minute)
		e.changes = nil
		// Both are found past their deadline: overdue, never at risk
		// after the fact.
		if w, o, err := e.svc.Sweep(ctx, ticket.SLARunner); err != nil || w != 0 || o != 2 {
			t.Fatalf("sweep: warned %d overdue %d, %v; want 0 and 2", w, o, err)
		}
		want := map[int64]user.Role{land.ID: user.Admin, other.ID: user.Supervisor}
		overdue := 0
		for _, c := range e.changes {
			switch c.Action {
			case "sla.overdue":
				overdue++
				if c.EscalateTo != want[c.TicketID] {
					t.Errorf("ticket %d escalated to %q, want %q", c.TicketID, c.EscalateTo, want[c.TicketID])
				}
			case "sla.at_risk":
				if c.EscalateTo != "" {
					t.Errorf("at-risk ticket %d escalated to %q", c.TicketID, c.EscalateTo)
				}
			}
		}
		if overdue != 2 {
			t.Fatalf("%d overdue changes, want 2: %+v", overdue, e.changes)
		}
		for id, role := range want {
			det, err := e.svc.Detail(ctx, sup, id)
			if err != nil {
				t.Fatal(err)
			}
			var got any
			for _, m := range det.Timeline {
				if m.Event == "sla.overdue" {
					got = m.Data["escalate_to"]
				}
			}
			if got != string(role) {
				t.Errorf("ticket %d's overdue event escalates to %v, want %s", id, got, role)
			}
		}
	})
}
