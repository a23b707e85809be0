package app_test

import (
	"context"
	"mime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/email"
	"github.com/hotline-1022/hotline/internal/channel/email/emailtest"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

const citizen = "an.nguyen@example.vn"

// serveEmail is a serving app with one mailbox account that sends
// through a fake submission server speaking SMTP.
func serveEmail(t *testing.T, d *db.DB) (*channelApp, *emailtest.SMTP, int64) {
	t.Helper()
	ta := newTestAppWith(t, d, app.Config{Province: "79", Queue: fastQueue}, clock.New(time.Now))
	srv := emailtest.NewSMTP(t, emailtest.SMTPConfig{TLS: "starttls", User: "1022@tinh.gov.vn", Password: "mat-khau"})
	ta.Adapters[channel.Email].(*email.Adapter).TLS = srv.Cert.Client()
	acct, err := ta.Channels.Add(context.Background(), user.Actor{Origin: "cli"}, channel.Email, "Hộp thư 1022", srv.Settings("1022@tinh.gov.vn"))
	if err != nil {
		t.Fatal(err)
	}
	return startChannels(t, ta, nil), srv, acct.ID
}

// mailIn stores a citizen's mail as the mailbox intake does: the sender's
// address as the contact, the Message-ID (scoped to the account) as the
// provider id, the subject as the title.
func (ca *channelApp) mailIn(t *testing.T, acct int64, msgID, subject, text string) ticket.InboundResult {
	t.Helper()
	res, err := ca.Tickets.Inbound(context.Background(), user.Actor{Origin: "channel:email"}, ticket.InboundBatch{
		Channel: ticket.Email, AccountID: acct, Window: 72 * time.Hour,
		Ack: func(code string) string { return "Đã tiếp nhận phản ánh " + code + "." },
		Events: []ticket.InboundEvent{{Kind: ticket.InMessage, ProviderID: strconv.FormatInt(acct, 10) + ":" + msgID,
			Identity: contact.Identity{Kind: contact.KindEmail, Value: citizen}, UserName: "Nguyễn Văn An", At: time.Now(),
			Title: subject, Text: text}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res[0]
}

func subjectOf(t *testing.T, r emailtest.Received) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(r.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEmailRepliesReachTheSMTPServerThreaded(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ca, srv, acct := serveEmail(t, d)
		res := ca.mailIn(t, acct, "CAF=abc@mail.gmail.com", "Đèn đường hỏng", "Đèn đường trước số 12 Lê Lợi bị hỏng.")
		waitFor(t, "the acknowledgement", func() bool { return len(srv.Received()) == 1 })
		ack := srv.Received()[0]
		if ack.To[0] != citizen || !ack.TLS || ack.User != "1022@tinh.gov.vn" {
			t.Fatalf("acknowledgement to %v, tls %v, user %q", ack.To, ack.TLS, ack.User)
		}
		h := ack.Header
		if h.Get("In-Reply-To") != "<CAF=abc@mail.gmail.com>" || h.Get("Auto-Submitted") != "auto-replied" ||
			subjectOf(t, ack) != "Re: Đèn đường hỏng [1022 #"+res.Code+"]" {
			t.Fatalf("acknowledgement: In-Reply-To %q, Auto-Submitted %q, subject %q", h.Get("In-Reply-To"), h.Get("Auto-Submitted"), subjectOf(t, ack))
		}
		ackID := strings.Trim(h.Get("Message-ID"), "<>")
		id := strconv.FormatInt(res.TicketID, 10)
		ca.must(t, "operator", "POST", "/api/v1/tickets/"+id+"/reply", map[string]any{"text": "Đơn vị đã thay bóng đèn sáng nay."}, 200)
		waitFor(t, "the reply", func() bool { return len(srv.Received()) == 2 })
		r := srv.Received()[1].Header
		if r.Get("In-Reply-To") != "<CAF=abc@mail.gmail.com>" || r.Get("Auto-Submitted") != "" ||
			strings.Join(strings.Fields(r.Get("References")), " ") != "<CAF=abc@mail.gmail.com> <"+ackID+">" {
			t.Fatalf("reply: In-Reply-To %q, References %q, Auto-Submitted %q", r.Get("In-Reply-To"), r.Get("References"), r.Get("Auto-Submitted"))
		}
		// The server has the mail a moment before the queue records it sent.
		waitFor(t, "both sent", func() bool {
			got := ca.deliveries(t, res.TicketID)
			return len(got) == 2 && got[0] == "sent" && got[1] == "sent"
		})
		if strings.Contains(ca.logs.String(), citizen) {
			t.Fatal("the citizen's address is in the log")
		}
	})
}

func TestEmailSendsRetryTemporaryRefusalsAndShowPermanentOnes(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ca, srv, acct := serveEmail(t, d)
		// Greylisted twice: the queue retries until the server takes it.
		srv.Fail(2, "mail", 451, smtp.EnhancedCode{4, 7, 1}, "Greylisted, try again later")
		res := ca.mailIn(t, acct, "m1@example.vn", "Rác chưa thu gom", "Rác không được thu gom 3 ngày.")
		waitFor(t, "the acknowledgement", func() bool { return len(srv.Received()) == 1 })
		if n := srv.Attempts(); n != 3 {
			t.Fatalf("%d attempts, want 2 refused and 1 taken", n)
		}
		waitFor(t, "sent", func() bool { got := ca.deliveries(t, res.TicketID); return len(got) == 1 && got[0] == "sent" })
		// The mailbox is gone: not retried, failed on the ticket and the
		// channel page.
		srv.Refuse(citizen)
		ca.must(t, "operator", "POST", "/api/v1/tickets/"+strconv.FormatInt(res.TicketID, 10)+"/reply", map[string]any{"text": "Đã chuyển đơn vị thu gom."}, 200)
		waitFor(t, "the failure", func() bool {
			got := ca.deliveries(t, res.TicketID)
			return len(got) == 2 && got[1] == "failed:unknown_recipient"
		})
		tries := srv.Attempts()
		time.Sleep(300 * time.Millisecond)
		if srv.Attempts() != tries || len(srv.Received()) != 1 {
			t.Fatal("a permanent refusal was retried")
		}
		a, err := ca.Channels.Get(context.Background(), acct)
		if err != nil || !strings.HasPrefix(a.LastError, "unknown_recipient") || !strings.Contains(a.LastError, "550 5.1.1") {
			t.Fatalf("account's last error %q %v", a.LastError, err)
		}
	})
}
