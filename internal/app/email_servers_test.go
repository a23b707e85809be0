package app_test

import (
	"bytes"
	"context"
	"mime"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/email"
	"github.com/hotline-1022/hotline/internal/channel/email/emailtest"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/user"
)

// The whole mail round trip against ordinary servers, not ours: Debian's
// Dovecot holds the hotline's mailbox and the citizen's, aiosmtpd takes
// both sides' submissions (HOTLINE_TEST_DOVECOT, HOTLINE_TEST_AIOSMTPD;
// scripts/test installs them). The citizen's mail becomes a ticket, the
// acknowledgement and the operator's reply reach the citizen's mailbox
// threaded, the citizen's answers (to the reply, and to the plus address
// alone) join the ticket, and an out-of-office reply makes nothing. The
// mailbox is polled every ten minutes here, so the mails after the first
// are seen only because Dovecot's IDLE tells of them.
func TestMailAgainstDovecotAndAiosmtpd(t *testing.T) {
	const (
		hotline = "1022@tinh.gov.vn"
		citizen = "an.nguyen@gmail.com"
	)
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		host := emailtest.NewMailHost(t, map[string]string{hotline: "mat-khau", citizen: "mat-khau-cua-an"})
		cfg := mailConfig
		cfg.MailPoll = 10 * time.Minute
		ta := newTestAppWith(t, d, app.Config{Province: "79", Queue: fastQueue, Channels: cfg}, clock.New(time.Now))
		ta.Adapters[channel.Email].(*email.Adapter).TLS = host.Cert.Client()
		ta.Blobs.Dir = t.TempDir()
		t.Cleanup(func() {
			if t.Failed() {
				t.Log(ta.logs.String())
			}
		})
		settings := host.Settings(hotline)
		settings["from"], settings["processed"] = "Đường dây nóng 1022 <"+hotline+">", "Processed"
		acct, err := ta.Channels.Add(context.Background(), user.Actor{Origin: "cli"}, channel.Email, "Hộp thư 1022", settings)
		if err != nil {
			t.Fatal(err)
		}
		c := host.IMAP(t, hotline)
		if !c.Caps().Has(imap.CapIdle) {
			t.Fatalf("Dovecot does not offer IDLE: %v", c.Caps())
		}
		if err := c.Create("Processed", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		c.Logout()
		ca := startChannels(t, ta, nil)

		host.Submit(t, citizen, hotline, fixture(t, "gmail.eml"))
		replies := func(n int) []mail.Header {
			t.Helper()
			var got []mail.Header
			waitFor(t, strconv.Itoa(n)+" mails in the citizen's mailbox", func() bool {
				got = nil
				for _, raw := range host.Mails(t, citizen) {
					m, err := mail.ReadMessage(bytes.NewReader(raw))
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, m.Header)
				}
				return len(got) >= n
			})
			if len(got) != n {
				t.Fatalf("%d mails in the citizen's mailbox, want %d", len(got), n)
			}
			return got
		}
		ack := replies(1)[0]
		ids := ticketsOf(t, d, acct.ID)
		if len(ids) != 1 {
			t.Fatalf("%d tickets from one mail", len(ids))
		}
		var code string
		d.R().QueryRowContext(context.Background(), `SELECT code FROM tickets WHERE id = $1`, ids[0]).Scan(&code)
		plus := "1022+" + code + "@tinh.gov.vn"
		threaded := func(h mail.Header, what, inReplyTo string, refs ...string) {
			t.Helper()
			subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
			if err != nil || !strings.Contains(subject, "[1022 #"+code+"]") {
				t.Fatalf("%s: subject %q (%v) without the tracking code %s", what, subject, err, code)
			}
			replyTo, err := h.AddressList("Reply-To")
			if h.Get("In-Reply-To") != inReplyTo || err != nil || len(replyTo) != 1 || !strings.EqualFold(replyTo[0].Address, plus) ||
				h.Get("Message-Id") == "" {
				t.Fatalf("%s: In-Reply-To %q, Reply-To %q, Message-ID %q; want %q and %q", what, h.Get("In-Reply-To"), h.Get("Reply-To"),
					h.Get("Message-Id"), inReplyTo, plus)
			}
			for _, r := range refs {
				if !strings.Contains(h.Get("References"), r) {
					t.Fatalf("%s: References %q without %s", what, h.Get("References"), r)
				}
			}
		}
		threaded(ack, "the acknowledgement", "<CAF4ov=Yx3kQh7Z2mT9pJd@mail.gmail.com>")

		// The citizen answers the acknowledgement; an out-of-office
		// answers it too.
		ackSubject, _ := new(mime.WordDecoder).DecodeHeader(ack.Get("Subject"))
		host.Submit(t, citizen, plus, citizenMail(citizen, "answer-1@mail.gmail.com", ackSubject, ack.Get("Message-Id"), "Đèn ở cột số 3."))
		ooo := bytes.ReplaceAll(fixture(t, "autoreply.eml"), []byte("<hotline.k7m3p-9qxd2.12.1@tinh.gov.vn>"), []byte(ack.Get("Message-Id")))
		host.Submit(t, citizen, hotline, ooo)
		waitFor(t, "the answer and the out-of-office", func() bool {
			return count(t, d, `SELECT count(*) FROM mail_skipped WHERE account_id = $1`, acct.ID)+
				count(t, d, `SELECT count(*) FROM messages WHERE kind = 'inbound' AND ticket_id = $1`, ids[0]) == 3
		})
		if n := count(t, d, `SELECT count(*) FROM mail_skipped WHERE account_id = $1 AND reason = 'auto_submitted'`, acct.ID); n != 1 {
			t.Fatalf("the out-of-office reply is not recorded as automatic (%d)", n)
		}

		// The operator's reply is threaded on the citizen's answer.
		ca.must(t, "operator", "POST", "/api/v1/tickets/"+strconv.FormatInt(ids[0], 10)+"/reply", map[string]any{"text": "Đã thay bóng đèn cột số 3."}, 200)
		reply := replies(2)[1]
		threaded(reply, "the reply", "<answer-1@mail.gmail.com>", ack.Get("Message-Id"), "<CAF4ov=Yx3kQh7Z2mT9pJd@mail.gmail.com>")

		// A mail to the plus address alone (the reply's Reply-To), with
		// neither the thread's headers nor the code in its subject, joins
		// the ticket too.
		toPlus := bytes.Replace(citizenMail(citizen, "answer-2@mail.gmail.com", "Cảm ơn", "", "Đèn đã sáng."),
			[]byte("To: "+hotline), []byte("To: "+plus), 1)
		host.Submit(t, citizen, plus, toPlus)
		waitFor(t, "the answer to the plus address", func() bool {
			return count(t, d, `SELECT count(*) FROM messages WHERE kind = 'inbound' AND ticket_id = $1`, ids[0]) == 3
		})
		if n := len(ticketsOf(t, d, acct.ID)); n != 1 {
			t.Fatalf("%d tickets: an answer did not join", n)
		}
		waitFor(t, "every mail moved to Processed", func() bool {
			_, all := host.Status(t, hotline, "Processed")
			_, inbox := host.Status(t, hotline, "INBOX")
			return all == 4 && inbox == 0
		})
		if got := replies(2); len(got) != 2 {
			t.Fatal("an automatic mail or an answer was acknowledged")
		}
	})
}
