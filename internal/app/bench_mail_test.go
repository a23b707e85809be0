package app_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel/email"
	"github.com/hotline-1022/hotline/internal/channel/email/emailtest"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// BenchmarkMailIntake measures taking mail in on each engine, one mail
// after another as one mailbox is read, in one run so the figures compare:
//
//	insert: ticket.Service.Inbound of the mail's text, already read: the
//	        plain store insert of a new email ticket;
//	parse:  relay.StoreMail of the raw Gmail fixture (a new Message-ID
//	        each time): parsing, threading lookups, the mailbox position and
//	        the ticket in one transaction. It reports its rate as a
//	        percentage of insert's;
//	imap:   PollMailbox over b.N mails waiting in the in-memory IMAP server
//	        (fetch, store, flag \Seen).
//
// The acknowledgements are queued, not sent (no queue runs):
//
//	go test -run '^$' -bench MailIntake -benchtime 500x ./internal/app/
func BenchmarkMailIntake(b *testing.B) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.Open(b, dialect, reference)
			ctx := context.Background()
			raw := fixture(b, "gmail.eml")
			ta, box, acct := mailboxApp(b, d, emailtest.IMAPConfig{TLS: "none", User: "u", Password: "p"}, nil)
			uid := uint32(0)
			var insert float64
			n := 0
			mail := func() []byte {
				n++
				return bytes.Replace(raw, []byte("<CAF4ov=Yx3kQh7Z2mT9pJd@mail.gmail.com>"), []byte(fmt.Sprintf("<bench-%d-%d@mail.gmail.com>", n, time.Now().UnixNano())), 1)
			}
			b.Run("insert", func(b *testing.B) {
				p, err := email.Parse(raw, email.Limits{})
				if err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for i := range b.N {
					_, err := ta.Tickets.Inbound(ctx, user.Actor{Origin: "channel:email"}, ticket.InboundBatch{Channel: ticket.Email, AccountID: acct.ID,
						Ack: func(code string) string { return "Đã tiếp nhận " + code },
						Events: []ticket.InboundEvent{{Kind: ticket.InMessage, ProviderID: scopedID(acct.ID, "ins-"+strconv.Itoa(i)+"-"+strconv.FormatInt(time.Now().UnixNano(), 10)),
							Identity: contact.Identity{Kind: contact.KindEmail, Value: p.From.Address}, UserName: p.From.Name, Title: p.Subject, Text: p.Text,
							Thread: &ticket.Thread{}}}})
					if err != nil {
						b.Fatal(err)
					}
				}
				insert = float64(b.N) / b.Elapsed().Seconds()
				b.ReportMetric(insert, "mails/s")
			})
			b.Run("parse", func(b *testing.B) {
				mails := make([][]byte, b.N)
				for i := range mails {
					mails[i] = mail()
				}
				b.ResetTimer()
				for _, m := range mails {
					uid++
					// Another UIDVALIDITY than the IMAP server's: imap below
					// starts its mailbox from the beginning.
					if _, err := ta.Relay.StoreMail(ctx, acct, 999, uid, m, true); err != nil {
						b.Fatal(err)
					}
				}
				rate := float64(b.N) / b.Elapsed().Seconds()
				b.ReportMetric(rate, "mails/s")
				if insert > 0 {
					b.ReportMetric(100*rate/insert, "%insert")
				}
			})
			b.Run("imap", func(b *testing.B) {
				for range b.N {
					box.Deliver(b, "INBOX", mail())
				}
				b.ResetTimer()
				got, err := ta.Relay.PollMailbox(ctx, acct)
				if err != nil || got != b.N {
					b.Fatalf("took %d of %d: %v", got, b.N, err)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
			})
		})
	}
}
