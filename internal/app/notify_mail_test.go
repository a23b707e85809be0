package app_test

import (
	"context"
	"io"
	"mime/quotedprintable"
	"slices"
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
	"github.com/hotline-1022/hotline/internal/notification"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// serveNotify is a serving app on a manual clock with a send-only e-mail
// account marked notify=true, sending through a fake SMTP server, and
// SXD's shared notification address set.
func serveNotify(t *testing.T, d *db.DB) (*channelApp, *emailtest.SMTP, *clock.Manual, int64) {
	t.Helper()
	clk := clock.NewManual(time.Now().UTC())
	ta := newTestAppWith(t, d, app.Config{Province: "79", Queue: fastQueue}, clk.Clock())
	srv := emailtest.NewSMTP(t, emailtest.SMTPConfig{TLS: "starttls", User: "thongbao@tinh.gov.vn", Password: "mat-khau"})
	ta.Adapters[channel.Email].(*email.Adapter).TLS = srv.Cert.Client()
	settings := srv.Settings("Thông báo 1022 <thongbao@tinh.gov.vn>")
	settings["notify"] = "true"
	acct, err := ta.Channels.Add(context.Background(), user.Actor{Origin: "cli"}, channel.Email, "Thông báo", settings)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.W().ExecContext(context.Background(), `UPDATE agencies SET email = 'sxd.chung@tinh.gov.vn' WHERE code = 'SXD'`); err != nil {
		t.Fatal(err)
	}
	return startChannels(t, ta, nil), srv, clk, acct.ID
}

// overdueAtSXD records a ticket, forwards it to SXD and sweeps past its
// deadline.
func overdueAtSXD(t *testing.T, ca *channelApp, clk *clock.Manual) ticket.Ticket {
	t.Helper()
	ctx := context.Background()
	op, _ := ca.Users.ByEmail(ctx, "operator@test.vn")
	cr, err := ca.Tickets.Create(ctx, op.Actor("127.0.0.1"), ticket.NewTicket{Channel: ticket.Phone, Content: "Cống trước chợ bị tắc",
		Contact: contact.Input{Name: "Nguyễn Thị Lan", Phone: "0912345678"}})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := ca.Tickets.Do(ctx, op.Actor("127.0.0.1"), cr.Ticket.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(tk.Deadline.Add(time.Minute))
	if _, _, err := ca.Tickets.Sweep(ctx, ticket.SLARunner); err != nil {
		t.Fatal(err)
	}
	return tk
}

func mailsTo(srv *emailtest.SMTP, addr string) []emailtest.Received {
	var out []emailtest.Received
	for _, r := range srv.Received() {
		if slices.Contains(r.To, addr) {
			out = append(out, r)
		}
	}
	return out
}

func textOf(t *testing.T, r emailtest.Received) string {
	t.Helper()
	b, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(string(r.Raw))))
	return string(b)
}

// TestOverdueTicketMailsTheAgencyAndTheSupervisors: the check. An
// overdue ticket produces an e-mail to the agency's shared address and to
// the supervisors at the SMTP server, from the notify=true account, and a
// notification in the supervisors' centre; nothing of the reporter.
func TestOverdueTicketMailsTheAgencyAndTheSupervisors(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ca, srv, clk, _ := serveNotify(t, d)
		tk := overdueAtSXD(t, ca, clk)
		waitFor(t, "the overdue e-mails", func() bool {
			// Each recipient's mail is its own job: wait for the handler's
			// too, or it may still be on its way when it is counted.
			return len(mailsTo(srv, "supervisor@test.vn")) == 1 && len(mailsTo(srv, "sxd.chung@tinh.gov.vn")) == 2 &&
				len(mailsTo(srv, "sxd@test.vn")) >= 1
		})
		// SXD's address got the assignment and the overdue notice; its
		// handler got the assignment.
		if n := len(mailsTo(srv, "sxd@test.vn")); n != 1 {
			t.Errorf("sxd@test.vn got %d mails, want 1 (the assignment)", n)
		}
		m := mailsTo(srv, "supervisor@test.vn")[0]
		if subjectOf(t, m) != "[1022] Phản ánh "+tk.Code+" đã quá hạn" || m.User != "thongbao@tinh.gov.vn" || !m.TLS ||
			m.Header.Get("Auto-Submitted") != "auto-generated" || !strings.Contains(m.Header.Get("From"), "thongbao@tinh.gov.vn") {
			t.Errorf("the supervisor's mail: subject %q, user %q, Auto-Submitted %q, From %q", subjectOf(t, m), m.User, m.Header.Get("Auto-Submitted"), m.Header.Get("From"))
		}
		if body := textOf(t, m); !strings.Contains(body, "Sở Xây dựng") || strings.Contains(body, "Lan") || strings.Contains(body, "0912345678") {
			t.Errorf("the supervisor's mail body:\n%s", body)
		}
		sup, _ := ca.Users.ByEmail(context.Background(), "supervisor@test.vn")
		p, err := ca.Notifications.List(context.Background(), sup.Actor(""), "", 10)
		if err != nil || len(p.Items) != 1 || p.Items[0].Kind != notification.Overdue || p.Items[0].Code != tk.Code {
			t.Errorf("the supervisor's centre: %+v, %v", p.Items, err)
		}
	})
}

// TestNotificationMailWaitsForAServerThatIsDown: a server that answers
// 4xx (down, greylisting) delays the e-mail, which stays queued with the
// reason and shows on the account's channel health, and goes once the
// server takes it; a person who turned a kind off gets none of it.
func TestNotificationMailWaitsForAServerThatIsDown(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ca, srv, clk, acct := serveNotify(t, d)
		ctx := context.Background()
		sxd, _ := ca.Users.ByEmail(ctx, "sxd@test.vn")
		if err := ca.Notifications.SetPrefs(ctx, sxd.Actor(""), []notification.Kind{notification.Overdue}); err != nil {
			t.Fatal(err)
		}
		srv.Fail(3, "mail", 421, smtp.EnhancedCode{4, 3, 0}, "Service not available, try later")
		tk := overdueAtSXD(t, ca, clk)
		waitFor(t, "a failed attempt", func() bool {
			ms, _ := ca.Notifications.Mails(ctx, tk.ID)
			return len(ms) > 0 && ms[0].LastError != "" && ms[0].State == "queued"
		})
		hs, err := ca.Relay.Health(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			if h.ID == acct && (!strings.Contains(h.LastError, "421") || (h.Queued == 0 && len(srv.Received()) < 3)) {
				t.Errorf("the account's health while the server refuses: error %q, queued %d", h.LastError, h.Queued)
			}
		}
		waitFor(t, "every e-mail sent once the server takes them", func() bool {
			ms, _ := ca.Notifications.Mails(ctx, tk.ID)
			for _, m := range ms {
				if m.State != "sent" {
					return false
				}
			}
			return len(ms) == 3
		})
		// sxd turned the assignment off: only the agency's address got it.
		if n := len(mailsTo(srv, "sxd@test.vn")); n != 0 {
			t.Errorf("sxd@test.vn got %d mails, wants none of these kinds", n)
		}
		if n := len(mailsTo(srv, "sxd.chung@tinh.gov.vn")); n != 2 {
			t.Errorf("the agency's address got %d mails, want 2", n)
		}
	})
}
