package ticket_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

func codes(p ticket.Page) map[string]bool {
	m := map[string]bool{}
	for _, t := range p.Tickets {
		m[t.Code] = true
	}
	return m
}

func TestListFilters(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		road := e.forwarded(t) // SXD, ward 25747, category ha_tang_giao_thong, phone
		e.clock.Advance(time.Minute)
		web := e.mustCreate(t, ticket.NewTicket{Channel: ticket.Web, Content: "Cúp điện khu phố 3 từ tối qua", Area: "00004"})
		e.clock.Advance(time.Minute)
		zalo := e.mustCreate(t, ticket.NewTicket{Channel: ticket.Zalo, Content: "Rác thải đổ trộm ven đường Dĩ An", Category: "dat_dai", Area: "25942",
			Contact: contact.Input{Phone: "0909 111 222"}})
		tests := []struct {
			name  string
			actor user.Actor
			f     ticket.Filter
			want  []string
		}{
			{"everything", op, ticket.Filter{}, []string{road.Code, web.Code, zalo.Code}},
			{"state", op, ticket.Filter{States: []ticket.State{ticket.Forwarded}}, []string{road.Code}},
			{"two states", op, ticket.Filter{States: []ticket.State{ticket.Forwarded, ticket.Received}}, []string{road.Code, web.Code, zalo.Code}},
			{"channel", op, ticket.Filter{Channels: []ticket.Channel{ticket.Zalo}}, []string{zalo.Code}},
			{"category", op, ticket.Filter{Category: "dat_dai"}, []string{zalo.Code}},
			{"agency", op, ticket.Filter{Agency: "sxd"}, []string{road.Code}},
			{"ward", op, ticket.Filter{Area: "25942"}, []string{zalo.Code}},
			{"province", op, ticket.Filter{Area: "79"}, []string{road.Code, zalo.Code}},
			{"search without diacritics", op, ticket.Filter{Q: "duong"}, []string{road.Code, zalo.Code}},
			{"search words prefix", op, ticket.Filter{Q: "cup dien"}, []string{web.Code}},
			{"search with diacritics", op, ticket.Filter{Q: "Rác thải"}, []string{zalo.Code}},
			{"tracking code", op, ticket.Filter{Q: web.Code}, []string{web.Code}},
			{"reporter phone", op, ticket.Filter{Q: "+84 909 111 222"}, []string{zalo.Code}},
			{"unknown phone", op, ticket.Filter{Q: "0909 999 999"}, nil},
			{"assigned to me", op, ticket.Filter{OwnerID: op.UserID}, []string{road.Code}},
			{"agency sees only its own", sxd, ticket.Filter{}, []string{road.Code}},
			{"agency cannot widen its filter", sxd, ticket.Filter{Agency: "TDM"}, nil},
			{"other agency sees nothing", tdm, ticket.Filter{}, nil},
			{"viewer reads all", viewer, ticket.Filter{Channels: []ticket.Channel{ticket.Web}}, []string{web.Code}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p, err := e.svc.List(ctx, tt.actor, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				got := codes(p)
				if len(got) != len(tt.want) {
					t.Fatalf("got %d tickets %v, want %v", len(got), got, tt.want)
				}
				for _, c := range tt.want {
					if !got[c] {
						t.Fatalf("missing %s; got %v", c, got)
					}
				}
			})
		}
		// Newest first.
		p, _ := e.svc.List(ctx, op, ticket.Filter{})
		if p.Tickets[0].Code != zalo.Code || p.Tickets[2].Code != road.Code {
			t.Fatalf("order: %s %s %s", p.Tickets[0].Code, p.Tickets[1].Code, p.Tickets[2].Code)
		}
		bad := []struct {
			name  string
			f     ticket.Filter
			field string
		}{
			{"unknown state", ticket.Filter{States: []ticket.State{"lost"}}, "state"},
			{"unknown channel", ticket.Filter{Channels: []ticket.Channel{"fax"}}, "channel"},
			{"unknown category", ticket.Filter{Category: "nope"}, "category"},
			{"unknown agency", ticket.Filter{Agency: "NOPE"}, "agency"},
			{"unknown area", ticket.Filter{Area: "123"}, "area"},
			{"bad cursor", ticket.Filter{Cursor: "!!"}, "cursor"},
			{"cursor of another sort", ticket.Filter{Sort: ticket.SortDeadline, Cursor: p.Next + "aQ"}, "cursor"},
			{"bad sort", ticket.Filter{Sort: "random"}, "sort"},
			{"punctuation only", ticket.Filter{Q: "!!!"}, "q"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.svc.List(ctx, op, tt.f)
				if ee := errs.As(err); ee.Code != errs.Invalid || ee.Field != tt.field {
					t.Fatalf("got %v, want invalid %s", err, tt.field)
				}
			})
		}
	})
}

func TestListSLAFilters(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		old := e.mustCreate(t, ticket.NewTicket{Content: "Cũ"})
		e.clock.Advance(4*time.Hour + 30*time.Minute)
		mid := e.mustCreate(t, ticket.NewTicket{Content: "Giữa"})
		e.clock.Advance(time.Hour) // old is overdue, mid is on time
		answered := e.mustCreate(t, ticket.NewTicket{Content: "Đã trả lời"})
		e.mustDo(t, op, answered.ID, ticket.Reply, ticket.Input{Text: "OK"})
		for _, tc := range []struct {
			f    ticket.Filter
			want string
		}{
			{ticket.Filter{Overdue: true}, old.Code},
			{ticket.Filter{SLA: sla.Overdue}, old.Code},
			{ticket.Filter{SLA: sla.OnTime}, mid.Code},
		} {
			p, err := e.svc.List(ctx, op, tc.f)
			if err != nil || len(p.Tickets) != 1 || p.Tickets[0].Code != tc.want {
				t.Errorf("%+v: %v %v", tc.f, codes(p), err)
			}
		}
		e.clock.Advance(3 * time.Hour) // mid: 4.5h old → at risk
		p, err := e.svc.List(ctx, op, ticket.Filter{SLA: sla.AtRisk})
		if err != nil || len(p.Tickets) != 1 || p.Tickets[0].Code != mid.Code {
			t.Fatalf("at risk: %v %v", codes(p), err)
		}
	})
}

func TestKeysetPaging(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		const n = 23
		for i := 0; i < n; i++ {
			e.mustCreate(t, ticket.NewTicket{Content: fmt.Sprintf("Phản ánh số %d", i), Priority: []string{"normal", "urgent"}[i%2]})
			e.clock.Advance(time.Minute)
		}
		e.mustPolicy(t, sla.Policy{Name: "urgent", Priority: "urgent", Target: time.Hour, Calendar: sla.Always, WarnPercent: 50, Active: true})
		for _, sort := range []string{ticket.SortNewest, ticket.SortDeadline} {
			t.Run(sort, func(t *testing.T) {
				seen := map[string]bool{}
				cursor := ""
				pages := 0
				var last time.Time
				for {
					p, err := e.svc.List(ctx, op, ticket.Filter{Sort: sort, Cursor: cursor, Limit: 5})
					if err != nil {
						t.Fatal(err)
					}
					pages++
					for _, tk := range p.Tickets {
						if seen[tk.Code] {
							t.Fatalf("%s seen twice", tk.Code)
						}
						seen[tk.Code] = true
						if sort == ticket.SortDeadline {
							if tk.Deadline.Before(last) {
								t.Fatalf("deadline order broken at %s", tk.Code)
							}
							last = tk.Deadline
						}
					}
					if p.Next == "" {
						break
					}
					cursor = p.Next
				}
				if len(seen) != n || pages != 5 {
					t.Fatalf("saw %d tickets in %d pages, want %d in 5", len(seen), pages, n)
				}
			})
		}
	})
}
