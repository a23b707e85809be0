package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/email"
	"github.com/hotline-1022/hotline/internal/channel/email/emailtest"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/public"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// plainText is a mail's text/plain part, decoded.
func plainText(t *testing.T, r emailtest.Received) string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(r.Raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err != nil {
			t.Fatalf("no text/plain part: %v", err)
		}
		if ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct == "text/plain" {
			b, err := io.ReadAll(quotedprintable.NewReader(p))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
}

// A citizen who gives an e-mail address with a report gets its
// confirmation, in their language, with the tracking code and the link to
// /track, from the mailbox marked for the hotline's own mails, through the
// outbound queue; a report sent twice is confirmed once; without a mailbox
// nothing is sent, nothing shows, and the log says so without the address.
func TestPublicReportIsConfirmedByEmail(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ta := newTestAppWith(t, d, app.Config{Province: "79", Queue: fastQueue, PublicURL: "https://1022.tinh.gov.vn/"}, clock.New(time.Now))
		plain := emailtest.NewSMTP(t, emailtest.SMTPConfig{TLS: "none"})
		notify := emailtest.NewSMTP(t, emailtest.SMTPConfig{TLS: "none"})
		ta.Adapters[channel.Email].(*email.Adapter).TLS = notify.Cert.Client()
		cli := user.Actor{Origin: "cli"}
		first, err := ta.Channels.Add(ctx, cli, channel.Email, "Hộp thư chung", plain.Settings("hopthu@tinh.gov.vn"))
		if err != nil {
			t.Fatal(err)
		}
		settings := notify.Settings("1022@tinh.gov.vn")
		settings["notify"] = "true"
		marked, err := ta.Channels.Add(ctx, cli, channel.Email, "Thông báo 1022", settings)
		if err != nil {
			t.Fatal(err)
		}
		ca := startChannels(t, ta, nil)

		// From the app, in English, sent twice with one key.
		submit := func(key string, body map[string]any) (int, map[string]any) {
			b, _ := json.Marshal(body)
			req, _ := http.NewRequest("POST", ca.url+"/api/v1/public/tickets", bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept-Language", "en")
			req.Header.Set("Idempotency-Key", key)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var out map[string]any
			_ = json.NewDecoder(res.Body).Decode(&out)
			return res.StatusCode, out
		}
		report := map[string]any{"content": "Streetlight out in front of 12 Lê Lợi.", "email": citizen, "consent": true}
		status, got := submit("app-key-0001-confirm", report)
		if status != 201 {
			t.Fatalf("the app's report answered %d %v", status, got)
		}
		code := got["code"].(string)
		if status, _ := submit("app-key-0001-confirm", report); status != 200 {
			t.Fatalf("the same report again answered %d, want 200", status)
		}
		waitFor(t, "the confirmation", func() bool { return len(notify.Received()) >= 1 })
		m := notify.Received()[0]
		text := plainText(t, m)
		if m.To[0] != citizen || !strings.Contains(subjectOf(t, m), code) || !strings.Contains(text, "Tracking code: "+code) ||
			!strings.Contains(text, "https://1022.tinh.gov.vn/track?code="+code) || m.Header.Get("Auto-Submitted") == "" {
			t.Fatalf("the confirmation to %v, subject %q, Auto-Submitted %q:\n%s", m.To, subjectOf(t, m), m.Header.Get("Auto-Submitted"), text)
		}
		tk, err := ta.Tickets.GetByCode(ctx, user.System, code)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "sent", func() bool { s := ca.deliveries(t, tk.ID); return len(s) == 1 && s[0] == "sent" })
		// The citizen's timeline says the receipt was confirmed; it is no answer.
		tr, err := ta.Public.Track(ctx, code, citizen, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		if events := timelineEvents(tr); events != "receive acknowledge" || tr.Ticket.Answer != "" {
			t.Fatalf("the public timeline is %q, answer %q", events, tr.Ticket.Answer)
		}

		// From the portal, in Vietnamese; a report with only a phone gets no mail.
		c, err := ta.Public.Submit(ctx, public.Submission{Channel: ticket.Web, Content: "Đèn đường trước số 12 Lê Lợi bị hỏng.",
			Email: citizen, Consent: true, IP: "192.0.2.2", Lang: i18n.VI})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ta.Public.Submit(ctx, public.Submission{Channel: ticket.Web, Content: "Cống trước chợ bị tắc.",
			Phone: "0912345678", Consent: true, IP: "192.0.2.2", Lang: i18n.VI}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the Vietnamese confirmation", func() bool { return len(notify.Received()) >= 2 })
		vi := plainText(t, notify.Received()[1])
		if !strings.Contains(vi, "Mã tra cứu: "+c.Ticket.Code) || !strings.Contains(vi, "https://1022.tinh.gov.vn/track?code="+c.Ticket.Code) {
			t.Fatalf("the Vietnamese confirmation:\n%s", vi)
		}
		waitFor(t, "sent", func() bool { s := ca.deliveries(t, c.Ticket.ID); return len(s) == 1 && s[0] == "sent" })
		if n := len(notify.Received()); n != 2 || len(plain.Received()) != 0 {
			t.Fatalf("%d mails from the marked mailbox and %d from the other, want 2 and 0 (one per report with an address)", n, len(plain.Received()))
		}

		// Without the marked mailbox, the other one sends.
		if err := ta.Channels.SetEnabled(ctx, cli, marked.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := ta.Public.Submit(ctx, public.Submission{Channel: ticket.Web, Content: "Rác chưa được thu gom.",
			Email: citizen, Consent: true, IP: "192.0.2.3", Lang: i18n.VI}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the confirmation from the other mailbox", func() bool { return len(plain.Received()) == 1 })

		// With no mailbox at all: nothing queued, nothing shown, one log line.
		if err := ta.Channels.SetEnabled(ctx, cli, first.ID, false); err != nil {
			t.Fatal(err)
		}
		c, err = ta.Public.Submit(ctx, public.Submission{Channel: ticket.Web, Content: "Cây đổ chắn đường.",
			Email: citizen, Consent: true, IP: "192.0.2.4", Lang: i18n.VI})
		if err != nil {
			t.Fatal(err)
		}
		if s := ca.deliveries(t, c.Ticket.ID); len(s) != 0 {
			t.Fatalf("a confirmation with no mailbox: deliveries %v", s)
		}
		if tr, err := ta.Public.Track(ctx, c.Ticket.Code, citizen, "192.0.2.4"); err != nil || timelineEvents(tr) != "receive" {
			t.Fatalf("the public timeline without a mailbox is %q (%v)", timelineEvents(tr), err)
		}
		if !strings.Contains(ca.logs.String(), "not confirmed by e-mail") {
			t.Fatal("the missing confirmation is not logged")
		}
		if strings.Contains(ca.logs.String(), citizen) {
			t.Fatal("the citizen's address is in the log")
		}
	})
}

func timelineEvents(tr ticket.Tracked) string {
	var out []string
	for _, e := range tr.Timeline {
		out = append(out, e.Event)
	}
	return strings.Join(out, " ")
}
