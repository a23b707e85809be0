package ticket_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// listIDs pages through List and returns every ticket id in order.
func listIDs(t *testing.T, e *env, actor user.Actor, f ticket.Filter) []int64 {
	t.Helper()
	var ids []int64
	f.Limit = 4
	for {
		p, err := e.svc.List(context.Background(), actor, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range p.Tickets {
			ids = append(ids, tk.ID)
		}
		if p.Next == "" {
			return ids
		}
		f.Cursor = p.Next
	}
}

func exportIDs(t *testing.T, e *env, actor user.Actor, f ticket.Filter) []int64 {
	t.Helper()
	var ids []int64
	if err := e.svc.Export(context.Background(), actor, f, func(r *ticket.ExportRow) error {
		ids = append(ids, r.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ids
}

// An export is the list over all its pages: the same tickets in the same
// order, for every kind of filter and for an agency, across the export's
// own page boundaries.
func TestExportHasTheListsTickets(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		defer ticket.SetExportPage(3)()
		e := newEnv(t, d)
		for i := 0; i < 6; i++ {
			e.forwarded(t)
			e.clock.Advance(time.Minute)
			e.mustCreate(t, ticket.NewTicket{Channel: ticket.Zalo, Content: fmt.Sprintf("Rác thải ven đường số %d", i)})
			e.clock.Advance(time.Minute)
		}
		closed := e.mustCreate(t, ticket.NewTicket{Content: "Hỏi thủ tục cấp phép xây dựng"})
		e.mustDo(t, op, closed.ID, ticket.Reply, ticket.Input{Text: "Đã hướng dẫn qua điện thoại."})
		tests := []struct {
			name  string
			actor user.Actor
			f     ticket.Filter
			want  int
		}{
			{"everything", op, ticket.Filter{}, 13},
			{"one state", op, ticket.Filter{States: []ticket.State{ticket.Forwarded}}, 6},
			{"several states", viewer, ticket.Filter{States: []ticket.State{ticket.Received, ticket.Replied}}, 7},
			{"channel", op, ticket.Filter{Channels: []ticket.Channel{ticket.Zalo}}, 6},
			{"by deadline", sup, ticket.Filter{Sort: ticket.SortDeadline}, 13},
			{"search", op, ticket.Filter{Q: "rác thải"}, 6},
			{"received in a range", op, ticket.Filter{From: e.clock.Now().Add(-5 * time.Minute), To: e.clock.Now()}, 5},
			{"an agency's own", sxd, ticket.Filter{}, 6},
			{"another agency", tdm, ticket.Filter{}, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, want := exportIDs(t, e, tt.actor, tt.f), listIDs(t, e, tt.actor, tt.f)
				if !slices.Equal(got, want) || len(got) != tt.want {
					t.Fatalf("export %v, list %v, want %d tickets", got, want, tt.want)
				}
			})
		}
		var row ticket.ExportRow
		if err := e.svc.Export(context.Background(), op, ticket.Filter{Q: closed.Code}, func(r *ticket.ExportRow) error {
			row = *r
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if row.ID != closed.ID || row.State != ticket.Replied || row.ResolvedAt.IsZero() || row.RepliedAt.IsZero() || !row.ForwardedAt.IsZero() {
			t.Fatalf("answered directly: %+v", row)
		}
	})
}

// A bad filter is an error before any row; a cancelled request stops the
// export at once.
func TestExportStops(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		defer ticket.SetExportPage(2)()
		e := newEnv(t, d)
		for i := 0; i < 5; i++ {
			e.mustCreate(t, ticket.NewTicket{Content: fmt.Sprintf("Đèn đường hỏng số %d", i)})
		}
		calls := 0
		count := func(*ticket.ExportRow) error { calls++; return nil }
		err := e.svc.Export(context.Background(), op, ticket.Filter{States: []ticket.State{"lost"}}, count)
		if f := errs.As(err).Field; f != "state" || calls != 0 {
			t.Fatalf("bad state: %v (field %q), %d rows", err, f, calls)
		}
		now := e.clock.Now()
		err = e.svc.Export(context.Background(), op, ticket.Filter{From: now, To: now.Add(-time.Hour)}, count)
		if f := errs.As(err).Field; f != "to" || calls != 0 {
			t.Fatalf("range ending before it starts: %v (field %q)", err, f)
		}
		ctx, cancel := context.WithCancel(context.Background())
		err = e.svc.Export(ctx, op, ticket.Filter{}, func(*ticket.ExportRow) error {
			calls++
			cancel()
			return nil
		})
		if !errors.Is(err, context.Canceled) || calls != 1 {
			t.Fatalf("after the client left: %v, %d rows", err, calls)
		}
		if err := e.svc.Export(context.Background(), user.Actor{Origin: "channel:zalo"}, ticket.Filter{}, count); err == nil {
			t.Fatal("a channel exported tickets")
		}
	})
}
