package app_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/email"
	"github.com/hotline-1022/hotline/internal/channel/email/emailtest"
	"github.com/hotline-1022/hotline/internal/channel/relay"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
)

// Two instances on one database read one mailbox: each mail is taken in
// once (one of them holds the mailbox's lease), and when the holder stops
// the other takes the mailbox over and reads on from where it stood.
func TestMailboxReadByOneOfTwoInstances(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		a, box, acct := mailboxApp(t, d, emailtest.IMAPConfig{TLS: "starttls", User: "1022@tinh.gov.vn", Password: "mat-khau"}, nil)
		logsB := &syncBuffer{}
		b := &testApp{App: app.New(app.Config{Province: "79", Queue: fastQueue, Channels: mailConfig}, d, a.Box,
			slog.New(slog.NewJSONHandler(logsB, nil))), logs: logsB}
		b.Adapters[channel.Email].(*email.Adapter).TLS = box.Cert.Client()
		b.Blobs.Dir = a.Blobs.Dir
		mail := func(i int) []byte {
			return citizenMail(fmt.Sprintf("dan%d@example.vn", i), fmt.Sprintf("m-%d@example.vn", i), fmt.Sprintf("Phản ánh %d", i), "", "Nội dung.")
		}
		// While a pass holds the lease, no other reader gets the mailbox.
		if _, err := d.W().ExecContext(context.Background(), `INSERT INTO mailbox_lease (account_id, holder, lease_until) VALUES ($1, 'other', $2)`,
			acct.ID, a.Now().UTC().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Relay.PollMailbox(context.Background(), acct); !errors.Is(err, relay.ErrMailboxBusy) {
			t.Fatalf("a pass while another holds the lease: %v", err)
		}
		if _, err := d.W().ExecContext(context.Background(), `DELETE FROM mailbox_lease`); err != nil {
			t.Fatal(err)
		}
		// The first instance takes the mailbox; the second starts and waits;
		// the mails arrive while both run.
		ca := startChannels(t, a, nil)
		waitFor(t, "the first instance's lease", func() bool { return count(t, d, `SELECT count(*) FROM mailbox_lease`) == 1 })
		cb := startChannels(t, b, nil)
		for i := range 12 {
			box.Deliver(t, "INBOX", mail(i))
		}
		inbound := func() int { return count(t, d, `SELECT count(*) FROM messages WHERE kind = 'inbound'`) }
		waitFor(t, "12 mails taken in", func() bool { seen, _ := box.Seen(t, "INBOX"); return inbound() == 12 && seen == 12 })
		ca.stop()
		for i := 12; i < 15; i++ {
			box.Deliver(t, "INBOX", mail(i))
		}
		// A mail is flagged after its ticket commits: wait for both, or a stop
		// between the two leaves the last one unflagged (it would be read again,
		// and recognised, on the next pass).
		waitFor(t, "the mails after the first instance stopped", func() bool { seen, _ := box.Seen(t, "INBOX"); return inbound() == 15 && seen == 15 })
		cb.stop()
		stored := strings.Count(a.logs.String(), `"msg":"mail stored"`) + strings.Count(logsB.String(), `"msg":"mail stored"`)
		dup := strings.Count(a.logs.String(), `"duplicate":true`) + strings.Count(logsB.String(), `"duplicate":true`)
		if stored != 15 || dup != 0 || len(ticketsOf(t, d, acct.ID)) != 15 {
			t.Fatalf("15 mails stored %d times (%d duplicates) into %d tickets", stored, dup, len(ticketsOf(t, d, acct.ID)))
		}
		if seen, all := box.Seen(t, "INBOX"); seen != 15 || all != 15 {
			t.Fatalf("%d of %d mails marked taken", seen, all)
		}
		if n := count(t, d, `SELECT count(*) FROM mailbox_lease`); n != 0 {
			t.Fatalf("%d leases left after both instances stopped", n)
		}
	})
}
