package admin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/queue"
	"github.com/hotline-1022/hotline/internal/web/webtest"
	"github.com/hotline-1022/hotline/internal/webhook"
)

// An admin adds a webhook: a bad address or no event is shown beside its
// field with what was typed kept; once added, the secret shows once and
// the webhook is stored with the events ticked.
func TestAdminWebhookForm(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		admin := c.Login(t, "admin")
		status, body, _ := admin.Post("/console/admin/webhooks", url.Values{"name": {"IOC tỉnh"}, "url": {"ftp://ioc.example.vn/x"}})
		if status != http.StatusBadRequest || !strings.Contains(fieldError(body, "url"), "https://") || !strings.Contains(body, `value="IOC tỉnh"`) {
			t.Fatalf("an ftp address: %d %q", status, fieldError(body, "url"))
		}
		status, body, _ = admin.Post("/console/admin/webhooks", url.Values{"name": {"IOC tỉnh"}, "url": {"https://ioc.example.vn/x"}})
		if status != http.StatusBadRequest || !strings.Contains(fieldError(body, "events"), "sự kiện") {
			t.Fatalf("no event: %d %q", status, fieldError(body, "events"))
		}
		status, _, loc := admin.Post("/console/admin/webhooks", url.Values{"name": {"IOC tỉnh"}, "url": {"https://ioc.example.vn/x"},
			"events": {"forward", "sla.overdue"}, "agency": {"SXD"}, "active": {"1"}})
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/admin/webhooks/") {
			t.Fatalf("create: %d %s", status, loc)
		}
		_, body, _ = admin.Get(loc)
		if !strings.Contains(body, `id="once-secret">whsec_`) || !strings.Contains(body, "Khóa bí mật của webhook") {
			t.Fatal("the new webhook's secret is not shown")
		}
		if _, again, _ := admin.Get(loc); strings.Contains(again, "whsec_") {
			t.Fatal("the secret shows a second time")
		}
		eps, err := c.Webhooks.List(context.Background())
		if err != nil || len(eps) != 1 || strings.Join(eps[0].Events, ",") != "forward,sla.overdue" || eps[0].AgencyCode != "SXD" || !eps[0].Active {
			t.Fatalf("stored %+v %v", eps, err)
		}
		if n := eventsBy(t, c, "webhook.create", c.Accounts["admin"]); n != 1 {
			t.Fatalf("%d webhook.create events", n)
		}
		admin.Get("/lang?to=en")
		_, body, _ = admin.Get(loc)
		if !strings.Contains(body, "Delivery log") || !strings.Contains(body, "Send test") {
			t.Fatal("the English page")
		}
	})
}

// In Chromium: an admin adds a webhook to a receiver, sends a test, sees
// it delivered in the log with the receiver's answer, and replays it; the
// page fits a 390 px phone.
func TestBrowserWebhookTestAndReplay(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, webtest.Reference)
	c := webtest.NewConsoleWith(t, d, app.Config{Province: "79",
		Queue: queue.Config{PollInterval: 50 * time.Millisecond, RetryBase: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = c.Queue.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	var got atomic.Int32
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(webhook.SignatureHeader) == "" {
			http.Error(w, "unsigned", http.StatusUnauthorized)
			return
		}
		got.Add(1)
		w.Write([]byte(`{"received":true}`))
	}))
	t.Cleanup(rc.Close)

	b := webtest.NewBrowser(t, c)
	b.LoginAs("admin")
	b.Viewport(390, 844)
	b.Visit("/console/admin/webhooks")
	b.ClickToLoad(`a[href="/console/admin/webhooks/new"]`)
	b.Fill("f-name", "IOC tỉnh")
	b.Fill("f-url", rc.URL+"/hotline")
	b.ClickToLoad("form.ad-form button[type=submit]")
	b.WaitText(".flash", "Đã thêm webhook.")
	if secret := b.Text("#once-secret"); !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("the secret shown: %q", secret)
	}
	page := b.CurrentURL().Path
	if w := b.PageWidth(); w > 390 {
		t.Fatalf("the webhook page is %d px wide on a 390 px phone: %v", w, b.WiderThan(390))
	}
	b.ClickToLoad("#wh-test")
	b.WaitText(".flash", "Đã xếp hàng gửi thử")
	delivered := func(n int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for b.Count(`.wh-delivery[data-state="delivered"]`) < n {
			if time.Now().After(deadline) {
				t.Fatalf("waited for %d deliveries in the log; it shows %q", n, b.Text("#log"))
			}
			time.Sleep(100 * time.Millisecond)
			b.Visit(page)
		}
	}
	delivered(1)
	row := b.Text(".wh-delivery")
	for _, want := range []string{"Gửi thử", "Đã gửi", "200", `{"received":true}`} {
		if !strings.Contains(row, want) {
			t.Fatalf("the log's delivery %q lacks %q", row, want)
		}
	}
	b.ClickToLoad(".wh-delivery form button")
	b.WaitText(".flash", "Đã xếp hàng gửi lại sự kiện.")
	delivered(2)
	if newest := b.Text(".wh-delivery"); !strings.Contains(newest, "gửi lại của") {
		t.Fatalf("the newest delivery %q is not marked a replay", newest)
	}
	if got.Load() != 2 {
		t.Fatalf("the receiver got %d requests, want the test and its replay", got.Load())
	}
	if w := b.PageWidth(); w > 390 {
		t.Fatalf("the log is %d px wide on a 390 px phone: %v", w, b.WiderThan(390))
	}
}
