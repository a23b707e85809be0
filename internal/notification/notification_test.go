package notification_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/notification"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// centre is what a test account's centre holds, newest first, as
// "kind event code".
func centre(t *testing.T, c *webtest.Console, who string) []string {
	t.Helper()
	p, err := c.Notifications.List(context.Background(), c.Actor(who), "", notification.MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range p.Items {
		out = append(out, string(n.Kind)+" "+n.Event+" "+n.Code)
	}
	return out
}

func wantCentre(t *testing.T, c *webtest.Console, who string, want ...string) {
	t.Helper()
	got := centre(t, c, who)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("%s's centre = %q, want %q", who, got, want)
	}
}

func TestEveryEventReachesWhomItConcerns(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := clock.NewManual(time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)) // a Monday, 09:00 in Vietnam
		c := webtest.NewConsoleAt(t, d, clk.Clock())
		tk := c.CreateTicket(t, "operator", "Đèn đường trước số 12 Lê Lợi bị hỏng")
		c.Act(t, "operator", tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
		assigned := "assigned forward " + tk.Code
		wantCentre(t, c, "sxd", assigned)
		wantCentre(t, c, "operator") // the one who acted is not told
		wantCentre(t, c, "tdm")      // another agency is not either
		wantCentre(t, c, "supervisor")

		// Past the warning time: the agency holding it; past the deadline:
		// the policy's target, the supervisors by default.
		tk = c.Act(t, "sxd", tk.ID, ticket.Accept, ticket.Input{})
		clk.Set(tk.WarnAt.Add(time.Second))
		if _, _, err := c.Tickets.Sweep(ctx, ticket.SLARunner); err != nil {
			t.Fatal(err)
		}
		wantCentre(t, c, "sxd", "at_risk sla.at_risk "+tk.Code, assigned)
		clk.Set(tk.Deadline.Add(time.Second))
		if _, _, err := c.Tickets.Sweep(ctx, ticket.SLARunner); err != nil {
			t.Fatal(err)
		}
		wantCentre(t, c, "supervisor", "overdue sla.overdue "+tk.Code)
		wantCentre(t, c, "sxd", "at_risk sla.at_risk "+tk.Code, assigned)

		// An extension decided, an answer sent back: the agency.
		c.Act(t, "sxd", tk.ID, ticket.RequestExtension, ticket.Input{Until: clk.Now().Add(48 * time.Hour), Reason: "Cần khảo sát"})
		c.Act(t, "supervisor", tk.ID, ticket.GrantExtension, ticket.Input{})
		c.Act(t, "sxd", tk.ID, ticket.AnswerAction, ticket.Input{Text: "Đã thay bóng đèn."})
		c.Act(t, "supervisor", tk.ID, ticket.SendBack, ticket.Input{Reason: "Cần ảnh chụp sau khi sửa."})
		got := centre(t, c, "sxd")
		if len(got) != 4 || got[0] != "sent_back send-back "+tk.Code || got[1] != "extension grant-extension "+tk.Code {
			t.Errorf("sxd's centre = %q", got)
		}
		wantCentre(t, c, "supervisor", "overdue sla.overdue "+tk.Code)

		// Nothing of the reporter is in any notification.
		var rows int
		if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE code LIKE '%Lan%' OR kind LIKE '%Lan%' OR event LIKE '%Lan%'`).Scan(&rows); err != nil || rows != 0 {
			t.Errorf("notifications naming the reporter: %d, %v", rows, err)
		}
	})
}

func TestEscalationGoesToThePolicysTarget(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := webtest.NewConsole(t, d)
		lead, err := c.Users.Create(ctx, user.System, user.NewUser{Email: "lead@test.vn", Name: "Trưởng phòng", Role: user.Agency, AgencyCode: "SXD", Password: webtest.Password})
		if err != nil {
			t.Fatal(err)
		}
		sxd := c.Accounts["sxd"].AgencyID
		ids := func(e ticket.Event) string {
			t.Helper()
			rs, err := notification.Recipients(ctx, d.R(), notification.KindOf(e), e)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range rs {
				out = append(out, strconv.FormatInt(r.ID, 10))
			}
			return strings.Join(out, ",")
		}
		id := func(names ...string) string {
			var out []string
			for _, n := range names {
				if n == "lead" {
					out = append(out, strconv.FormatInt(lead.ID, 10))
					continue
				}
				out = append(out, strconv.FormatInt(c.Accounts[n].ID, 10))
			}
			return strings.Join(out, ",")
		}
		overdue := ticket.Event{Name: "sla.overdue", AgencyID: sxd}
		second := ticket.Event{Name: "sla.escalated_again", AgencyID: sxd} // a later threshold's own event
		for _, tc := range []struct {
			name string
			e    ticket.Event
			lead bool
			want string
		}{
			{"no target: the supervisors", overdue, false, id("supervisor")},
			{"supervisor", with(overdue, user.Supervisor), false, id("supervisor")},
			{"agency lead, none named: the agency's staff", with(overdue, "agency_lead"), false, id("sxd") + "," + id("lead")},
			{"agency lead named", with(overdue, "agency_lead"), true, id("lead")},
			{"both", with(overdue, "both"), true, id("supervisor") + "," + id("lead")},
			{"agency lead while the desk holds it: the supervisors", ticket.Event{Name: "sla.overdue", EscalateTo: "agency_lead"}, true, id("supervisor")},
			{"a later threshold is an escalation too", with(second, "both"), true, id("supervisor") + "," + id("lead")},
			{"an SLA event without a target is nobody's", second, true, ""},
			{"the one who acted is left out", ticket.Event{Name: "forward", AgencyID: sxd, ActorID: lead.ID}, true, id("sxd")},
			{"reopened: the desk's owner", ticket.Event{Name: "reopen", OwnerID: c.Accounts["operator2"].ID}, true, id("operator2")},
			{"reopened without owner: the supervisors", ticket.Event{Name: "reopen"}, true, id("supervisor")},
		} {
			leadID := any(nil)
			if tc.lead {
				leadID = lead.ID
			}
			if _, err := d.W().ExecContext(ctx, `UPDATE agencies SET lead_id = $1 WHERE id = $2`, leadID, sxd); err != nil {
				t.Fatal(err)
			}
			if got := ids(tc.e); got != tc.want {
				t.Errorf("%s: recipients %s, want %s", tc.name, got, tc.want)
			}
		}
		if k := notification.KindOf(with(second, "both")); k != notification.Escalated {
			t.Errorf("a later threshold's kind = %q", k)
		}
	})
}

func with(e ticket.Event, to user.Role) ticket.Event {
	e.EscalateTo = to
	return e
}

func TestCentrePagesNewestFirstAndMarksRead(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := webtest.NewConsole(t, d)
		var codes []string
		for range 3 {
			tk := c.CreateTicket(t, "operator", "Cống trước chợ bị tắc")
			c.Act(t, "operator", tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
			codes = append(codes, tk.Code)
		}
		sxd := c.Actor("sxd")
		p1, err := c.Notifications.List(ctx, sxd, "", 2)
		if err != nil || len(p1.Items) != 2 || p1.Next == "" || p1.Items[0].Code != codes[2] || p1.Items[1].Code != codes[1] {
			t.Fatalf("first page = %+v, %v", p1, err)
		}
		p2, err := c.Notifications.List(ctx, sxd, p1.Next, 2)
		if err != nil || len(p2.Items) != 1 || p2.Next != "" || p2.Items[0].Code != codes[0] {
			t.Fatalf("second page = %+v, %v", p2, err)
		}
		if _, err := c.Notifications.List(ctx, sxd, "nonsense", 2); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("a bad cursor: %v", err)
		}
		if n, _ := c.Notifications.Unread(ctx, sxd.UserID); n != 3 {
			t.Errorf("unread = %d, want 3", n)
		}
		// Another person's notification is not found, and stays unread.
		if _, err := c.Notifications.MarkRead(ctx, c.Actor("tdm"), p2.Items[0].ID); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("tdm marks sxd's notification: %v", err)
		}
		n, err := c.Notifications.MarkRead(ctx, sxd, p2.Items[0].ID)
		if err != nil || n.Unread() {
			t.Fatalf("mark read = %+v, %v", n, err)
		}
		if n, _ := c.Notifications.Unread(ctx, sxd.UserID); n != 2 {
			t.Errorf("unread after one read = %d, want 2", n)
		}
		if n, err := c.Notifications.MarkAllRead(ctx, sxd); err != nil || n != 2 {
			t.Errorf("mark all read = %d, %v", n, err)
		}
		if n, _ := c.Notifications.Unread(ctx, sxd.UserID); n != 0 {
			t.Errorf("unread after all read = %d", n)
		}
	})
}

// TestAPIListsTheCallersOwn: GET /api/v1/notifications and POST …/read,
// through the real router.
func TestAPIListsTheCallersOwn(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := webtest.NewConsole(t, d)
		tk := c.CreateTicket(t, "operator", "Cây đổ chắn đường")
		c.Act(t, "operator", tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
		call := func(who, method, path string) (int, map[string]any) {
			t.Helper()
			secret, _, err := c.Users.CreateToken(ctx, user.System, c.Accounts[who].ID, "test", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(method, c.Server.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+secret)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body map[string]any
			if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			return res.StatusCode, body
		}
		status, body := call("sxd", "GET", "/api/v1/notifications")
		list, _ := body["notifications"].([]any)
		if status != 200 || len(list) != 1 || body["unread"] != 1.0 {
			t.Fatalf("GET as sxd: %d %v", status, body)
		}
		n := list[0].(map[string]any)
		if n["kind"] != "assigned" || n["code"] != tk.Code || n["ticket_id"] != float64(tk.ID) || n["read_at"] != nil {
			t.Errorf("notification = %v", n)
		}
		if b, _ := json.Marshal(body); strings.Contains(string(b), "Lan") || strings.Contains(string(b), "0912345678") {
			t.Errorf("the reporter is in the answer: %s", b)
		}
		id := strconv.FormatInt(int64(n["id"].(float64)), 10)
		if status, body := call("tdm", "POST", "/api/v1/notifications/"+id+"/read"); status != 404 {
			t.Errorf("tdm reads sxd's: %d %v", status, body)
		}
		if status, body := call("sxd", "POST", "/api/v1/notifications/"+id+"/read"); status != 200 || body["read_at"] == nil {
			t.Errorf("sxd reads its own: %d %v", status, body)
		}
		if status, body := call("sxd", "GET", "/api/v1/notifications?limit=0"); status != 400 || body["error"].(map[string]any)["field"] != "limit" {
			t.Errorf("limit=0: %d %v", status, body)
		}
		if status, body := call("tdm", "GET", "/api/v1/notifications"); status != 200 || len(body["notifications"].([]any)) != 0 {
			t.Errorf("tdm's own: %d %v", status, body)
		}
	})
}
