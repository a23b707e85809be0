package ticket_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/open311"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// The lists must stay fast at ten million tickets, so every list the
// consoles and the API run must be answered from an index, in index order,
// never by reading and sorting the table. This test asks each engine's
// planner: SQLite must not SCAN tickets or sort with a temporary b-tree;
// PostgreSQL, with sequential scans and sorts priced out, must still find
// a plan without them. (docs/perf.md has the timings at 10 million rows.)
func TestListQueriesUseIndexes(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		for i := 0; i < 300; i++ {
			e.mustCreate(t, ticket.NewTicket{Content: fmt.Sprintf("Phản ánh số %d về đường Lê Lợi", i)})
		}
		// As in production, most tickets are done: the planner's statistics
		// must see open states as the rare ones they are.
		if _, err := d.W().ExecContext(ctx, `UPDATE tickets SET state = 'closed', resolved_at = received_at, closed_at = received_at WHERE id % 10 <> 0`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W().ExecContext(ctx, "ANALYZE"); err != nil {
			t.Fatal(err)
		}
		cursor := func(f ticket.Filter) string {
			f.Limit = 2
			p, err := e.svc.List(ctx, op, f)
			if err != nil || p.Next == "" {
				t.Fatalf("no cursor: %v", err)
			}
			return p.Next
		}
		tests := []struct {
			name    string
			actor   user.Actor
			f       ticket.Filter
			ordered bool // the index must give the order (no sort step)
		}{
			// Unfiltered, newest first: walking the primary key backwards and
			// stopping after a page is the plan we want.
			{"inbox, newest first", op, ticket.Filter{}, true},
			{"inbox, page 2", op, ticket.Filter{Cursor: cursor(ticket.Filter{})}, true},
			{"by state", op, ticket.Filter{States: []ticket.State{ticket.Received}}, true},
			// Several states: one ordered subquery per state, then a sort of
			// their few rows.
			{"several states", op, ticket.Filter{States: []ticket.State{ticket.Received, ticket.Classified, ticket.Returned}}, false},
			{"several states, page 2", op, ticket.Filter{States: []ticket.State{ticket.Answered, ticket.Closed}, Cursor: cursor(ticket.Filter{})}, false},
			{"by channel", op, ticket.Filter{Channels: []ticket.Channel{ticket.Zalo}}, true},
			{"by category", op, ticket.Filter{Category: "dat_dai"}, true},
			{"by agency", op, ticket.Filter{Agency: "SXD"}, true},
			{"by ward", op, ticket.Filter{Area: "25747"}, true},
			{"by province", op, ticket.Filter{Area: "79"}, true},
			{"mine", op, ticket.Filter{OwnerID: 1}, true},
			{"a reporter's tickets", op, ticket.Filter{ContactID: 1}, true},
			{"agency queue by deadline", sxd, ticket.Filter{Sort: ticket.SortDeadline, States: []ticket.State{ticket.Forwarded, ticket.Accepted}}, true},
			{"agency queue, page 2", sxd, ticket.Filter{Sort: ticket.SortDeadline, States: []ticket.State{ticket.Forwarded, ticket.Accepted},
				Cursor: cursor(ticket.Filter{Sort: ticket.SortDeadline})}, true},
			// The desk's to-do walks its partial index in deadline order
			// (on SQLite by name: its planner would sort; docs/perf.md).
			{"the desk's to-do by deadline", op, ticket.Filter{Sort: ticket.SortDeadline, States: []ticket.State{ticket.Received, ticket.Classified, ticket.Returned}}, true},
			// An agency's done tab: one exact range of (agency, state) each.
			{"agency's answered tab", sxd, ticket.Filter{States: []ticket.State{ticket.Answered, ticket.Approved, ticket.Replied, ticket.Closed}}, false},
			{"overdue, newest first", op, ticket.Filter{SLA: sla.Overdue}, false},
			{"overdue, by deadline", op, ticket.Filter{SLA: sla.Overdue, Sort: ticket.SortDeadline}, false},
			{"tracking code", op, ticket.Filter{Q: "K7M3P-9QXD2"}, false},
			{"full text", op, ticket.Filter{Q: "le loi"}, false},
		}
		type planCase struct {
			name    string
			ordered bool
			query   func() (string, []any, error)
		}
		var cases []planCase
		for _, tt := range tests {
			cases = append(cases, planCase{tt.name, tt.ordered, func() (string, []any, error) { return e.svc.ListQuery(ctx, tt.actor, tt.f) }})
		}
		// Every inbox tab's count walks the index its list walks, and at
		// most CountCap+1 entries of it.
		for _, tt := range tests {
			if tt.f.Cursor == "" && tt.name != "tracking code" {
				cases = append(cases, planCase{"count: " + tt.name, false, func() (string, []any, error) { return e.svc.CountQuery(ctx, tt.actor, tt.f) }})
			}
		}
		for _, tt := range cases {
			t.Run(tt.name, func(t *testing.T) {
				q, args, err := tt.query()
				if err != nil {
					t.Fatal(err)
				}
				plan := explain(t, d, q, args)
				unfiltered := !strings.Contains(q, " WHERE ") || strings.Contains(q, " WHERE t.id < ")
				if bad := badPlan(d.Dialect, plan, tt.ordered, unfiltered); bad != "" {
					t.Fatalf("%s\nquery: %s\nplan:\n%s", bad, q, plan)
				}
				// The two plans a newer planner got wrong at 10 million
				// tickets must name their index (SQLite says which it uses).
				for name, index := range map[string]string{"the desk's to-do by deadline": "tickets_desk_todo", "count: the desk's to-do by deadline": "tickets_desk_todo",
					"agency's answered tab": "tickets_agency_state", "count: agency's answered tab": "tickets_agency_state"} {
					if tt.name == name && d.Dialect == db.SQLite && !strings.Contains(plan, index) {
						t.Fatalf("%s does not use %s\nquery: %s\nplan:\n%s", name, index, q, plan)
					}
				}
			})
		}
	})
}

func explain(t *testing.T, d *db.DB, q string, args []any) string {
	t.Helper()
	ctx := context.Background()
	if d.Dialect == db.SQLite {
		rows, err := d.R().QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			b.WriteString(detail + "\n")
		}
		return b.String()
	}
	// Price sequential scans and sorts out of the planner's choices: if it
	// still uses one, no index can answer the query.
	var plan strings.Builder
	err := d.Tx(ctx, func(tx *sql.Tx) error {
		for _, set := range []string{"SET LOCAL enable_seqscan = off", "SET LOCAL enable_sort = off"} {
			if _, err := tx.ExecContext(ctx, set); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, "EXPLAIN "+q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			plan.WriteString(line + "\n")
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return plan.String()
}

// badPlan explains what is wrong with a plan, or returns "".
func badPlan(d db.Dialect, plan string, ordered, unfiltered bool) string {
	for _, line := range strings.Split(plan, "\n") {
		l := strings.TrimSpace(line)
		switch d {
		case db.SQLite:
			if (l == "SCAN t" || strings.HasPrefix(l, "SCAN t ")) && !strings.Contains(l, "USING") && !unfiltered {
				return "SQLite reads the whole tickets table"
			}
			if ordered && strings.Contains(l, "USE TEMP B-TREE FOR ORDER BY") {
				return "SQLite sorts instead of reading in index order"
			}
		case db.Postgres:
			if strings.Contains(l, "Seq Scan on tickets t ") && !unfiltered {
				return "PostgreSQL reads the whole tickets table"
			}
			if ordered && strings.HasPrefix(l, "->  Sort") || ordered && strings.HasPrefix(l, "Sort") {
				return "PostgreSQL sorts instead of reading in index order"
			}
		}
	}
	return ""
}

// /answers reads a page of published answers in id order from the
// published answers' own indexes (migration 0032), whatever the filter,
// never every published answer and a sort (docs/perf.md has the timings
// at 10 million tickets).
func TestAnswersQueriesUseIndexes(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		for i := 0; i < 200; i++ {
			e.mustCreate(t, ticket.NewTicket{Content: fmt.Sprintf("Phản ánh số %d về đường Lê Lợi", i)})
		}
		if _, err := d.W().ExecContext(ctx, `UPDATE tickets SET published_at = received_at, public_title = 'Đèn đường', public_answer = 'Đã sửa' WHERE id % 20 = 0`); err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"den", "duong", "da", "sua"} {
			if _, err := d.W().ExecContext(ctx, `INSERT INTO answer_words (word, ticket_id) SELECT $1, id FROM tickets WHERE id % 20 = 0`, w); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := d.W().ExecContext(ctx, "ANALYZE"); err != nil {
			t.Fatal(err)
		}
		month := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		for _, tt := range []struct {
			name  string
			f     ticket.AnswerFilter
			index string // the index SQLite must name
		}{
			{"first page", ticket.AnswerFilter{}, "tickets_published_id"},
			{"a deep page", ticket.AnswerFilter{Before: 100}, "tickets_published_id"},
			{"words", ticket.AnswerFilter{Q: "den duong"}, "tickets_published_filters"},
			{"a month", ticket.AnswerFilter{From: month, To: month.AddDate(0, 1, 0)}, "tickets_published_received"},
			{"a category", ticket.AnswerFilter{Category: "dat_dai"}, "tickets_published_category"},
			{"a category and words", ticket.AnswerFilter{Category: "dat_dai", Q: "den"}, "tickets_published_filters"},
			{"a ward", ticket.AnswerFilter{Area: "25747"}, "tickets_published_area"},
			{"a ward, words and a month", ticket.AnswerFilter{Area: "25747", Q: "den", From: month, To: month.AddDate(0, 1, 0)}, "tickets_published_filters"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				q, args := e.svc.AnswersQuery(tt.f)
				plan := explain(t, d, q, args)
				// A month without words reads its own answers from
				// tickets_published_received and sorts them (migration 0036).
				ordered := tt.index != "tickets_published_received"
				if bad := badPlan(d.Dialect, plan, ordered, false); bad != "" {
					t.Fatalf("%s\nquery: %s\nplan:\n%s", bad, q, plan)
				}
				if d.Dialect == db.SQLite && !strings.Contains(plan, tt.index) {
					t.Fatalf("the plan does not use %s\nquery: %s\nplan:\n%s", tt.index, q, plan)
				}
				if _, err := e.svc.Answers(ctx, tt.f); err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}

// Open311's GET requests read a page's ids from one index in the order
// asked, whatever the filter (migration 0039), and join the rest to those
// ids alone; a deep page skips its offset in the index (docs/perf.md has
// the timings at 10 million tickets).
func TestOpen311QueriesUseIndexes(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		for i := 0; i < 200; i++ {
			e.mustCreate(t, ticket.NewTicket{Content: fmt.Sprintf("Phản ánh số %d về đường Lê Lợi", i)})
		}
		var cat int64
		if err := d.R().QueryRowContext(ctx, `SELECT min(id) FROM categories`).Scan(&cat); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W().ExecContext(ctx, `UPDATE tickets SET resolved_at = received_at WHERE id % 3 <> 0`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W().ExecContext(ctx, `UPDATE tickets SET category_id = $1 WHERE id % 5 = 0`, cat); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W().ExecContext(ctx, "ANALYZE"); err != nil {
			t.Fatal(err)
		}
		to := time.Now().Add(time.Hour)
		from := to.AddDate(0, 0, -90)
		open, closed := true, false
		for _, tt := range []struct {
			name  string
			q     open311.Query
			index string // the index SQLite must name
		}{
			{"first page", open311.Query{From: from, To: to, Limit: 50}, "tickets_received"},
			{"the deepest page", open311.Query{From: from, To: to, Limit: 50, Offset: 10000}, "tickets_received"},
			{"a day", open311.Query{From: to.Add(-24 * time.Hour), To: to, Limit: 50}, "tickets_received"},
			{"open", open311.Query{From: from, To: to, Open: &open, Limit: 50, Offset: 100}, "tickets_open_received"},
			{"closed", open311.Query{From: from, To: to, Open: &closed, Limit: 50, Offset: 100}, "tickets_received"},
			{"a service_code", open311.Query{From: from, To: to, Categories: []int64{cat}, Limit: 50, Offset: 100}, "tickets_category_received"},
			{"a service_code, closed", open311.Query{From: from, To: to, Categories: []int64{cat}, Open: &closed, Limit: 50}, "tickets_category_received"},
			{"ids", open311.Query{IDs: []int64{3, 30, 60}, Limit: 50}, "CO-ROUTINE p\nSEARCH t USING INTEGER PRIMARY KEY (rowid=?)\n"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				q, args := open311.RequestsQuery(d.Dialect, tt.q)
				plan := explain(t, d, q, args)
				if bad := badPlan(d.Dialect, plan, len(tt.q.IDs) == 0, false); bad != "" {
					t.Fatalf("%s\nquery: %s\nplan:\n%s", bad, q, plan)
				}
				if d.Dialect == db.SQLite && (!strings.Contains(plan, tt.index) || !strings.Contains(plan, "COVERING INDEX") && len(tt.q.IDs) == 0) {
					t.Fatalf("the plan does not read %s alone\nquery: %s\nplan:\n%s", tt.index, q, plan)
				}
				if d.Dialect == db.Postgres && len(tt.q.IDs) == 0 && !strings.Contains(plan, "Index Only Scan") && !strings.Contains(plan, tt.index) {
					t.Fatalf("the plan reads neither %s nor an index alone\nquery: %s\nplan:\n%s", tt.index, q, plan)
				}
				rows, err := d.R().QueryContext(ctx, q, args...)
				if err != nil {
					t.Fatal(err)
				}
				rows.Close()
			})
		}
	})
}
