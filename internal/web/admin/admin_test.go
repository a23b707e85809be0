package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/reply"
	"github.com/hotline-1022/hotline/internal/routing"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web/webtest"
	"github.com/hotline-1022/hotline/internal/webhook"
)

// fixture is one of everything the admin pages edit, so every route has
// a real target.
type fixture struct {
	Admin, Operator user.User
	SXD             agency.Agency
	CategoryID      int64
	RuleID          int64
	PolicyID        int64
	ReplyID         int64
	TokenID         int64
	Holiday         string
	WebhookID       int64
	DeliveryID      int64
}

// mustFixture stores a routing rule, an SLA policy, a reply template, an
// API token and a holiday, as the system.
func mustFixture(t *testing.T, c *webtest.Console) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{Admin: c.Accounts["admin"], Operator: c.Accounts["operator"], Holiday: "2030-01-02"}
	var err error
	if f.SXD, err = c.Agencies.ByCode(ctx, "SXD"); err != nil {
		t.Fatal(err)
	}
	cats, err := c.Categories.List(ctx, true)
	if err != nil || len(cats) == 0 {
		t.Fatalf("categories: %v", err)
	}
	f.CategoryID = cats[0].ID
	rule, err := c.Routes.SaveAudited(ctx, user.System, routing.Rule{CategoryID: f.CategoryID, AreaCode: "25747", AgencyID: f.SXD.ID})
	if err != nil {
		t.Fatal(err)
	}
	f.RuleID = rule.ID
	pol, err := c.SLA.SaveAudited(ctx, user.System, sla.Policy{Name: "Đất đai", CategoryID: f.CategoryID, Target: 8 * time.Hour, Calendar: sla.Office, WarnPercent: 75, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	f.PolicyID = pol.ID
	tpl, err := c.Replies.Save(ctx, user.System, reply.Template{Name: "Cảm ơn", Body: "Mã {code}", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	f.ReplyID = tpl.ID
	if _, tok, err := c.Users.CreateToken(ctx, user.System, f.Operator.ID, "tổng đài IP", 0); err != nil {
		t.Fatal(err)
	} else {
		f.TokenID = tok.ID
	}
	if err := c.SLA.SetHolidayAudited(ctx, user.System, f.Holiday, "Ngày thử"); err != nil {
		t.Fatal(err)
	}
	hook, _, err := c.Webhooks.Create(ctx, user.System, webhook.Input{Name: "IOC tỉnh", URL: "https://ioc.example.vn/hooks/1022",
		Events: []string{webhook.All}, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	f.WebhookID = hook.ID
	if dl, err := c.Webhooks.SendTest(ctx, user.System, hook.ID); err != nil {
		t.Fatal(err)
	} else {
		f.DeliveryID = dl.ID
	}
	return f
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// pages are every admin page for the fixture.
func (f fixture) pages() []string {
	return []string{
		"/console/admin", "/console/admin/users", "/console/admin/users/new", "/console/admin/users/" + itoa(f.Operator.ID),
		"/console/admin/agencies", "/console/admin/agencies/new", "/console/admin/agencies/" + itoa(f.SXD.ID),
		"/console/admin/categories", "/console/admin/categories/new", "/console/admin/categories/" + itoa(f.CategoryID),
		"/console/admin/routing", "/console/admin/routing?try_ward=25747", "/console/admin/routing/new", "/console/admin/routing/" + itoa(f.RuleID),
		"/console/admin/sla", "/console/admin/sla/new", "/console/admin/sla/" + itoa(f.PolicyID),
		"/console/admin/replies", "/console/admin/replies/new", "/console/admin/replies/" + itoa(f.ReplyID),
		"/console/admin/channels", "/console/admin/areas", "/console/admin/areas?q=thu+dau+mot", "/console/admin/areas/79",
		"/console/admin/audit", "/console/admin/audit.csv",
		"/console/admin/webhooks", "/console/admin/webhooks/new", "/console/admin/webhooks/" + itoa(f.WebhookID),
		"/console/admin/open311",
	}
}

// posts are every admin form, each with input that would succeed.
func (f fixture) posts() []struct {
	path string
	form url.Values
} {
	op := "/console/admin/users/" + itoa(f.Operator.ID)
	ag := "/console/admin/agencies/" + itoa(f.SXD.ID)
	wh := "/console/admin/webhooks/" + itoa(f.WebhookID)
	agencyForm := url.Values{"code": {"SXD"}, "name": {"Sở Xây dựng mới"}, "kind": {"department"}, "calendar": {"24x7"}, "valid_from": {"2025-07-01"}}
	return []struct {
		path string
		form url.Values
	}{
		{"/console/admin/users", url.Values{"email": {"new@test.vn"}, "name": {"Mới"}, "role": {"viewer"}, "generate": {"1"}}},
		{op, url.Values{"name": {"Đổi tên"}, "role": {"operator"}, "locale": {"vi"}, "active": {"1"}}},
		{op + "/password", url.Values{"generate": {"1"}}},
		{op + "/sessions/end", url.Values{}},
		{op + "/tokens", url.Values{"token_name": {"x"}, "token_expires": {"30"}}},
		{op + "/tokens/" + itoa(f.TokenID) + "/revoke", url.Values{}},
		{"/console/admin/agencies", url.Values{"code": {"NEW"}, "name": {"Mới"}, "kind": {"department"}, "calendar": {"24x7"}, "valid_from": {"2025-07-01"}}},
		{ag, agencyForm},
		{ag + "/retire", url.Values{"valid_to": {"2030-01-01"}}},
		{ag + "/reinstate", url.Values{}},
		{"/console/admin/categories", url.Values{"code": {"moi"}, "name_vi": {"Mới"}, "name_en": {"New"}}},
		{"/console/admin/categories/" + itoa(f.CategoryID), url.Values{"code": {"moi2"}, "name_vi": {"Mới"}, "name_en": {"New"}}},
		{"/console/admin/categories/" + itoa(f.CategoryID) + "/active", url.Values{"active": {"0"}}},
		{"/console/admin/routing", url.Values{"agency": {itoa(f.SXD.ID)}}},
		{"/console/admin/routing/" + itoa(f.RuleID), url.Values{"category": {itoa(f.CategoryID)}, "ward": {"25747"}, "agency": {itoa(f.SXD.ID)}, "auto_forward": {"1"}}},
		{"/console/admin/routing/" + itoa(f.RuleID) + "/delete", url.Values{}},
		{"/console/admin/sla", url.Values{"name": {"Mới"}, "priority": {"low"}, "target_hours": {"2"}, "calendar": {"24x7"}, "warn_percent": {"80"}, "escalate_role": {"supervisor"}, "active": {"1"}}},
		{"/console/admin/sla/" + itoa(f.PolicyID), url.Values{"name": {"Đổi"}, "target_hours": {"2"}, "calendar": {"24x7"}, "warn_percent": {"80"}, "escalate_role": {"supervisor"}}},
		{"/console/admin/sla/holidays", url.Values{"day": {"2030-05-05"}, "holiday_name": {"Lễ"}}},
		{"/console/admin/sla/holidays/" + f.Holiday + "/delete", url.Values{}},
		{"/console/admin/replies", url.Values{"name": {"Mới"}, "body": {"Nội dung"}, "active": {"1"}}},
		{"/console/admin/replies/" + itoa(f.ReplyID), url.Values{"name": {"Đổi"}, "body": {"Nội dung"}}},
		{"/console/admin/webhooks", url.Values{"name": {"Mới"}, "url": {"https://hooks.example.vn/x"}, "events": {"forward"}, "active": {"1"}}},
		{wh, url.Values{"name": {"IOC"}, "url": {"https://ioc.example.vn/x"}, "all": {"1"}}},
		{wh + "/active", url.Values{"active": {"1"}}},
		{wh + "/test", url.Values{}},
		{wh + "/deliveries/" + itoa(f.DeliveryID) + "/replay", url.Values{}},
		{wh + "/delete", url.Values{}},
		{"/console/admin/audit/verify", url.Values{}},
		{"/console/admin/open311", url.Values{"name": {"FixMyStreet"}}},
	}
}

// snapshot counts the rows admin forms write to, so a test can tell
// that a refused request changed nothing.
func snapshot(t *testing.T, c *webtest.Console) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT count(*) FROM audit_events`, `SELECT count(*) FROM users`, `SELECT count(*) FROM users WHERE active`,
		`SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL`, `SELECT count(*) FROM sessions`, `SELECT count(*) FROM agencies`,
		`SELECT count(*) FROM agencies WHERE valid_to IS NULL`, `SELECT count(*) FROM categories WHERE active`,
		`SELECT count(*) FROM routing_rules`, `SELECT count(*) FROM routing_rules WHERE auto_forward`, `SELECT count(*) FROM sla_policies`,
		`SELECT count(*) FROM holidays`, `SELECT count(*) FROM reply_templates`,
		`SELECT count(*) FROM webhook_endpoints`, `SELECT count(*) FROM webhook_endpoints WHERE active`, `SELECT count(*) FROM webhook_deliveries`,
	} {
		var n int
		if err := c.DB.R().QueryRowContext(context.Background(), q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		b.WriteString(strconv.Itoa(n) + " ")
	}
	var names string
	for _, q := range []string{`SELECT name FROM users WHERE email = 'operator@test.vn'`, `SELECT name FROM agencies WHERE code = 'SXD'`,
		`SELECT name FROM reply_templates ORDER BY id LIMIT 1`, `SELECT name FROM sla_policies ORDER BY id LIMIT 1`} {
		if err := c.DB.R().QueryRowContext(context.Background(), q).Scan(&names); err != nil {
			t.Fatal(err)
		}
		b.WriteString(names + "|")
	}
	return b.String()
}

// events counts the audit events with an action.
func events(t *testing.T, c *webtest.Console, action string) int {
	t.Helper()
	var n int
	if err := c.DB.R().QueryRowContext(context.Background(), `SELECT count(*) FROM audit_events WHERE action = $1`, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// eventsBy counts the audit events with an action by a user.
func eventsBy(t *testing.T, c *webtest.Console, action string, by user.User) int {
	t.Helper()
	var n int
	if err := c.DB.R().QueryRowContext(context.Background(), `SELECT count(*) FROM audit_events WHERE action = $1 AND actor_id = $2`, action, by.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// fieldError returns the error shown beside a form field, or "".
func fieldError(body, field string) string {
	m := regexp.MustCompile(`id="err-` + regexp.QuoteMeta(field) + `">([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestAdminPagesAreForAdminsOnly(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		f := mustFixture(t, c)
		admin := c.Login(t, "admin")
		for _, p := range f.pages() {
			if status, _, _ := admin.Get(p); status != http.StatusOK {
				t.Errorf("admin GET %s: %d, want 200", p, status)
			}
		}
		for _, who := range []string{"operator", "supervisor", "sxd", "viewer"} {
			t.Run(who, func(t *testing.T) {
				cl := c.Login(t, who)
				for _, p := range f.pages() {
					if status, body, _ := cl.Get(p); status != http.StatusForbidden || strings.Contains(body, "admin@test.vn") {
						t.Errorf("%s GET %s: %d, want 403", who, p, status)
					}
				}
				before := snapshot(t, c)
				for _, p := range f.posts() {
					if status, _, _ := cl.Post(p.path, p.form); status != http.StatusForbidden {
						t.Errorf("%s POST %s with a valid token: %d, want 403", who, p.path, status)
					}
				}
				if after := snapshot(t, c); after != before {
					t.Errorf("refused posts by %s changed data:\n%s\n%s", who, before, after)
				}
			})
		}
		// The admin link shows only for admins.
		if _, body, _ := c.Login(t, "supervisor").Get("/console"); strings.Contains(body, `href="/console/admin"`) {
			t.Error("a supervisor sees the admin link")
		}
	})
}

func TestAdminPostsNeedCSRF(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		f := mustFixture(t, c)
		admin := c.Login(t, "admin")
		c.Login(t, "operator") // a session for "sign out everywhere" to end
		before := snapshot(t, c)
		for _, p := range f.posts() {
			t.Run(p.path, func(t *testing.T) {
				without := url.Values{}
				for k, v := range p.form {
					without[k] = v
				}
				if status, _, _ := admin.PostForm(p.path, without); status != http.StatusForbidden {
					t.Errorf("POST %s without a token: %d, want 403", p.path, status)
				}
				without.Set("csrf", "forged")
				if status, _, _ := admin.PostForm(p.path, without); status != http.StatusForbidden {
					t.Errorf("POST %s with a forged token: %d, want 403", p.path, status)
				}
			})
		}
		if after := snapshot(t, c); after != before {
			t.Errorf("posts without a token changed data:\n%s\n%s", before, after)
		}
		// The same forms with the token go through, so the list is real.
		for _, p := range f.posts() {
			if status, _, _ := admin.Post(p.path, p.form); status != http.StatusSeeOther && status != http.StatusOK {
				t.Errorf("POST %s with the token: %d", p.path, status)
			}
		}
		if after := snapshot(t, c); after == before {
			t.Error("posts with the token changed nothing")
		}
	})
}
