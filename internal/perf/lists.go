package perf

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// Timing is how long one list took over its rounds.
type Timing struct {
	Name          string
	Rounds        int
	Rows          int // rows of the last page
	P50, P95, P99 time.Duration
	Max           time.Duration
}

// Lists runs each inbox and queue list rounds times, at random depths of
// the table (keyset cursors anywhere in the id range), and reports
// latency percentiles. It reads only.
func Lists(ctx context.Context, d *db.DB, svc *ticket.Service, rounds int, seed uint64) ([]Timing, int64, error) {
	var maxID, total int64
	if err := d.R().QueryRowContext(ctx, `SELECT COALESCE(max(id), 0), count(*) FROM tickets`).Scan(&maxID, &total); err != nil {
		return nil, 0, err
	}
	if maxID == 0 {
		return nil, 0, fmt.Errorf("perf lists: no tickets (run hotline perf seed first)")
	}
	var agencyID int64
	var agencyCode, category, ward string
	if err := d.R().QueryRowContext(ctx, `SELECT a.id, a.code FROM agencies a ORDER BY a.id LIMIT 1`).Scan(&agencyID, &agencyCode); err != nil {
		return nil, 0, err
	}
	if err := d.R().QueryRowContext(ctx, `SELECT code FROM categories ORDER BY id LIMIT 1`).Scan(&category); err != nil {
		return nil, 0, err
	}
	if err := d.R().QueryRowContext(ctx, `SELECT area_code FROM tickets WHERE area_code IS NOT NULL LIMIT 1`).Scan(&ward); err != nil {
		return nil, 0, err
	}
	op := user.Actor{UserID: 1, Role: user.Operator}
	ag := user.Actor{UserID: 2, Role: user.Agency, AgencyID: agencyID}
	r := rand.New(rand.NewPCG(seed, 1))
	deep := func() string { return ticket.CursorAfter(r.Int64N(maxID) + 1) }
	cases := []struct {
		name   string
		actor  user.Actor
		filter func() ticket.Filter
		counts []ticket.Filter // the case counts these (the inbox's tabs) instead of listing
	}{
		{"inbox, first page", op, func() ticket.Filter { return ticket.Filter{} }, nil},
		{"inbox, a random deep page", op, func() ticket.Filter { return ticket.Filter{Cursor: deep()} }, nil},
		{"new tickets (state received)", op, func() ticket.Filter { return ticket.Filter{States: []ticket.State{ticket.Received}} }, nil},
		{"open tickets (3 states), deep", op, func() ticket.Filter {
			return ticket.Filter{States: []ticket.State{ticket.Received, ticket.Classified, ticket.Returned}, Cursor: deep()}
		}, nil},
		{"mixed states (answered, approved), deep", op, func() ticket.Filter {
			return ticket.Filter{States: []ticket.State{ticket.Answered, ticket.Approved}, Cursor: deep()}
		}, nil},
		{"channel zalo, deep", op, func() ticket.Filter { return ticket.Filter{Channels: []ticket.Channel{ticket.Zalo}, Cursor: deep()} }, nil},
		{"category, deep", op, func() ticket.Filter { return ticket.Filter{Category: category, Cursor: deep()} }, nil},
		{"ward, deep", op, func() ticket.Filter { return ticket.Filter{Area: ward, Cursor: deep()} }, nil},
		{"province (all its wards)", op, func() ticket.Filter { return ticket.Filter{Area: "79"} }, nil},
		{"agency filter, deep", op, func() ticket.Filter { return ticket.Filter{Agency: agencyCode, Cursor: deep()} }, nil},
		{"agency, all its tickets", ag, func() ticket.Filter { return ticket.Filter{} }, nil},
		{"agency queue by deadline (to do)", ag, func() ticket.Filter {
			return ticket.Filter{Sort: ticket.SortDeadline, States: []ticket.State{ticket.Forwarded, ticket.Accepted}}
		}, nil},
		{"overdue", op, func() ticket.Filter { return ticket.Filter{SLA: sla.Overdue} }, nil},
		{"the desk's to-do by deadline", op, func() ticket.Filter {
			return ticket.Filter{Sort: ticket.SortDeadline, States: []ticket.State{ticket.Received, ticket.Classified, ticket.Returned}}
		}, nil},
		{"every inbox tab's count, operator (9 tabs)", op, nil, deskTabs(op.UserID)},
		{"every inbox tab's count, agency (5 tabs)", ag, nil, agencyTabs},
		{"tracking code", op, func() ticket.Filter {
			c := fmt.Sprintf("P%09d", r.Int64N(maxID-10)+11) // the seed's codes; the demo's first few are random
			return ticket.Filter{Q: c[:5] + "-" + c[5:]}
		}, nil},
		{"full text, two words", op, func() ticket.Filter {
			return ticket.Filter{Q: words[r.IntN(len(words))] + " " + words[r.IntN(len(words))]}
		}, nil},
	}
	var out []Timing
	for _, c := range cases {
		times := make([]time.Duration, 0, rounds)
		rows := 0
		for i := 0; i < rounds; i++ {
			start := time.Now()
			if c.counts != nil {
				// The whole set of an inbox's tab counts, as the page asks.
				rows = 0
				for _, f := range c.counts {
					n, err := svc.Count(ctx, c.actor, f)
					if err != nil {
						return nil, 0, fmt.Errorf("%s: %w", c.name, err)
					}
					rows += n
				}
				times = append(times, time.Since(start))
				continue
			}
			p, err := svc.List(ctx, c.actor, c.filter())
			if err != nil {
				return nil, 0, fmt.Errorf("%s: %w", c.name, err)
			}
			times = append(times, time.Since(start))
			rows = len(p.Tickets)
		}
		slices.Sort(times)
		at := func(q float64) time.Duration { return times[min(len(times)-1, int(q*float64(len(times))))] }
		out = append(out, Timing{Name: c.name, Rounds: rounds, Rows: rows, P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: times[len(times)-1]})
	}
	return out, total, nil
}

// deskTabs are the filters of an operator's inbox tabs (internal/web/desk).
func deskTabs(userID int64) []ticket.Filter {
	st := func(s ...ticket.State) []ticket.State { return s }
	return []ticket.Filter{
		{States: st(ticket.Received)},
		{States: st(ticket.Received, ticket.Classified, ticket.Returned), Sort: ticket.SortDeadline},
		{States: st(ticket.Returned)},
		{States: st(ticket.Answered)},
		{States: st(ticket.Approved)},
		{States: st(ticket.Forwarded, ticket.Accepted)},
		{SLA: sla.Overdue, Sort: ticket.SortDeadline},
		{OwnerID: userID},
		{},
	}
}

// agencyTabs are the filters of an agency handler's queue tabs.
var agencyTabs = []ticket.Filter{
	{States: []ticket.State{ticket.Forwarded, ticket.Accepted}, Sort: ticket.SortDeadline},
	{States: []ticket.State{ticket.Forwarded}, Sort: ticket.SortDeadline},
	{States: []ticket.State{ticket.Accepted}, Sort: ticket.SortDeadline},
	{States: []ticket.State{ticket.Answered, ticket.Approved, ticket.Replied, ticket.Closed}},
	{},
}

// Print writes timings as a Markdown table.
func Print(w io.Writer, dialect db.Dialect, total int64, ts []Timing) {
	fmt.Fprintf(w, "%s, %d tickets\n\n| list | p50 | p95 | p99 | max | rows |\n|---|---|---|---|---|---|\n", dialect, total)
	for _, t := range ts {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %d |\n", t.Name, ms(t.P50), ms(t.P95), ms(t.P99), ms(t.Max), t.Rows)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
