package app_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// The reporter's name and phone number must appear nowhere in plain text:
// not in the database file (nor its WAL), not in the server log.
func TestNoPersonalDataInDatabaseFileOrLog(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, reference)
	ta := newTestApp(t, d)
	created := ta.must(t, "operator", "POST", "/api/v1/tickets", newReport(), 201)
	path := "/api/v1/tickets/" + fmt.Sprint(created["id"])
	ta.must(t, "operator", "POST", path+"/forward", map[string]any{"agency": "SXD"}, 200)
	ta.must(t, "sxd", "GET", path, nil, 200)
	ta.must(t, "operator", "GET", "/api/v1/tickets?q="+strings.ReplaceAll(reporterPhone, " ", "+"), nil, 200)
	if _, err := ta.Audit.Chain(context.Background()); err != nil {
		t.Fatal(err)
	}
	needles := []string{reporterName, "Thị Thu Trang", "0987654321", "987654321", "0987 654 321", "+84987654321"}
	var blobs []string
	for _, f := range []string{d.Path(), d.Path() + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		blobs = append(blobs, string(b))
	}
	blobs = append(blobs, ta.logs.String())
	if !strings.Contains(ta.logs.String(), "ticket received") {
		t.Fatal("the log is empty: the test would prove nothing")
	}
	for i, blob := range blobs {
		for _, n := range needles {
			if strings.Contains(blob, n) {
				t.Errorf("%q found in %s", n, []string{"database file", "WAL", "server log"}[i])
			}
		}
	}
}

// A citizen who writes their name and number into the report does not
// reveal them to the agency through the API either.
func TestAgencyAPIScrubsIdentityFromText(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		r := newReport()
		r["content"] = "Tôi là Nguyễn Thị Thu Trang, số 0987 654 321, email trang@example.org. Ổ gà trước nhà số 12."
		created := ta.must(t, "operator", "POST", "/api/v1/tickets", r, 201)
		path := "/api/v1/tickets/" + fmt.Sprint(created["id"])
		ta.must(t, "operator", "POST", path+"/forward", map[string]any{"agency": "SXD"}, 200)
		for _, p := range []string{path, "/api/v1/tickets"} {
			_, out := ta.call(t, "sxd", "GET", p, nil)
			raw := fmt.Sprint(out)
			for _, leak := range []string{"Thu Trang", "0987 654 321", "trang@example.org"} {
				if strings.Contains(raw, leak) {
					t.Errorf("GET %s as the agency shows %q", p, leak)
				}
			}
			if !strings.Contains(raw, "Ổ gà trước nhà số 12") {
				t.Errorf("GET %s as the agency lost the report itself: %s", p, raw)
			}
		}
		if op := ta.must(t, "operator", "GET", path, nil, 200); !strings.Contains(fmt.Sprint(op["content"]), "0987 654 321") {
			t.Error("the operator's view was scrubbed")
		}
	})
}

// mustAgencyQueue gives SXD n forwarded tickets, each from its own
// reporter who wrote their name into the report.
func mustAgencyQueue(tb testing.TB, ta *testApp, n int) {
	tb.Helper()
	ctx := context.Background()
	op := user.Actor{UserID: 1, Role: user.Operator}
	for i := range n {
		name := fmt.Sprintf("Lê Thị Hạnh%d", i)
		c, err := ta.Tickets.Create(ctx, op, ticket.NewTicket{Channel: ticket.Phone, Content: "Tôi là " + name + ", đèn đường hỏng",
			Contact: contact.Input{Name: name, Phone: fmt.Sprintf("0912%06d", i)}})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := ta.Tickets.Do(ctx, op, c.Ticket.ID, ticket.Forward, ticket.Input{Agency: "SXD"}); err != nil {
			tb.Fatal(err)
		}
	}
}

// An agency's list of 200 tickets reads their reporters in one lookup, not
// one per row, and still shows no reporter's name.
func TestAgencyListReadsReportersOnce(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		mustAgencyQueue(t, ta, 200)
		before := ta.Contacts.Lookups()
		out := ta.must(t, "sxd", "GET", "/api/v1/tickets?limit=200", nil, 200)
		if n := ta.Contacts.Lookups() - before; n != 1 {
			t.Errorf("the list read contacts %d times; want 1", n)
		}
		list, _ := out["tickets"].([]any)
		if len(list) != 200 {
			t.Fatalf("the list has %d tickets; want 200", len(list))
		}
		if raw := fmt.Sprint(list); strings.Contains(raw, "Hạnh") || !strings.Contains(raw, "đèn đường hỏng") {
			t.Errorf("the list is not scrubbed as it should be: %.300s", raw)
		}
	})
}
