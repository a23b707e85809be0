package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// A reply on a phone ticket goes by email when the caller gave an address,
// through the queue to the SMTP server, and says so on the timeline; when
// they did not, it waits on the call-back list until an operator reaches
// them, each attempt on the timeline and in the audit log.
func TestPhoneTicketRepliesGoByEmailOrBecomeCallbacks(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ca, srv, _ := serveEmail(t, d)
		created := func(contact map[string]any) int64 {
			got := ca.must(t, "operator", "POST", "/api/v1/tickets", map[string]any{"channel": "phone",
				"content": "Cột điện nghiêng trước số 5 Hùng Vương.", "contact": contact}, 201)
			return int64(got["id"].(float64))
		}
		reply := func(id int64, text string) {
			ca.must(t, "operator", "POST", "/api/v1/tickets/"+strconv.FormatInt(id, 10)+"/reply", map[string]any{"text": text}, 200)
		}

		withMail := created(map[string]any{"name": "Nguyễn Văn An", "phone": "0912345678", "email": citizen})
		reply(withMail, "Điện lực đã dựng lại cột điện.")
		waitFor(t, "the answer by email", func() bool { return len(srv.Received()) == 1 })
		got := srv.Received()[0]
		code, _ := ca.must(t, "operator", "GET", "/api/v1/tickets/"+strconv.FormatInt(withMail, 10), nil, 200)["code"].(string)
		if got.To[0] != citizen || !strings.Contains(subjectOf(t, got), code) {
			t.Fatalf("the answer went to %v with subject %q; want the citizen, with the code %s", got.To, subjectOf(t, got), code)
		}
		waitFor(t, "sent", func() bool { s := ca.deliveries(t, withMail); return len(s) == 1 && s[0] == "sent" })
		var via string
		if err := d.R().QueryRowContext(ctx, `SELECT channel FROM messages WHERE ticket_id = $1 AND kind = 'outbound'`, withMail).Scan(&via); err != nil || via != "email" {
			t.Fatalf("the answer's channel is %q (%v), want email", via, err)
		}

		noMail := created(map[string]any{"name": "Trần Thị Bình", "phone": "0987654321"})
		reply(noMail, "Điện lực sẽ dựng lại cột điện trong tuần.")
		op := actorOf(t, ca.testApp, "operator")
		list, err := ca.Tickets.Callbacks(ctx, op, 50)
		if err != nil || len(list) != 1 || list[0].TicketID != noMail || list[0].Attempts != 0 {
			t.Fatalf("call-back list %+v, %v; want the one answer without an address", list, err)
		}
		if s := ca.deliveries(t, noMail); len(s) != 1 || s[0] != "queued" {
			t.Fatalf("deliveries %v, want queued", s)
		}
		if len(srv.Received()) != 1 {
			t.Fatal("an answer without an address was mailed")
		}
		if _, err := ca.Tickets.Callbacks(ctx, actorOf(t, ca.testApp, "sxd"), 50); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("an agency reads the call-back list: %v", err)
		}
		msg := list[0].MessageID
		if err := ca.Tickets.CalledBack(ctx, op, msg, false, "Không nghe máy"); err != nil {
			t.Fatal(err)
		}
		if list, _ = ca.Tickets.Callbacks(ctx, op, 50); len(list) != 1 || list[0].Attempts != 1 {
			t.Fatalf("after a call that did not reach the citizen: %+v", list)
		}
		if err := ca.Tickets.CalledBack(ctx, op, msg, true, "Đã báo cho chị Bình"); err != nil {
			t.Fatal(err)
		}
		if list, _ = ca.Tickets.Callbacks(ctx, op, 50); len(list) != 0 {
			t.Fatalf("a told answer is still on the list: %+v", list)
		}
		if s := ca.deliveries(t, noMail); len(s) != 1 || s[0] != "delivered" {
			t.Fatalf("deliveries %v, want delivered", s)
		}
		if err := ca.Tickets.CalledBack(ctx, op, msg, true, ""); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("a second call-back of a told answer: %v, want not found", err)
		}
		var audited int
		if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE action = 'ticket.callback' AND ticket_id = $1`, noMail).Scan(&audited); err != nil || audited != 2 {
			t.Fatalf("%d call-backs audited (%v), want 2", audited, err)
		}
		if strings.Contains(ca.logs.String(), "0987654321") || strings.Contains(ca.logs.String(), citizen) {
			t.Fatal("a reporter's number or address is in the log")
		}
	})
}

// actorOf is a test account as the domain sees it.
func actorOf(t *testing.T, ta *testApp, name string) user.Actor {
	t.Helper()
	u, err := ta.Users.ByEmail(context.Background(), name+"@test.vn")
	if err != nil {
		t.Fatal(err)
	}
	return u.Actor("127.0.0.1")
}

// A supervisor assigns through the API; an operator may not.
func TestAssignThroughTheAPI(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		got := ta.must(t, "operator", "POST", "/api/v1/tickets", map[string]any{"channel": "phone", "content": "Cây đổ chắn đường."}, 201)
		id := strconv.FormatInt(int64(got["id"].(float64)), 10)
		op2 := actorOf(t, ta, "operator2").UserID
		after := ta.must(t, "supervisor", "POST", "/api/v1/tickets/"+id+"/assign", map[string]any{"owner_id": op2}, 200)
		if int64(after["owner_id"].(float64)) != op2 {
			t.Fatalf("owner_id after assign: %v, want %d", after["owner_id"], op2)
		}
		ta.must(t, "operator", "POST", "/api/v1/tickets/"+id+"/assign", map[string]any{"owner_id": op2}, 403)
		body := ta.must(t, "supervisor", "POST", "/api/v1/tickets/"+id+"/assign", map[string]any{"owner_id": actorOf(t, ta, "sxd").UserID}, 400)
		if e, _ := body["error"].(map[string]any); e == nil || e["field"] != "owner" {
			t.Fatalf("assign to an agency handler: %v, want the error on owner", body)
		}
	})
}
