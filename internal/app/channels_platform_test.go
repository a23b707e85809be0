package app_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	pngenc "image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/messenger/messengertest"
	"github.com/hotline-1022/hotline/internal/channel/viber/vibertest"
	"github.com/hotline-1022/hotline/internal/channel/zalo/zalotest"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/user"
)

func (ca *channelApp) postSigned(t *testing.T, path string, header http.Header, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest("POST", ca.url+path, bytes.NewReader(body))
	req.Header = header
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// zaloSignature is X-ZEvent-Signature computed here from channels.md §1.3:
// plain SHA-256 of app_id, the raw body, the body's timestamp and the OA
// secret.
func zaloSignature(t *testing.T, appID, oaSecret string, body []byte) http.Header {
	var ts struct {
		Timestamp string `json:"timestamp"`
	}
	if err := json.Unmarshal(body, &ts); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(appID + string(body) + ts.Timestamp + oaSecret))
	return http.Header{"X-Zevent-Signature": {"mac=" + hex.EncodeToString(sum[:])}}
}

func TestZaloMessageToTicketAndReplyBack(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ca := serveChannels(t, d)
		zalo := zalotest.New(t, zalotest.Config{})
		acct, err := ca.Channels.Add(context.Background(), user.Actor{Origin: "cli"}, channel.Zalo, "OA 1022", zalo.Settings())
		if err != nil {
			t.Fatal(err)
		}
		path := "/hooks/zalo/" + strconv.FormatInt(acct.ID, 10)
		cfg := zalo.Config()
		body := zalo.Webhook().Text("8421000111", "msg-7d1f", "Nắp cống trước chợ Bến Thành bị vỡ", time.Now())
		if code := ca.postSigned(t, path, zaloSignature(t, cfg.AppID, "wrong-secret", body), body); code != http.StatusUnauthorized {
			t.Fatalf("badly signed: %d", code)
		}
		if code := ca.postSigned(t, path, http.Header{}, body); code != http.StatusUnauthorized {
			t.Fatalf("unsigned: %d", code)
		}
		for range 3 {
			if code := ca.postSigned(t, path, zaloSignature(t, cfg.AppID, cfg.OASecret, body), body); code != http.StatusOK {
				t.Fatalf("signed: %d", code)
			}
		}
		ids := ticketsOf(t, d, acct.ID)
		if len(ids) != 1 {
			t.Fatalf("three deliveries made %d tickets", len(ids))
		}
		waitFor(t, "the acknowledgement", func() bool { return len(zalo.Sent()) == 1 })
		if s := zalo.Sent()[0]; s.UserID != "8421000111" || !strings.Contains(s.Text, "Mã theo dõi") {
			t.Fatalf("acknowledgement %+v", s)
		}
		id := strconv.FormatInt(ids[0], 10)
		ca.must(t, "operator", "POST", "/api/v1/tickets/"+id+"/reply", map[string]any{"text": "Đã báo Công ty Thoát nước sửa trong ngày."}, 200)
		waitFor(t, "the reply", func() bool { return len(zalo.Sent()) == 2 })
		if s := zalo.Sent()[1]; s.UserID != "8421000111" || s.Text != "Đã báo Công ty Thoát nước sửa trong ngày." {
			t.Fatalf("reply %+v", s)
		}
		waitFor(t, "sent", func() bool { got := ca.deliveries(t, ids[0]); return len(got) == 2 && got[1] == "sent" })
		// The messaging window closes: the next reply fails, visibly, once.
		ca.must(t, "operator", "POST", "/api/v1/tickets/"+id+"/reopen", map[string]any{"reason": "Người dân báo chưa sửa"}, 200)
		zalo.FailSends(1, zalotest.WindowClosed)
		before := zalo.Attempts()
		ca.must(t, "operator", "POST", "/api/v1/tickets/"+id+"/reply", map[string]any{"text": "Đã nhắc lại đơn vị."}, 200)
		waitFor(t, "the window-closed failure", func() bool {
			got := ca.deliveries(t, ids[0])
			return len(got) == 3 && got[2] == "failed:window_closed"
		})
		time.Sleep(300 * time.Millisecond)
		if n := zalo.Attempts() - before; n != 1 {
			t.Fatalf("a window-closed send was tried %d times", n)
		}
	})
}

func TestMessengerHandshakeBatchesAndReceipts(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ca := serveChannels(t, d)
		graph := messengertest.New(t, messengertest.Config{})
		acct, err := ca.Channels.Add(context.Background(), user.Actor{Origin: "cli"}, channel.Messenger, "Trang 1022", graph.Settings())
		if err != nil {
			t.Fatal(err)
		}
		path := "/hooks/messenger/" + strconv.FormatInt(acct.ID, 10)
		cfg := graph.Config()
		q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {cfg.VerifyToken}, "hub.challenge": {"1158201444"}}
		res, err := http.Get(ca.url + path + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || string(got) != "1158201444" {
			t.Fatalf("handshake: %d %q", res.StatusCode, got)
		}
		q.Set("hub.verify_token", "wrong")
		if res, err := http.Get(ca.url + path + "?" + q.Encode()); err != nil || res.StatusCode != http.StatusForbidden {
			t.Fatalf("handshake with a wrong token: %v %v", res, err)
		}
		sign := func(body []byte) http.Header {
			mac := hmac.New(sha256.New, []byte(cfg.AppSecret))
			mac.Write(body)
			return http.Header{"X-Hub-Signature-256": {"sha256=" + hex.EncodeToString(mac.Sum(nil))}}
		}
		wh := graph.Webhook()
		now := time.Now()
		// One body, two entries, two citizens: handled whole.
		body := wh.Body(
			[]messengertest.Item{wh.Text("psid-1", "m_aaa", "Đèn tín hiệu ngã tư hỏng", now)},
			[]messengertest.Item{wh.Text("psid-2", "m_bbb", "Cây đổ chắn đường", now), wh.Text("psid-1", "m_ccc", "Ở ngã tư Lê Lợi", now)},
		)
		if code := ca.postSigned(t, path, sign([]byte("tampered")), body); code != http.StatusUnauthorized {
			t.Fatalf("badly signed batch: %d", code)
		}
		for range 3 {
			if code := ca.postSigned(t, path, sign(body), body); code != 200 {
				t.Fatalf("batch: %d", code)
			}
		}
		ids := ticketsOf(t, d, acct.ID)
		if len(ids) != 2 {
			t.Fatalf("the batch made %d tickets, want 2", len(ids))
		}
		var n int
		d.R().QueryRowContext(context.Background(), `SELECT count(*) FROM messages WHERE ticket_id = $1 AND kind = 'inbound'`, ids[0]).Scan(&n)
		if n != 2 {
			t.Fatalf("psid-1's ticket has %d messages, want 2", n)
		}
		waitFor(t, "two acknowledgements", func() bool { return len(graph.Sent()) == 2 })
		// Delivered, then read, by watermark: the acknowledgement's state
		// moves forward.
		receipt := wh.Body([]messengertest.Item{wh.Delivery("psid-1", nil, time.Now().Add(time.Second), time.Now())})
		if code := ca.postSigned(t, path, sign(receipt), receipt); code != 200 {
			t.Fatalf("delivery receipt: %d", code)
		}
		if got := ca.deliveries(t, ids[0]); len(got) != 1 || got[0] != "delivered" {
			t.Fatalf("after the delivery receipt: %v", got)
		}
		read := wh.Body([]messengertest.Item{wh.Read("psid-1", time.Now().Add(time.Second), time.Now())})
		if code := ca.postSigned(t, path, sign(read), read); code != 200 {
			t.Fatalf("read receipt: %d", code)
		}
		if got := ca.deliveries(t, ids[0]); len(got) != 1 || got[0] != "seen" {
			t.Fatalf("after the read receipt: %v", got)
		}
	})
}

func TestZaloImageIsFetchedAndLocationSetsTheGeoPoint(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestAppWith(t, d, app.Config{Province: "79", Queue: fastQueue}, clock.New(time.Now))
		ta.Blobs.Dir = t.TempDir() // before Serve: its housekeeping sweeps the store
		ca := startChannels(t, ta, vibertest.New(t, vibertest.Config{AuthToken: "viber-token-a"}))
		var png bytes.Buffer
		img := image.NewRGBA(image.Rect(0, 0, 4, 4))
		if err := pngenc.Encode(&png, img); err != nil {
			t.Fatal(err)
		}
		var fails atomic.Int32
		fails.Store(2) // the platform's file server stumbles twice first
		files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.URL.Path == "/gone.png":
				http.NotFound(w, r)
			case fails.Add(-1) >= 0:
				http.Error(w, "busy", http.StatusServiceUnavailable)
			default:
				w.Header().Set("Content-Type", "image/png")
				w.Write(png.Bytes())
			}
		}))
		defer files.Close()
		zalo := zalotest.New(t, zalotest.Config{})
		acct, err := ca.Channels.Add(context.Background(), user.Actor{Origin: "cli"}, channel.Zalo, "OA 1022", zalo.Settings())
		if err != nil {
			t.Fatal(err)
		}
		path := "/hooks/zalo/" + strconv.FormatInt(acct.ID, 10)
		cfg := zalo.Config()
		for i, u := range []string{files.URL + "/photo.png", files.URL + "/gone.png"} {
			body := zalo.Webhook().Image("8421000222", "msg-img-"+strconv.Itoa(i), "", u, time.Now())
			if code := ca.postSigned(t, path, zaloSignature(t, cfg.AppID, cfg.OASecret, body), body); code != 200 {
				t.Fatalf("image %d: %d", i, code)
			}
		}
		ids := ticketsOf(t, d, acct.ID)
		if len(ids) != 1 {
			t.Fatalf("%d tickets", len(ids))
		}
		var n int
		waitFor(t, "the fetched image", func() bool {
			d.R().QueryRowContext(context.Background(), `SELECT count(*) FROM attachments WHERE ticket_id = $1 AND mime = 'image/png'`, ids[0]).Scan(&n)
			return n == 1
		})
		var content string
		d.R().QueryRowContext(context.Background(), `SELECT content FROM tickets WHERE id = $1`, ids[0]).Scan(&content)
		if content != "[Hình ảnh]" {
			t.Fatalf("an image without a caption has content %q", content)
		}
		// A shared location joins the ticket and sets its geo point.
		loc := zalo.Webhook().Location("8421000222", "msg-loc", 10.7725, 106.6980, time.Now())
		if code := ca.postSigned(t, path, zaloSignature(t, cfg.AppID, cfg.OASecret, loc), loc); code != 200 {
			t.Fatalf("location: %d", code)
		}
		var lat, lng float64
		if err := d.R().QueryRowContext(context.Background(), `SELECT lat, lng FROM tickets WHERE id = $1`, ids[0]).Scan(&lat, &lng); err != nil || lat != 10.7725 || lng != 106.698 {
			t.Fatalf("geo point %v,%v (%v)", lat, lng, err)
		}
		time.Sleep(300 * time.Millisecond)
		d.R().QueryRowContext(context.Background(), `SELECT count(*) FROM attachments WHERE ticket_id = $1`, ids[0]).Scan(&n)
		if n != 1 {
			t.Fatalf("%d attachments, want the one that could be fetched", n)
		}
	})
}

// A Zalo token of unknown expiry is renewed at start by the queue's
// singleton job; the new pair is stored sealed and sends use it.
func TestZaloTokenIsRefreshedAndUsed(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		zalo := zalotest.New(t, zalotest.Config{})
		ta := newTestAppWith(t, d, app.Config{Province: "79", Queue: fastQueue}, clock.New(time.Now))
		acct, err := ta.Channels.Add(context.Background(), user.Actor{Origin: "cli"}, channel.Zalo, "OA 1022", zalo.Settings())
		if err != nil {
			t.Fatal(err)
		}
		ca := startChannels(t, ta, vibertest.New(t, vibertest.Config{}))
		waitFor(t, "the refresh", func() bool { return zalo.Refreshes() == 1 })
		access, refresh := zalo.Tokens()
		waitFor(t, "the stored pair", func() bool {
			a, err := ca.Channels.Open(context.Background(), acct.ID, false)
			return err == nil && a.Settings["access_token"] == access && a.Settings["refresh_token"] == refresh
		})
		got, err := ca.Channels.Get(context.Background(), acct.ID)
		if err != nil || got.TokenExpires.Before(time.Now().Add(20*time.Hour)) {
			t.Fatalf("token expiry %v (%v)", got.TokenExpires, err)
		}
		cfg := zalo.Config()
		body := zalo.Webhook().Text("8421000333", "msg-tok", "Xe rác đổ sai giờ", time.Now())
		if code := ca.postSigned(t, "/hooks/zalo/"+strconv.FormatInt(acct.ID, 10), zaloSignature(t, cfg.AppID, cfg.OASecret, body), body); code != 200 {
			t.Fatalf("webhook: %d", code)
		}
		waitFor(t, "the acknowledgement", func() bool { return len(zalo.Sent()) == 1 })
		if s := zalo.Sent()[0]; s.AccessToken != access {
			t.Fatalf("sent with %q, want the refreshed %q", s.AccessToken, access)
		}
		if n := zalo.Refreshes(); n != 1 {
			t.Fatalf("%d refreshes of a token valid for a day", n)
		}
	})
}
