package ticket_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// When the reporter cannot be read, nobody knows what to remove from the
// text, so an agency sees none of it and nothing is published: the
// reporter's name must never show because a lookup failed.
func TestScrubberFailsClosed(t *testing.T) {
	tests := []struct {
		name     string
		sabotage string // makes the real contact store fail
	}{
		{"reporter undecryptable", `UPDATE contacts SET name_enc = $1`},
		{"contacts unreadable", `ALTER TABLE contacts RENAME TO contacts_elsewhere`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
				ctx := context.Background()
				e := newEnv(t, d)
				var logs bytes.Buffer
				svc := ticket.NewService(d, e.contacts, e.slas, e.routes, clock.New(e.clock.Now), slog.New(slog.NewJSONHandler(&logs, nil)))
				tk := e.mustCreate(t, ticket.NewTicket{Content: "Tôi là Nguyễn Văn Khánh, ổ gà trước nhà",
					Contact: contact.Input{Name: "Nguyễn Văn Khánh", Phone: "0912345678"}})
				e.mustDo(t, op, tk.ID, ticket.Reply, ticket.Input{Text: "Cảm ơn anh Khánh"})
				tk = e.mustDo(t, op, tk.ID, ticket.Close, ticket.Input{})
				if got := svc.Scrubber(ctx, sxd, tk)(tk.Content); strings.Contains(got, "Khánh") || !strings.Contains(got, "ổ gà") {
					t.Fatalf("before the failure the agency sees %q", got)
				}

				var args []any
				if strings.Contains(tt.sabotage, "$1") {
					args = append(args, []byte("not a sealed value"))
				}
				if _, err := d.W().ExecContext(ctx, tt.sabotage, args...); err != nil {
					t.Fatal(err)
				}
				for _, who := range []struct {
					name  string
					scrub func(string) string
				}{
					{"Scrubber", svc.Scrubber(ctx, sxd, tk)},
					{"Scrubbers", svc.Scrubbers(ctx, viewer, []ticket.Ticket{tk})(tk)},
				} {
					if got := who.scrub(tk.Content); got != ticket.Redacted {
						t.Errorf("%s with the reporter unreadable shows %q; want it withheld", who.name, got)
					}
				}
				if got := svc.Scrubber(ctx, op, tk)(tk.Content); got != tk.Content {
					t.Errorf("the operator, who sees the reporter anyway, got %q", got)
				}
				if title, content, answer := svc.Preview(ctx, tk); strings.Contains(title+content+answer, "Khánh") {
					t.Errorf("the publication preview shows the name: %q %q %q", title, content, answer)
				}
				if _, err := svc.Do(ctx, sup, tk.ID, ticket.Publish, ticket.Input{PublicTitle: "Ổ gà", PublicContent: "Ổ gà trước nhà", PublicAnswer: "Đã sửa"}); err == nil {
					t.Fatal("published although the reporter's name could not be read")
				}
				if n := e.count(t, `SELECT count(*) FROM tickets WHERE id = $1 AND published_at IS NOT NULL`, tk.ID); n != 0 {
					t.Fatal("the refused publication was stored")
				}
				if !strings.Contains(logs.String(), `"msg":"reporter unreadable: text withheld"`) || !strings.Contains(logs.String(), fmt.Sprintf(`"ticket_id":%d`, tk.ID)) {
					t.Errorf("the failure is not logged with the ticket: %s", logs.String())
				}
				if strings.Contains(logs.String(), "Khánh") || strings.Contains(logs.String(), "912345678") {
					t.Errorf("the log holds personal data: %s", logs.String())
				}
			})
		})
	}
}

// A page of tickets reads its reporters in one lookup, however many rows
// it has, and each row is scrubbed of its own reporter's name.
func TestScrubbersReadAPageInOneLookup(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		var page []ticket.Ticket
		for i := range 40 {
			n := ticket.NewTicket{Content: fmt.Sprintf("Báo cáo số %d của Trần Thị Phương%d", i, i)}
			if i%4 != 0 { // every fourth report is anonymous
				n.Contact = contact.Input{Name: fmt.Sprintf("Trần Thị Phương%d", i), Phone: fmt.Sprintf("09123456%02d", i)}
			}
			page = append(page, e.mustCreate(t, n))
		}
		before := e.contacts.Lookups()
		scrubberOf := e.svc.Scrubbers(ctx, sxd, page)
		if n := e.contacts.Lookups() - before; n != 1 {
			t.Fatalf("a page of %d tickets read contacts %d times; want 1", len(page), n)
		}
		for i, tk := range page {
			got := scrubberOf(tk)(tk.Content)
			name := fmt.Sprintf("Phương%d", i)
			if i%4 != 0 && strings.Contains(got, name) || !strings.Contains(got, fmt.Sprintf("Báo cáo số %d", i)) {
				t.Errorf("ticket %d scrubbed to %q", i, got)
			}
		}
		other := e.mustCreate(t, ticket.NewTicket{Content: "Không thuộc trang này"})
		if got := scrubberOf(other)(other.Content); got != ticket.Redacted {
			t.Errorf("a ticket outside the page got %q; want it withheld", got)
		}
	})
}
