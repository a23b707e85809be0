package app_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/viber/vibertest"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/queue"
	"github.com/hotline-1022/hotline/internal/user"
)

// fastQueue polls and retries quickly, as tests need, and gives up only
// after many attempts, so an outage on a loaded machine does not exhaust
// them.
var fastQueue = queue.Config{PollInterval: 50 * time.Millisecond, RetryBase: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, MaxAttempts: 1000}

// channelApp is a test app that serves, with its runners, on a real
// listener, and a fake Viber platform its account sends to.
type channelApp struct {
	*testApp
	url      string
	platform *vibertest.Server
	stop     func()
}

func serveChannels(t *testing.T, d *db.DB) *channelApp {
	t.Helper()
	ta := newTestAppWith(t, d, app.Config{Province: "79", Queue: fastQueue}, clock.New(time.Now))
	return startChannels(t, ta, vibertest.New(t, vibertest.Config{AuthToken: "viber-token-a"}))
}

func startChannels(t *testing.T, ta *testApp, platform *vibertest.Server) *channelApp {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ta.Serve(ctx, ln) }()
	ca := &channelApp{testApp: ta, url: "http://" + ln.Addr().String(), platform: platform}
	var once sync.Once
	ca.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		})
	}
	t.Cleanup(ca.stop)
	return ca
}

func (ca *channelApp) addViber(t *testing.T, name string) int64 {
	t.Helper()
	acct, err := ca.Channels.Add(context.Background(), user.Actor{Origin: "cli"}, channel.Viber, name, ca.platform.Settings())
	if err != nil {
		t.Fatal(err)
	}
	return acct.ID
}

// post sends a webhook body signed with key (HMAC-SHA256, hex, as Viber
// documents it), computed here independently of any adapter.
func (ca *channelApp) post(t *testing.T, path, key string, body []byte) int {
	t.Helper()
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write(body)
	req, _ := http.NewRequest("POST", ca.url+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Viber-Content-Signature", hex.EncodeToString(mac.Sum(nil)))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

func viberMessage(token int64, userID, text string, at time.Time) []byte {
	b, _ := json.Marshal(map[string]any{"event": "message", "timestamp": at.UnixMilli(), "message_token": token,
		"sender": map[string]any{"id": userID, "name": "Trần Văn Bình"}, "message": map[string]any{"type": "text", "text": text}})
	return b
}

// ticketsOf lists the ids of the tickets on a channel account.
func ticketsOf(t testing.TB, d *db.DB, acct int64) []int64 {
	t.Helper()
	rows, err := d.R().QueryContext(context.Background(), `SELECT id FROM tickets WHERE channel_account_id = $1 ORDER BY id`, acct)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	return ids
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// deliveries returns the delivery state and error of a ticket's outbound
// messages, as the API shows them.
func (ca *channelApp) deliveries(t *testing.T, id int64) []string {
	t.Helper()
	got := ca.must(t, "operator", "GET", "/api/v1/tickets/"+strconv.FormatInt(id, 10), nil, 200)
	var out []string
	tl, _ := got["timeline"].([]any)
	for _, e := range tl {
		m := e.(map[string]any)
		if m["kind"] == "outbound" {
			s := fmt.Sprint(m["delivery"])
			if m["delivery_error"] != nil {
				s += ":" + fmt.Sprint(m["delivery_error"])
			}
			out = append(out, s)
		}
	}
	return out
}

func TestSignedWebhookCreatesOneTicketAndIsAcknowledged(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ca := serveChannels(t, d)
		acct := ca.addViber(t, "a")
		path := "/hooks/viber/" + strconv.FormatInt(acct, 10)
		body := viberMessage(5491, "u-01", "Cống trước nhà số 7 Lê Lợi bị tắc, nước tràn ra đường.", time.Now())
		if code := ca.post(t, path, "not-the-token", body); code != http.StatusUnauthorized {
			t.Fatalf("badly signed: %d", code)
		}
		if n := len(ticketsOf(t, d, acct)); n != 0 {
			t.Fatalf("a badly signed event stored %d tickets", n)
		}
		for range 3 {
			if code := ca.post(t, path, "viber-token-a", body); code != http.StatusOK {
				t.Fatalf("signed: %d", code)
			}
		}
		ids := ticketsOf(t, d, acct)
		if len(ids) != 1 {
			t.Fatalf("three deliveries made %d tickets", len(ids))
		}
		// The acknowledgement, with the tracking code, reaches the platform.
		waitFor(t, "the acknowledgement", func() bool { return len(ca.platform.Sent()) == 1 })
		var code string
		d.R().QueryRowContext(context.Background(), `SELECT code FROM tickets WHERE id = $1`, ids[0]).Scan(&code)
		sent := ca.platform.Sent()[0]
		if sent.Receiver != "u-01" || !strings.Contains(sent.Text, code) || sent.SenderName != "Tổng đài 1022" {
			t.Fatalf("acknowledgement %+v, code %s", sent, code)
		}
		// The next message joins the same ticket.
		if code := ca.post(t, path, "viber-token-a", viberMessage(5492, "u-01", "Ảnh đây ạ", time.Now())); code != 200 {
			t.Fatalf("second message: %d", code)
		}
		if n := len(ticketsOf(t, d, acct)); n != 1 {
			t.Fatalf("a follow-up opened a new ticket: %d", n)
		}
		// Unknown or disabled accounts are 404; old events are refused.
		if code := ca.post(t, "/hooks/viber/999", "viber-token-a", body); code != http.StatusNotFound {
			t.Fatalf("unknown account: %d", code)
		}
		if code := ca.post(t, path, "viber-token-a", viberMessage(5493, "u-02", "cũ", time.Now().Add(-48*time.Hour))); code != http.StatusBadRequest {
			t.Fatalf("a replayed old event: %d", code)
		}
		if code := ca.post(t, path, "viber-token-a", []byte(`{"event":`)); code != http.StatusBadRequest {
			t.Fatalf("malformed: %d", code)
		}
		check, _ := json.Marshal(map[string]any{"event": "webhook", "timestamp": time.Now().UnixMilli(), "message_token": 1})
		if code := ca.post(t, path, "viber-token-a", check); code != 200 {
			t.Fatalf("webhook check: %d", code)
		}
		if err := ca.Channels.SetEnabled(context.Background(), user.Actor{Origin: "cli"}, acct, false); err != nil {
			t.Fatal(err)
		}
		if code := ca.post(t, path, "viber-token-a", body); code != http.StatusNotFound {
			t.Fatalf("disabled account: %d", code)
		}
		if strings.Contains(ca.logs.String(), "u-01") {
			t.Fatal("a platform user id is in the log")
		}
	})
}

func TestRepliesSurviveAnOutageAndARestartExactlyOnce(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ca := serveChannels(t, d)
		acct := ca.addViber(t, "a")
		path := "/hooks/viber/" + strconv.FormatInt(acct, 10)
		const n = 6
		for i := range n {
			body := viberMessage(int64(9000+i), "user-"+strconv.Itoa(i), "Phản ánh số "+strconv.Itoa(i)+": đèn đường hỏng.", time.Now())
			if code := ca.post(t, path, "viber-token-a", body); code != 200 {
				t.Fatalf("message %d: %d", i, code)
			}
		}
		waitFor(t, "the acknowledgements", func() bool { return len(ca.platform.Sent()) == n })
		ids := ticketsOf(t, d, acct)
		// hotline stops with the operator's replies still queued (they are
		// taken by an instance that serves the API but runs no queue), and
		// the platform is down when the next instance starts.
		ca.stop()
		for i, id := range ids {
			ca.must(t, "operator", "POST", "/api/v1/tickets/"+strconv.FormatInt(id, 10)+"/reply", map[string]any{"text": "Trả lời " + strconv.Itoa(i)}, 200)
		}
		if got := ca.deliveries(t, ids[0]); got[1] != "queued" {
			t.Fatalf("before the restart the reply is %v", got)
		}
		// The backlog shows on /metrics.
		labels := map[string]string{"account": strconv.FormatInt(acct, 10), "kind": "viber", "name": "a"}
		fams := mustScrape(t, ca.srv)
		if q := series(fams["hotline_channel_queued_messages"], labels); q == nil || q.GetGauge().GetValue() != n {
			t.Fatalf("queued messages on /metrics: %v", q)
		}
		if age := series(fams["hotline_channel_oldest_queued_age_seconds"], labels); age == nil || age.GetGauge().GetValue() <= 0 {
			t.Fatalf("oldest queued age on /metrics: %v", age)
		}
		before := ca.platform.Attempts()
		ca.platform.FailSends(2*n, vibertest.Outage)
		next := &testApp{App: app.New(app.Config{Province: "79", Queue: fastQueue}, d, ca.Box, ca.Log), logs: ca.logs, tokens: ca.tokens, srv: ca.srv}
		ca2 := startChannels(t, next, ca.platform)
		waitFor(t, "every reply", func() bool { return len(ca.platform.Sent()) == 2*n })
		time.Sleep(300 * time.Millisecond) // would a retry send one again?
		if tries := ca.platform.Attempts() - before; tries != 3*n {
			t.Fatalf("%d send attempts, want %d failed and %d sent; sent %+v", tries, 2*n, n, ca.platform.Sent())
		}
		counts := map[string]int{}
		for _, s := range ca.platform.Sent() {
			counts[s.Text]++
		}
		for i := range n {
			if c := counts["Trả lời "+strconv.Itoa(i)]; c != 1 {
				t.Fatalf("reply %d reached the platform %d times", i, c)
			}
		}
		srv := httptest.NewServer(next.Handler())
		defer srv.Close()
		ca2.testApp.srv = srv
		for _, id := range ids {
			if got := ca2.deliveries(t, id); len(got) != 2 || got[0] != "sent" || got[1] != "sent" {
				t.Fatalf("ticket %d deliveries %v", id, got)
			}
		}
		// A job is marked done a moment after its send is recorded.
		waitFor(t, "no send pending", func() bool {
			pending, err := ca2.Relay.Pending(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			return pending[acct].Count == 0
		})
	})
}

func TestPermanentSendErrorsShowOnTheTicket(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ca := serveChannels(t, d)
		acct := ca.addViber(t, "a")
		path := "/hooks/viber/" + strconv.FormatInt(acct, 10)
		if code := ca.post(t, path, "viber-token-a", viberMessage(77, "gone", "Rác không được thu gom 3 ngày", time.Now())); code != 200 {
			t.Fatal(code)
		}
		id := ticketsOf(t, d, acct)[0]
		waitFor(t, "the acknowledgement", func() bool { return len(ca.platform.Sent()) == 1 })
		ca.platform.FailSends(1, vibertest.NotSubscribed)
		ca.must(t, "operator", "POST", "/api/v1/tickets/"+strconv.FormatInt(id, 10)+"/reply", map[string]any{"text": "Đã chuyển đơn vị thu gom"}, 200)
		waitFor(t, "the failure", func() bool {
			got := ca.deliveries(t, id)
			return len(got) == 2 && got[1] == "failed:blocked"
		})
		tries := ca.platform.Attempts()
		time.Sleep(300 * time.Millisecond)
		if ca.platform.Attempts() != tries {
			t.Fatal("a permanent failure was retried")
		}
		labels := map[string]string{"account": strconv.FormatInt(acct, 10), "kind": "viber", "name": "a"}
		fams := mustScrape(t, ca.srv)
		for _, name := range []string{"hotline_channel_last_error_timestamp_seconds", "hotline_channel_last_inbound_timestamp_seconds", "hotline_channel_enabled"} {
			if m := series(fams[name], labels); m == nil || m.GetGauge().GetValue() <= 0 {
				t.Fatalf("%s: %v", name, m)
			}
		}
		if m := series(fams["hotline_channel_queued_messages"], labels); m == nil || m.GetGauge().GetValue() != 0 {
			t.Fatalf("queued after a permanent failure: %v", m)
		}
		a, err := ca.Channels.Get(context.Background(), acct)
		if err != nil || !strings.HasPrefix(a.LastError, "blocked") || a.LastOutbound.IsZero() || a.LastInbound.IsZero() {
			t.Fatalf("account health %+v %v", a, err)
		}
	})
}

func TestViberFailedCallbackMarksTheMessageFailed(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ca := serveChannels(t, d)
		acct := ca.addViber(t, "a")
		path := "/hooks/viber/" + strconv.FormatInt(acct, 10)
		hook := vibertest.Webhook{AuthToken: "viber-token-a"}
		if code := ca.post(t, path, hook.AuthToken, viberMessage(81, "far", "Nắp cống bị mất ở ngã tư", time.Now())); code != 200 {
			t.Fatal(code)
		}
		id := ticketsOf(t, d, acct)[0]
		waitFor(t, "the acknowledgement", func() bool { return len(ca.deliveries(t, id)) == 1 && ca.deliveries(t, id)[0] == "sent" })
		token := ca.platform.Sent()[0].Token
		// Delivered, then Viber reports it could not reach the device after
		// all: the message is failed, with the reason, like a refused send.
		if code := ca.post(t, path, hook.AuthToken, hook.Receipt("delivered", "far", token, time.Now())); code != 200 {
			t.Fatal(code)
		}
		body := hook.Failed("far", token, "receiver has no suitable device", time.Now())
		for range 2 { // a redelivery changes nothing more
			if code := ca.post(t, path, hook.AuthToken, body); code != 200 {
				t.Fatal(code)
			}
		}
		if got := ca.deliveries(t, id); len(got) != 1 || got[0] != "failed:undelivered" {
			t.Fatalf("after the failed callback: %v", got)
		}
		a, err := ca.Channels.Get(context.Background(), acct)
		if err != nil || a.LastError != "undelivered: receiver has no suitable device" {
			t.Fatalf("account's last error %q %v", a.LastError, err)
		}
		// A late seen does not undo it; a failure for a token we never sent
		// changes nothing; a badly signed one is refused.
		if code := ca.post(t, path, hook.AuthToken, hook.Receipt("seen", "far", token, time.Now())); code != 200 {
			t.Fatal(code)
		}
		if code := ca.post(t, path, hook.AuthToken, hook.Failed("far", 12345, "x", time.Now())); code != 200 {
			t.Fatal(code)
		}
		if code := ca.post(t, path, "wrong", hook.Failed("far", token, "x", time.Now())); code != http.StatusUnauthorized {
			t.Fatal(code)
		}
		if got := ca.deliveries(t, id); len(got) != 1 || got[0] != "failed:undelivered" {
			t.Fatalf("at the end: %v", got)
		}
	})
}

// An account with its own acknowledgement sends it, with the new ticket's
// code; another account of the same kind keeps the catalogue's.
func TestTheAcknowledgementIsTheAccountsOwn(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ca := serveChannels(t, d)
		own, plain := ca.addViber(t, "own"), ca.addViber(t, "plain")
		if err := ca.Channels.SetAck(context.Background(), user.Actor{UserID: 1, Role: user.Admin}, own, "Sở TT&TT đã nhận, mã {code}."); err != nil {
			t.Fatal(err)
		}
		for i, acct := range []int64{own, plain} {
			path := "/hooks/viber/" + strconv.FormatInt(acct, 10)
			if code := ca.post(t, path, "viber-token-a", viberMessage(int64(600+i), "u-ack", "Cây đổ chắn đường", time.Now())); code != 200 {
				t.Fatal(code)
			}
		}
		waitFor(t, "both acknowledgements", func() bool { return len(ca.platform.Sent()) == 2 })
		codes := map[int64]string{}
		for _, acct := range []int64{own, plain} {
			var code string
			d.R().QueryRowContext(context.Background(), `SELECT code FROM tickets WHERE channel_account_id = $1`, acct).Scan(&code)
			codes[acct] = code
		}
		texts := map[string]bool{}
		for _, s := range ca.platform.Sent() {
			texts[s.Text] = true
		}
		if !texts["Sở TT&TT đã nhận, mã "+codes[own]+"."] || !texts[ca.Catalog.T("vi", "channel.ack", "code", codes[plain])] {
			t.Fatalf("acknowledgements %v, codes %v", texts, codes)
		}
	})
}
