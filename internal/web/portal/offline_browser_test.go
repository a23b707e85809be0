package portal_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// network cuts the tab off the network (the service worker too) and says
// so to the page (navigator.onLine and the online and offline events), or
// gives the network back.
func setOffline(offline bool) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return chromedp.Void{}, err
		}
		rules := []*network.Conditions{}
		if offline {
			rules = append(rules, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
		}
		if _, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule,
			network.EmulateNetworkConditionsByRuleParams{EmulateOfflineServiceWorker: &offline, MatchedNetworkConditions: rules}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(ctx, t, network.OverrideNetworkState,
			network.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1})
		return chromedp.Void{}, err
	}
}

// A citizen on a phone without signal writes a report: it is queued on
// the phone, said so in their language, and sent once when the signal is
// back. Sent again (the phone did not hear the answer), it is still one
// ticket.
func TestBrowserOfflineReportIsQueuedAndSentOnce(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	b := webtest.NewBrowser(t, c)
	b.Viewport(390, 844)
	vi := func(key string) string { return c.Catalog.T(i18n.VI, key) }
	before := countTickets(t, c)

	b.Visit("/submit")
	// The service worker keeps the pages for when the network is gone.
	webtest.Eval[bool](b, `(navigator.serviceWorker.ready.then(r => { window.__sw = !!r.active; }), true)`)
	b.WaitFor("the service worker", `window.__sw === true`, `window.__sw || null`)
	b.Visit("/submit") // now through the worker, which keeps it

	b.Step("go offline", setOffline(true))
	b.WaitFor("the page to know it is offline", `navigator.onLine === false`, `navigator.onLine`)
	b.Fill("area-filter", "thu dau mot")
	b.Fill("address", "Ngã tư Cây Dầu")
	b.Step("describe the problem", chromedp.SendKeys(chromedp.ID("content"), "Đèn tín hiệu giao thông không hoạt động từ sáng."))
	b.Fill("phone", "0912 345 678")
	b.Click("#consent")
	b.Click(`form[action="/submit"] button[type=submit]`)
	b.WaitText("#offline-queue", vi("portal2.queued"))
	if got := webtest.Eval[string](b, `document.getElementById("content").value`); got != "" {
		t.Errorf("the form still holds %q once the report is queued", got)
	}
	if n := countTickets(t, c); n != before {
		t.Fatalf("%d tickets while the phone is offline, want %d", n, before)
	}
	// Still offline, the portal opens from the phone (the worker's copy),
	// says a report waits, and its form has a key of its own.
	if status := b.Visit("/submit"); status != 200 {
		t.Fatalf("/submit offline answered %d", status)
	}
	b.WaitText("#offline-queue", vi("portal2.waiting"))
	webtest.Eval[bool](b, `(() => { const r = indexedDB.open("hotline-portal", 1);
		r.onsuccess = () => { const g = r.result.transaction("reports").objectStore("reports").getAll();
			g.onsuccess = () => { window.__queued = g.result; }; }; return true; })()`)
	b.WaitFor("the phone's queue", `window.__queued !== undefined`, `null`)
	queued := webtest.Eval[string](b, `window.__queued.map(i => i.key).join(",")`)
	if queued == "" || strings.Contains(queued, ",") {
		t.Fatalf("the phone's queue holds %q, want one report", queued)
	}
	if key := webtest.Eval[string](b, `document.querySelector('input[name="key"]').value`); key == queued {
		t.Fatalf("the form kept offline reuses the queued report's key %q", key)
	}

	// The signal is back: the report is sent, once, and the code shown.
	b.Step("go online", setOffline(false))
	b.WaitText("#offline-queue", strings.TrimSuffix(vi("portal2.sent"), "{code}"))
	code := strings.TrimSpace(strings.TrimPrefix(b.Text("#offline-queue"), strings.TrimSuffix(vi("portal2.sent"), "{code}")))
	code = strings.TrimSpace(strings.TrimSuffix(code, vi("portal.nav.track")))
	tk, err := c.Tickets.GetByCode(t.Context(), c.Actor("operator"), code)
	if err != nil || tk.Channel != ticket.Web || tk.AreaCode != "25747" || !strings.Contains(tk.Content, "Đèn tín hiệu") {
		t.Fatalf("the code %q shown is not the queued report: %+v %v", code, tk, err)
	}
	if n := countTickets(t, c); n != before+1 {
		t.Fatalf("%d tickets after the queue was sent, want %d", n, before+1)
	}
	webtest.Eval[bool](b, `(() => { const r = indexedDB.open("hotline-portal", 1);
		r.onsuccess = () => { const g = r.result.transaction("reports").objectStore("reports").count(); g.onsuccess = () => { window.__left = g.result; }; }; return true; })()`)
	b.WaitFor("the queue to be empty", `window.__left === 0`, `window.__left`)

	// The phone sends it again (it lost the answer before dropping it from
	// its queue): the same key gives the same ticket.
	webtest.Eval[bool](b, `(() => { const p = document.getElementById("offline-queue"); p.hidden = true; p.textContent = "";
		const r = indexedDB.open("hotline-portal", 1);
		r.onsuccess = () => { const t = r.result.transaction("reports", "readwrite"); t.objectStore("reports").put(window.__queued[0]);
			t.oncomplete = () => window.dispatchEvent(new Event("online")); }; return true; })()`)
	b.WaitText("#offline-queue", code)
	webtest.Eval[bool](b, `(() => { const r = indexedDB.open("hotline-portal", 1); window.__left = undefined;
		r.onsuccess = () => { const g = r.result.transaction("reports").objectStore("reports").count(); g.onsuccess = () => { window.__left = g.result; }; }; return true; })()`)
	b.WaitFor("the queue to be empty again", `window.__left === 0`, `window.__left`)
	if n := countTickets(t, c); n != before+1 {
		t.Fatalf("%d tickets after the report was sent a second time, want %d", n, before+1)
	}

	// In English, the queue speaks English.
	b.ClickToLoad(b.ByText("header a", "English"))
	b.Step("go offline", setOffline(true))
	b.Step("describe the problem", chromedp.SendKeys(chromedp.ID("content"), "Streetlight out."))
	b.Fill("email", "dan@example.vn")
	b.Click("#consent")
	b.Click(`form[action="/submit"] button[type=submit]`)
	b.WaitText("#offline-queue", c.Catalog.T(i18n.EN, "portal2.queued"))
	b.Step("go online", setOffline(false))
	b.WaitText("#offline-queue", strings.TrimSuffix(c.Catalog.T(i18n.EN, "portal2.sent"), "{code}"))
	if strings.Contains(b.Text("#offline-queue"), code) {
		t.Fatalf("the English report was answered with the first report's code: %q", b.Text("#offline-queue"))
	}
	if n := countTickets(t, c); n != before+2 {
		t.Fatalf("%d tickets after the English report, want %d", n, before+2)
	}
}
