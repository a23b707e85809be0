package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/webhook"
)

// received is one request a receiver took, its signature checked.
type received struct {
	header http.Header
	body   []byte
	parsed webhook.Body
}

// receiver is an integration's endpoint: it checks every request's
// signature with its secret as a receiver would, and answers what its
// script says (200 when the script is empty).
type receiver struct {
	*httptest.Server
	t      *testing.T
	mu     sync.Mutex
	secret string
	got    []received
	tries  int
	answer []int         // the status of each next request; 0: hang until the test ends
	hang   chan struct{} // closed when the test ends
	// inFlight and deliveries count requests by delivery id: one in
	// flight twice at once is an error.
	inFlight   map[string]bool
	deliveries map[string]int
}

func newReceiver(t *testing.T) *receiver {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return newReceiverOn(t, ln)
}

// newReceiverOn is a receiver listening on ln.
func newReceiverOn(t *testing.T, ln net.Listener) *receiver {
	rc := &receiver{t: t, hang: make(chan struct{}), inFlight: map[string]bool{}, deliveries: map[string]int{}}
	rc.Server = httptest.NewUnstartedServer(http.HandlerFunc(rc.serve))
	rc.Listener.Close()
	rc.Listener = ln
	rc.Start()
	t.Cleanup(func() { close(rc.hang); rc.Close() })
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id := r.Header.Get(webhook.DeliveryHeader)
	rc.mu.Lock()
	if rc.inFlight[id] {
		rc.t.Errorf("delivery %s is sent twice at once", id)
	}
	rc.inFlight[id] = true
	rc.deliveries[id]++
	defer func() { rc.mu.Lock(); delete(rc.inFlight, id); rc.mu.Unlock() }()
	rc.tries++
	status := http.StatusOK
	if len(rc.answer) > 0 {
		status, rc.answer = rc.answer[0], rc.answer[1:]
	}
	secret := rc.secret
	rc.mu.Unlock()
	if status == 0 {
		select {
		case <-rc.hang:
		case <-r.Context().Done():
		}
		return
	}
	if err := webhook.Verify(secret, r.Header.Get(webhook.SignatureHeader), body, time.Now(), 5*time.Minute); err != nil {
		rc.t.Errorf("delivery %s: %v", r.Header.Get(webhook.DeliveryHeader), err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if status/100 == 2 {
		var b webhook.Body
		if err := json.Unmarshal(body, &b); err != nil {
			rc.t.Errorf("delivery body %q: %v", body, err)
		}
		rc.mu.Lock()
		rc.got = append(rc.got, received{header: r.Header.Clone(), body: body, parsed: b})
		rc.mu.Unlock()
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"ok":` + strconv.FormatBool(status/100 == 2) + `}`))
}

func (rc *receiver) received() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func (rc *receiver) attempts() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.tries
}

func (rc *receiver) script(statuses ...int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.answer = append(rc.answer, statuses...)
}

// addEndpoint registers rc, and keeps its secret for rc to check.
func (rc *receiver) addEndpoint(t *testing.T, ta *testApp, in webhook.Input) webhook.Endpoint {
	t.Helper()
	in.URL = rc.URL + "/hotline"
	e, secret, err := ta.Webhooks.Create(context.Background(), user.Actor{Origin: "cli"}, in)
	if err != nil {
		t.Fatal(err)
	}
	rc.mu.Lock()
	rc.secret = secret
	rc.mu.Unlock()
	return e
}

var webhookQueue = app.Config{Province: "79", Queue: fastQueue, Webhooks: webhook.Config{Timeout: 300 * time.Millisecond}}

func serveWebhooks(t *testing.T, d *db.DB) *channelApp {
	t.Helper()
	return startChannels(t, newTestAppWith(t, d, webhookQueue, clock.New(time.Now)), nil)
}

// A ticket's events reach the endpoints that want them, signed, with the
// ticket's id, code, state and agency and nothing of the reporter; an
// endpoint for another agency's tickets and a paused one get nothing.
func TestWebhookDeliversSignedEventsWithoutPersonalData(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ca := serveWebhooks(t, d)
		all, ward, paused := newReceiver(t), newReceiver(t), newReceiver(t)
		all.addEndpoint(t, ca.testApp, webhook.Input{Name: "IOC", Events: []string{"classify", "forward"}, Active: true})
		ward.addEndpoint(t, ca.testApp, webhook.Input{Name: "Phường", Events: []string{webhook.All}, Agency: "UBND.TDM", Active: true})
		paused.addEndpoint(t, ca.testApp, webhook.Input{Name: "Tạm dừng", Events: []string{webhook.All}, Active: false})

		body := newReport()
		body["contact"] = map[string]any{"name": "Nguyễn Văn An", "phone": "0912345678", "email": "an.nguyen@example.vn", "address": "12 Lê Lợi"}
		body["classify"], body["category"], body["area"] = true, "ha_tang_giao_thong", "25747"
		body["forward"] = map[string]any{"agency": "SXD", "note": "Nhờ kiểm tra"}
		tk := ca.must(t, "operator", "POST", "/api/v1/tickets", body, 201)
		waitFor(t, "both events", func() bool { return len(all.received()) == 2 })

		got := all.received()
		events := map[string]webhook.Body{}
		for _, r := range got {
			events[r.parsed.Event] = r.parsed
			if r.header.Get(webhook.EventHeader) != r.parsed.Event || r.header.Get(webhook.EventIDHeader) != r.parsed.ID ||
				r.header.Get(webhook.DeliveryHeader) == "" || r.header.Get("Content-Type") != "application/json" {
				t.Fatalf("headers %v for %s", r.header, r.body)
			}
			for _, personal := range []string{"Nguyễn", "0912345678", "345678", "an.nguyen", "example.vn", "Lê Lợi", "Nhờ kiểm tra"} {
				if strings.Contains(string(r.body), personal) {
					t.Fatalf("the body carries %q: %s", personal, r.body)
				}
				for k, v := range r.header {
					if strings.Contains(strings.Join(v, " "), personal) {
						t.Fatalf("header %s carries %q", k, personal)
					}
				}
			}
		}
		fw, cl := events["forward"], events["classify"]
		if fw.Ticket == nil || cl.Ticket == nil || fw.ID == cl.ID {
			t.Fatalf("events %+v", events)
		}
		if fw.Ticket.ID != int64(tk["id"].(float64)) || fw.Ticket.Code != tk["code"] || fw.Ticket.State != "forwarded" ||
			fw.Ticket.Agency == nil || *fw.Ticket.Agency != "SXD" || time.Since(fw.At) > time.Minute {
			t.Fatalf("forward event %+v (agency %v), ticket %v", fw, fw.Ticket.Agency, tk)
		}
		if cl.Ticket.State != "classified" || cl.Ticket.Agency != nil {
			t.Fatalf("classify event %+v", cl.Ticket)
		}
		// The deliveries are recorded as delivered, one attempt each (the
		// receiver has a request a moment before the queue records it).
		waitFor(t, "both recorded", func() bool {
			var n int
			err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'`).Scan(&n)
			return err == nil && n == 2
		})
		eps, err := ca.Webhooks.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ep := range eps {
			log, err := ca.Webhooks.Deliveries(ctx, ep.ID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{"IOC": 2}[ep.Name]
			if len(log) != want {
				t.Fatalf("%s: %d deliveries, want %d", ep.Name, len(log), want)
			}
			for _, dl := range log {
				if dl.State != webhook.StateDelivered || len(dl.Log) != 1 || dl.Log[0].Status != 200 || dl.Log[0].Response != `{"ok":true}` {
					t.Fatalf("%s: delivery %+v", ep.Name, dl)
				}
			}
		}
		if len(ward.received())+len(paused.received()) != 0 || ward.attempts()+paused.attempts() != 0 {
			t.Fatal("an endpoint for another agency or a paused one got an event")
		}
		if strings.Contains(ca.logs.String(), "0912345678") {
			t.Fatal("the reporter's phone is in the log")
		}
	})
}

// A receiver that answers 500, or does not answer in time, is tried again
// with backoff until it takes the delivery; each attempt is in the log.
func TestWebhookRetriesAFailureAndATimeoutThenDelivers(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ca := serveWebhooks(t, d)
		rc := newReceiver(t)
		ep := rc.addEndpoint(t, ca.testApp, webhook.Input{Name: "IOC", Events: []string{webhook.All}, Active: true})
		rc.script(500, 0, 503)
		if _, err := ca.Webhooks.SendTest(ctx, user.Actor{Origin: "cli"}, ep.ID); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the test delivery", func() bool { return len(rc.received()) == 1 })
		if rc.attempts() != 4 || rc.received()[0].parsed.Event != webhook.TestEvent || rc.received()[0].parsed.Ticket != nil {
			t.Fatalf("%d attempts, received %+v", rc.attempts(), rc.received()[0].parsed)
		}
		var log []webhook.Delivery
		waitFor(t, "the delivery recorded", func() bool {
			var err error
			log, err = ca.Webhooks.Deliveries(ctx, ep.ID, 0, 0)
			return err == nil && len(log) == 1 && log[0].State == webhook.StateDelivered
		})
		a := log[0].Log
		if len(a) != 4 || a[0].Status != 500 || a[1].Status != 0 || !strings.HasPrefix(a[1].Error, "timeout after") ||
			a[2].Status != 503 || a[3].Status != 200 || log[0].Attempts != 4 {
			t.Fatalf("attempts %+v", a)
		}
	})
}

// An endpoint's URL must be http or https, without credentials; its
// events must be known ones.
func TestWebhookEndpointsRefuseBadInput(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestAppWith(t, d, webhookQueue, clock.New(time.Now))
		ctx := context.Background()
		ok := webhook.Input{Name: "IOC", URL: "https://ioc.tinh.gov.vn/hooks/1022", Events: []string{"forward"}, Active: true}
		cases := []struct {
			name  string
			edit  func(*webhook.Input)
			field string
		}{
			{"ftp", func(in *webhook.Input) { in.URL = "ftp://ioc.tinh.gov.vn/x" }, "url"},
			{"file", func(in *webhook.Input) { in.URL = "file:///etc/passwd" }, "url"},
			{"javascript", func(in *webhook.Input) { in.URL = "javascript:alert(1)" }, "url"},
			{"no host", func(in *webhook.Input) { in.URL = "https:///x" }, "url"},
			{"relative", func(in *webhook.Input) { in.URL = "/hooks" }, "url"},
			{"credentials", func(in *webhook.Input) { in.URL = "https://u:p@ioc.tinh.gov.vn/" }, "url"},
			{"no events", func(in *webhook.Input) { in.Events = nil }, "events"},
			{"unknown event", func(in *webhook.Input) { in.Events = []string{"explode"} }, "events"},
			{"unknown agency", func(in *webhook.Input) { in.Agency = "NOPE" }, "agency"},
			{"short secret", func(in *webhook.Input) { in.Secret = "short" }, "secret"},
			{"no name", func(in *webhook.Input) { in.Name = " " }, "name"},
		}
		for _, c := range cases {
			in := ok
			c.edit(&in)
			_, _, err := ta.Webhooks.Create(ctx, user.Actor{Origin: "cli"}, in)
			if e := errs.As(err); e == nil || e.Code != errs.Invalid || e.Field != c.field {
				t.Errorf("%s: %v, want invalid %s", c.name, err, c.field)
			}
		}
		eps, _ := ta.Webhooks.List(ctx)
		if len(eps) != 0 {
			t.Fatalf("%d endpoints stored from bad input", len(eps))
		}
		e, secret, err := ta.Webhooks.Create(ctx, user.Actor{Origin: "cli"}, ok)
		if err != nil || !strings.HasPrefix(secret, "whsec_") || len(secret) < 20 || e.URL != ok.URL {
			t.Fatalf("created %+v %q %v", e, secret, err)
		}
		var sealed []byte
		if err := d.R().QueryRowContext(ctx, `SELECT secret_enc FROM webhook_endpoints WHERE id = $1`, e.ID).Scan(&sealed); err != nil ||
			strings.Contains(string(sealed), secret) || strings.Contains(string(sealed), secret[6:]) {
			t.Fatalf("the secret is not sealed at rest (%v)", err)
		}
		if _, _, err := ta.Webhooks.Create(ctx, user.Actor{Origin: "cli"}, ok); !errs.Has(err, errs.Conflict) {
			t.Fatalf("a second endpoint of the same name: %v", err)
		}
	})
}

// Admins manage endpoints through the API, see each delivery with its
// attempts and replay one; every change is audited; other roles are
// refused.
func TestWebhookAPI(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ca := serveWebhooks(t, d)
		rc := newReceiver(t)
		ca.must(t, "operator", "GET", "/api/v1/webhooks", nil, 403)
		ca.must(t, "supervisor", "POST", "/api/v1/webhooks", map[string]any{"name": "x", "url": rc.URL, "events": []string{"*"}}, 403)
		bad := ca.must(t, "admin", "POST", "/api/v1/webhooks", map[string]any{"name": "IOC", "url": "ftp://ioc.tinh.gov.vn/", "events": []string{"*"}}, 400)
		if errField(bad) != "url" || !strings.Contains(errMessage(bad), "http") {
			t.Fatalf("ftp URL: %v", bad)
		}
		created := ca.must(t, "admin", "POST", "/api/v1/webhooks", map[string]any{"name": "IOC", "url": rc.URL + "/in", "events": []string{"forward", "close"}, "agency": "SXD"}, 201)
		secret, _ := created["secret"].(string)
		if secret == "" || created["active"] != true || created["agency"] != "SXD" {
			t.Fatalf("created %v", created)
		}
		rc.mu.Lock()
		rc.secret = secret
		rc.mu.Unlock()
		id := strconv.Itoa(int(created["id"].(float64)))
		ca.must(t, "admin", "POST", "/api/v1/webhooks", map[string]any{"name": "IOC", "url": rc.URL, "events": []string{"*"}}, 409)
		list := ca.must(t, "admin", "GET", "/api/v1/webhooks", nil, 200)
		if ws := list["webhooks"].([]any); len(ws) != 1 || ws[0].(map[string]any)["secret"] != nil {
			t.Fatalf("list %v", list)
		}
		ca.must(t, "admin", "GET", "/api/v1/webhooks/999999", nil, 404)
		upd := ca.must(t, "admin", "PUT", "/api/v1/webhooks/"+id, map[string]any{"name": "IOC tỉnh", "url": rc.URL + "/in", "events": []string{"*"}, "active": false}, 200)
		if upd["active"] != false || upd["name"] != "IOC tỉnh" || upd["secret"] != nil {
			t.Fatalf("updated %v", upd)
		}
		// Paused: a test still goes (the admin checks the receiver), the
		// ticket's events wait.
		test := ca.must(t, "admin", "POST", "/api/v1/webhooks/"+id+"/test", nil, 202)
		waitFor(t, "the test", func() bool { return len(rc.received()) == 1 })
		ca.must(t, "admin", "PUT", "/api/v1/webhooks/"+id, map[string]any{"name": "IOC tỉnh", "url": rc.URL + "/in", "events": []string{"*"}, "active": true}, 200)
		var log []any
		waitFor(t, "the test delivered", func() bool {
			out := ca.must(t, "admin", "GET", "/api/v1/webhooks/"+id+"/deliveries", nil, 200)
			log = out["deliveries"].([]any)
			return len(log) == 1 && log[0].(map[string]any)["state"] == "delivered"
		})
		first := log[0].(map[string]any)
		if first["id"] != test["id"] || first["event"] != webhook.TestEvent || len(first["log"].([]any)) != 1 {
			t.Fatalf("log %v", first)
		}
		attempt := first["log"].([]any)[0].(map[string]any)
		if attempt["status"] != float64(200) || attempt["response"] != `{"ok":true}` {
			t.Fatalf("attempt %v", attempt)
		}
		replay := ca.must(t, "admin", "POST", "/api/v1/webhooks/deliveries/"+strconv.Itoa(int(first["id"].(float64)))+"/replay", nil, 202)
		if replay["event_id"] != first["event_id"] || replay["replay_of"] != first["id"] || replay["id"] == first["id"] {
			t.Fatalf("replay %v of %v", replay, first)
		}
		waitFor(t, "the replay", func() bool { return len(rc.received()) == 2 })
		got := rc.received()
		if got[0].parsed.ID != got[1].parsed.ID || got[0].header.Get(webhook.DeliveryHeader) == got[1].header.Get(webhook.DeliveryHeader) {
			t.Fatal("a replay must keep the event id and have its own delivery id")
		}
		ca.must(t, "admin", "POST", "/api/v1/webhooks/deliveries/999999/replay", nil, 404)
		ca.must(t, "admin", "GET", "/api/v1/webhooks/"+id+"/deliveries?limit=0", nil, 400)
		ca.must(t, "operator", "POST", "/api/v1/webhooks/deliveries/1/replay", nil, 403)
		ca.must(t, "admin", "DELETE", "/api/v1/webhooks/"+id, nil, 204)
		ca.must(t, "admin", "GET", "/api/v1/webhooks/"+id+"/deliveries", nil, 404)
		var actions []string
		rows, err := d.R().QueryContext(ctx, `SELECT action FROM audit_events WHERE action LIKE 'webhook.%' ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				t.Fatal(err)
			}
			actions = append(actions, a)
		}
		want := "webhook.create webhook.update webhook.test webhook.update webhook.replay webhook.delete"
		if strings.Join(actions, " ") != want {
			t.Fatalf("audited %v, want %s", actions, want)
		}
	})
}

// countDeliveries counts the deliveries in a state.
func countDeliveries(t *testing.T, d *db.DB, state string) int {
	t.Helper()
	var n int
	if err := d.R().QueryRowContext(context.Background(), `SELECT count(*) FROM webhook_deliveries WHERE state = $1`, state).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A receiver that is down delays the deliveries, never loses them: they
// are retried while it is down, survive the instance stopping, and reach
// it, each once, when it is back, with the next instance.
func TestWebhookReceiverDownDelaysNeverLoses(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ca := serveWebhooks(t, d)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens there: every attempt is refused
		_, secret, err := ca.Webhooks.Create(ctx, user.Actor{Origin: "cli"}, webhook.Input{Name: "IOC", URL: "http://" + addr + "/in",
			Events: []string{webhook.All}, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		const n = 4
		for range n {
			body := newReport()
			body["forward"] = map[string]any{"agency": "SXD"}
			ca.must(t, "operator", "POST", "/api/v1/tickets", body, 201)
		}
		queued := countDeliveries(t, d, webhook.StateQueued)
		if queued < n {
			t.Fatalf("%d deliveries queued for %d forwarded tickets", queued, n)
		}
		waitFor(t, "each delivery refused twice", func() bool {
			var min int
			err := d.R().QueryRowContext(ctx, `SELECT min(attempts) FROM webhook_deliveries`).Scan(&min)
			return err == nil && min >= 2
		})
		var refused string
		if err := d.R().QueryRowContext(ctx, `SELECT error FROM webhook_attempts ORDER BY id LIMIT 1`).Scan(&refused); err != nil ||
			!strings.Contains(refused, "refused") || strings.Contains(refused, "/in") {
			t.Fatalf("the first attempt's error %q (%v)", refused, err)
		}
		if countDeliveries(t, d, webhook.StateQueued) != queued {
			t.Fatal("a delivery left the queue while the receiver was down")
		}
		// This instance stops; the receiver comes back; the next instance
		// delivers what was queued.
		ca.stop()
		back, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		rc := newReceiverOn(t, back)
		rc.mu.Lock()
		rc.secret = secret
		rc.mu.Unlock()
		next := &testApp{App: app.New(webhookQueue, d, ca.Box, ca.Log), logs: ca.logs, tokens: ca.tokens, srv: ca.srv}
		startChannels(t, next, nil)
		waitFor(t, "every delivery", func() bool { return countDeliveries(t, d, webhook.StateDelivered) == queued })
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if len(rc.deliveries) != queued {
			t.Fatalf("the receiver got %d deliveries, want %d", len(rc.deliveries), queued)
		}
		for id, c := range rc.deliveries {
			if c != 1 {
				t.Errorf("delivery %s arrived %d times", id, c)
			}
		}
	})
}

// Several instances share the queue: each delivery is claimed by one of
// them, so none reaches the receiver twice, or twice at once.
func TestWebhookInstancesDeliverEachOnce(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ca := serveWebhooks(t, d)
		other := &testApp{App: app.New(webhookQueue, d, ca.Box, ca.Log), logs: ca.logs, tokens: ca.tokens, srv: ca.srv}
		startChannels(t, other, nil)
		third := &testApp{App: app.New(webhookQueue, d, ca.Box, ca.Log), logs: ca.logs, tokens: ca.tokens, srv: ca.srv}
		startChannels(t, third, nil)
		rc := newReceiver(t)
		ep := rc.addEndpoint(t, ca.testApp, webhook.Input{Name: "IOC", Events: []string{webhook.All}, Active: true})
		const n = 40
		for range n {
			if _, err := ca.Webhooks.SendTest(ctx, user.Actor{Origin: "cli"}, ep.ID); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, "every delivery", func() bool { return countDeliveries(t, d, webhook.StateDelivered) == n })
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if len(rc.deliveries) != n || rc.tries != n {
			t.Fatalf("%d requests for %d deliveries, want %d each once", rc.tries, len(rc.deliveries), n)
		}
		var attempts int
		if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM webhook_attempts`).Scan(&attempts); err != nil || attempts != n {
			t.Fatalf("%d attempts recorded (%v), want %d", attempts, err, n)
		}
	})
}
