package app_test

import (
	"bytes"
	"context"
	"mime"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/email"
	"github.com/hotline-1022/hotline/internal/channel/email/emailtest"
	"github.com/hotline-1022/hotline/internal/channel/relay"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/user"
)

// mailConfig polls and retries mailboxes quickly, and keeps attachments
// small so the fixtures' video is over the limit.
var mailConfig = relay.Config{Mail: email.Limits{MaxFile: 2048}, MailPoll: 100 * time.Millisecond, MailRetry: 50 * time.Millisecond,
	MailRetryMax: 200 * time.Millisecond}

// scopedID is a provider id as the relay stores it.
func scopedID(acct int64, id string) string { return strconv.FormatInt(acct, 10) + ":" + id }

// fixture is a mail of internal/channel/email/testdata.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "channel", "email", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mailboxApp is an app (not serving) with one email account whose
// mailbox is a real-protocol IMAP server.
func mailboxApp(t testing.TB, d *db.DB, imapCfg emailtest.IMAPConfig, extra map[string]string) (*testApp, *emailtest.IMAP, channel.Account) {
	t.Helper()
	ta := newTestAppWith(t, d, app.Config{Province: "79", Queue: fastQueue, Channels: mailConfig}, clock.New(time.Now))
	box := emailtest.NewIMAP(t, imapCfg)
	ta.Adapters[channel.Email].(*email.Adapter).TLS = box.Cert.Client()
	ta.Blobs.Dir = t.TempDir()
	settings := box.Settings()
	settings["smtp_addr"], settings["from"] = "127.0.0.1:1", "Đường dây nóng 1022 <1022@tinh.gov.vn>"
	for k, v := range extra {
		settings[k] = v
	}
	a, err := ta.Channels.Add(context.Background(), user.Actor{Origin: "cli"}, channel.Email, "Hộp thư 1022", settings)
	if err != nil {
		t.Fatal(err)
	}
	acct, err := ta.Channels.Open(context.Background(), a.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	return ta, box, acct
}

func mustPoll(t *testing.T, ta *testApp, acct channel.Account, want int) {
	t.Helper()
	n, err := ta.Relay.PollMailbox(context.Background(), acct)
	if err != nil || n != want {
		t.Fatalf("poll took %d mails (%v), want %d", n, err, want)
	}
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.R().QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMailboxIntake(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta, box, acct := mailboxApp(t, d, emailtest.IMAPConfig{TLS: "tls", User: "1022@tinh.gov.vn", Password: "mat-khau"}, map[string]string{"failed": "Failed"})
		box.Create(t, "Failed")
		own := bytes.ReplaceAll(fixture(t, "forwarded.eml"), []byte("duc.pham@example.vn>\r\nTo"), []byte("1022@tinh.gov.vn>\r\nTo"))
		own = bytes.ReplaceAll(own, []byte("CAB9fwd123"), []byte("own-1"))
		for _, f := range []string{"gmail.eml", "autoreply.eml", "list.eml", "bounce.eml", "legacy.eml", "oversized.eml", "broken.eml", "apple.eml"} {
			box.Deliver(t, "INBOX", fixture(t, f))
		}
		box.Deliver(t, "INBOX", own)
		box.Deliver(t, "INBOX", []byte("Subject: no sender\r\n\r\nwho wrote this?\r\n"))
		mustPoll(t, ta, acct, 10)
		tickets := ticketsOf(t, d, acct.ID)
		if len(tickets) != 5 {
			t.Fatalf("%d tickets, want gmail, legacy, oversized, broken and apple", len(tickets))
		}
		skipped := map[string]string{}
		rows, err := d.R().QueryContext(context.Background(), `SELECT message_id, reason FROM mail_skipped WHERE account_id = $1`, acct.ID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, reason string
			rows.Scan(&id, &reason)
			skipped[id] = reason
		}
		rows.Close()
		want := map[string]string{"ooo-4711@example.vn": "auto_submitted", "list-1@lists.example.vn": "precedence",
			"20260310020500.ABC123@mail.tinh.gov.vn": "bounce", "own-1@mail.gmail.com": "own_address", "": "unreadable"}
		if len(skipped) != len(want) {
			t.Fatalf("skipped %v, want %v", skipped, want)
		}
		for id, reason := range want {
			if skipped[id] != reason {
				t.Fatalf("skipped %v, want %v", skipped, want)
			}
		}
		// The subject is the title; the legacy charset reads as Vietnamese;
		// attachments are in the blob store, the refused one named.
		var title, body string
		d.R().QueryRowContext(context.Background(), `SELECT t.title, m.body FROM tickets t JOIN messages m ON m.ticket_id = t.id
			WHERE m.provider_id = $1`, scopedID(acct.ID, "legacy-1258@example.vn")).Scan(&title, &body)
		if title != "Ổ gà nguy hiểm" || !strings.Contains(body, "Ổ gà trên đường Điện Biên Phủ") {
			t.Fatalf("legacy mail: %q %q", title, body)
		}
		if n := count(t, d, `SELECT count(*) FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.provider_id = $1 AND a.name = $2 AND a.mime = $3`,
			scopedID(acct.ID, "8C1D2E3F-4A5B-6C7D-8E9F-0A1B2C3D4E5F@icloud.com"), "Ảnh hiện trường.jpg", "image/jpeg"); n != 1 {
			t.Fatalf("the Apple Mail photo is not attached (%d)", n)
		}
		d.R().QueryRowContext(context.Background(), `SELECT m.body FROM messages m WHERE m.provider_id = $1`, scopedID(acct.ID, "big-1@example.vn")).Scan(&body)
		if !strings.Contains(body, "ngap.mp4") {
			t.Fatalf("the refused video is not named: %q", body)
		}
		// Every mail is flagged \Seen once stored, the unreadable one moved
		// to the failed folder; a second pass takes nothing; nor does a
		// restarted app on the same database.
		if seen, all := box.Seen(t, "INBOX"); seen != 9 || all != 9 {
			t.Fatalf("%d of %d seen", seen, all)
		}
		if _, all := box.Seen(t, "Failed"); all != 1 {
			t.Fatalf("%d mails in the failed folder", all)
		}
		mustPoll(t, ta, acct, 0)
		restarted := &testApp{App: app.New(app.Config{Province: "79", Channels: mailConfig}, d, ta.Box, ta.Log), logs: ta.logs}
		restarted.Adapters[channel.Email].(*email.Adapter).TLS = box.Cert.Client()
		restarted.Blobs.Dir = ta.Blobs.Dir
		mustPoll(t, restarted, acct, 0)
		// The citizen's answer joins the ticket by In-Reply-To, a mail
		// with the code in its subject joins it too, but only from the
		// same sender.
		var code string
		gmail := scopedID(acct.ID, "CAF4ov=Yx3kQh7Z2mT9pJd@mail.gmail.com")
		d.R().QueryRowContext(context.Background(), `SELECT t.code FROM tickets t JOIN messages m ON m.ticket_id = t.id WHERE m.provider_id = $1`, gmail).Scan(&code)
		box.Deliver(t, "INBOX", citizenMail("An.Nguyen@Gmail.com", "reply-1@mail.gmail.com", "Re: Đèn đường hỏng", "<CAF4ov=Yx3kQh7Z2mT9pJd@mail.gmail.com>", "Thêm ảnh."))
		box.Deliver(t, "INBOX", citizenMail("an.nguyen@gmail.com", "code-1@mail.gmail.com", "Bổ sung [1022 #"+code+"]", "", "Đèn vẫn chưa sửa."))
		box.Deliver(t, "INBOX", citizenMail("other@example.vn", "code-2@example.vn", "Bổ sung [1022 #"+code+"]", "", "Tôi cũng thấy."))
		mustPoll(t, ta, acct, 3)
		if n := len(ticketsOf(t, d, acct.ID)); n != 6 {
			t.Fatalf("%d tickets: the answers did not thread", n)
		}
		if n := count(t, d, `SELECT count(*) FROM messages WHERE kind = 'inbound' AND ticket_id = (SELECT ticket_id FROM messages WHERE provider_id = $1)`, gmail); n != 3 {
			t.Fatalf("%d inbound mails on the ticket, want 3", n)
		}
		// A renumbered mailbox is read again from the start; the mail
		// already stored is recognised by its Message-ID.
		box.Recreate(t)
		box.Deliver(t, "INBOX", fixture(t, "gmail.eml"))
		box.Deliver(t, "INBOX", citizenMail("new@example.vn", "new-1@example.vn", "Cây đổ", "", "Cây đổ trên đường."))
		mustPoll(t, ta, acct, 2)
		if n := len(ticketsOf(t, d, acct.ID)); n != 7 {
			t.Fatalf("%d tickets after a new UIDVALIDITY, want 7", n)
		}
		// A sender writing again and again gets three acknowledgements an
		// hour, and every mail is a ticket.
		for i := range 5 {
			box.Deliver(t, "INBOX", citizenMail("flood@example.vn", "flood-"+strconv.Itoa(i)+"@example.vn", "Phản ánh "+strconv.Itoa(i), "", "Nội dung."))
		}
		mustPoll(t, ta, acct, 5)
		if n := count(t, d, `SELECT count(*) FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.event = 'acknowledge'
			AND t.contact_id = (SELECT contact_id FROM tickets WHERE id = (SELECT ticket_id FROM messages WHERE provider_id = $1))`,
			scopedID(acct.ID, "flood-0@example.vn")); n != 3 {
			t.Fatalf("%d acknowledgements to one sender in an hour", n)
		}
		if n := len(ticketsOf(t, d, acct.ID)); n != 12 {
			t.Fatalf("%d tickets after the flood, want 12", n)
		}
		// The reporter's address is sealed at rest and never logged.
		if n := count(t, d, `SELECT count(*) FROM contacts WHERE email_enc IS NULL OR length(email_enc) = 0`); n != 0 {
			t.Fatalf("%d contacts without a sealed address", n)
		}
		for _, q := range []string{`SELECT count(*) FROM messages WHERE body LIKE '%an.nguyen%'`, `SELECT count(*) FROM mail_skipped WHERE detail LIKE '%@example.vn%' OR message_id LIKE '%an.nguyen%'`} {
			if n := count(t, d, q); n != 0 {
				t.Fatalf("%s: %d", q, n)
			}
		}
		if strings.Contains(strings.ToLower(ta.logs.String()), "an.nguyen@gmail.com") {
			t.Fatal("a sender's address is in the log")
		}
	})
}

// citizenMail is a plain mail from a citizen.
func citizenMail(from, id, subject, inReplyTo, text string) []byte {
	var b strings.Builder
	b.WriteString("From: " + from + "\r\nTo: 1022@tinh.gov.vn\r\nMessage-ID: <" + id + ">\r\nDate: " + time.Now().Format(time.RFC1123Z) + "\r\n")
	b.WriteString("Subject: " + mime.BEncoding.Encode("UTF-8", subject) + "\r\n")
	if inReplyTo != "" {
		b.WriteString("In-Reply-To: " + inReplyTo + "\r\nReferences: " + inReplyTo + "\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text + "\r\n")
	return []byte(b.String())
}

// A mail in the mailbox becomes a ticket (IDLE tells of it); the
// acknowledgement and the operator's reply reach the SMTP server threaded;
// the citizen's answer joins the ticket; an auto-reply makes nothing and
// gets no acknowledgement; a bounce of the reply marks it failed.
func TestMailboxToRepliesAndBack(t *testing.T) {
	for _, idle := range []bool{true, false} {
		name := "idle"
		if !idle {
			name = "polled"
		}
		t.Run(name, func(t *testing.T) {
			dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
				smtpSrv := emailtest.NewSMTP(t, emailtest.SMTPConfig{TLS: "starttls", User: "1022@tinh.gov.vn", Password: "mat-khau"})
				extra := smtpSrv.Settings("Đường dây nóng 1022 <1022@tinh.gov.vn>")
				extra["processed"] = "Processed"
				ta, box, acct := mailboxApp(t, d, emailtest.IMAPConfig{TLS: "starttls", User: "1022@tinh.gov.vn", Password: "mat-khau", NoIdle: !idle}, extra)
				box.Create(t, "Processed")
				pool := box.Cert.Pool
				pool.AddCert(smtpSrv.Cert.Server.Leaf)
				ta.Adapters[channel.Email].(*email.Adapter).TLS.RootCAs = pool
				ca := startChannels(t, ta, nil)
				box.Deliver(t, "INBOX", fixture(t, "gmail.eml"))
				waitFor(t, "the acknowledgement", func() bool { return len(smtpSrv.Received()) == 1 })
				ids := ticketsOf(t, d, acct.ID)
				ack := smtpSrv.Received()[0]
				if len(ids) != 1 || ack.To[0] != "an.nguyen@gmail.com" || ack.Header.Get("In-Reply-To") != "<CAF4ov=Yx3kQh7Z2mT9pJd@mail.gmail.com>" {
					t.Fatalf("tickets %v, acknowledgement to %v in reply to %q", ids, ack.To, ack.Header.Get("In-Reply-To"))
				}
				if seen, all := box.Seen(t, "Processed"); all != 1 || seen != 0 {
					t.Fatalf("processed folder: %d of %d seen", seen, all)
				}
				// The citizen answers the acknowledgement; an out-of-office
				// answers it too.
				box.Deliver(t, "INBOX", citizenMail("an.nguyen@gmail.com", "answer-1@mail.gmail.com", subjectOf(t, ack), ack.Header.Get("Message-ID"), "Đèn ở cột số 3."))
				ooo := bytes.ReplaceAll(fixture(t, "autoreply.eml"), []byte("<hotline.k7m3p-9qxd2.12.1@tinh.gov.vn>"), []byte(ack.Header.Get("Message-ID")))
				box.Deliver(t, "INBOX", ooo)
				waitFor(t, "both mails", func() bool {
					return count(t, d, `SELECT count(*) FROM mail_skipped`)+count(t, d, `SELECT count(*) FROM messages WHERE kind = 'inbound'`) == 3
				})
				if n := len(ticketsOf(t, d, acct.ID)); n != 1 {
					t.Fatalf("%d tickets: the answer did not join", n)
				}
				ca.must(t, "operator", "POST", "/api/v1/tickets/"+strconv.FormatInt(ids[0], 10)+"/reply", map[string]any{"text": "Đã thay bóng đèn cột số 3."}, 200)
				waitFor(t, "the reply", func() bool { return len(smtpSrv.Received()) == 2 })
				r := smtpSrv.Received()[1].Header
				if r.Get("In-Reply-To") != "<answer-1@mail.gmail.com>" || !strings.Contains(r.Get("References"), ack.Header.Get("Message-ID")) {
					t.Fatalf("reply In-Reply-To %q References %q", r.Get("In-Reply-To"), r.Get("References"))
				}
				waitFor(t, "the reply sent", func() bool { got := ca.deliveries(t, ids[0]); return len(got) == 2 && got[1] == "sent" })
				// The citizen's server bounces the reply: it is failed on the
				// ticket, visibly.
				bounce := bytes.ReplaceAll(fixture(t, "bounce.eml"), []byte("<hotline.k7m3p-9qxd2.12.1@tinh.gov.vn>"), []byte(r.Get("Message-ID")))
				box.Deliver(t, "INBOX", bounce)
				waitFor(t, "the bounce", func() bool {
					got := ca.deliveries(t, ids[0])
					return len(got) == 2 && got[1] == "failed:undelivered"
				})
				if len(smtpSrv.Received()) != 2 {
					t.Fatalf("%d mails sent: an automatic mail was acknowledged", len(smtpSrv.Received()))
				}
				a, err := ca.Channels.Get(context.Background(), acct.ID)
				if err != nil || !strings.Contains(a.LastError, "5.1.1") {
					t.Fatalf("account's last error %q %v", a.LastError, err)
				}
			})
		})
	}
}

// A mailbox that refuses the login is retried and shown as the account's
// last error; nothing is stored.
func TestMailboxRefusingTheLoginIsShown(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta, box, acct := mailboxApp(t, d, emailtest.IMAPConfig{TLS: "starttls", User: "1022@tinh.gov.vn", Password: "mat-khau"},
			map[string]string{"imap_password": "sai"})
		box.Deliver(t, "INBOX", fixture(t, "gmail.eml"))
		if _, err := ta.Relay.PollMailbox(context.Background(), acct); err == nil || !strings.Contains(err.Error(), "login") {
			t.Fatalf("poll with a wrong password: %v", err)
		}
		startChannels(t, ta, nil)
		waitFor(t, "the error on the account", func() bool {
			a, err := ta.Channels.Get(context.Background(), acct.ID)
			return err == nil && strings.HasPrefix(a.LastError, "imap: login")
		})
		if n := len(ticketsOf(t, d, acct.ID)); n != 0 {
			t.Fatalf("%d tickets", n)
		}
	})
}
