package api

import (
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// FilterQuery is read back by ticketFilter as the filter it came from,
// so the console's export link exports what the console lists.
func TestFilterQueryRoundTrips(t *testing.T) {
	op := user.Actor{UserID: 7, Role: user.Operator}
	day := func(s string) time.Time {
		d, _ := time.ParseInLocation(time.DateOnly, s, clock.Zone)
		return d
	}
	for _, f := range []ticket.Filter{
		{},
		{States: []ticket.State{ticket.Received, ticket.Returned}, Channels: []ticket.Channel{ticket.Zalo}, Sort: ticket.SortDeadline},
		{Category: "dat_dai", Agency: "SXD", Area: "25747", SLA: sla.AtRisk, Q: "đường Lê Lợi & 5%"},
		{Overdue: true, OwnerID: 7, From: day("2026-11-01"), To: day("2026-12-01")},
	} {
		r := httptest.NewRequest("GET", "/api/v1/exports/tickets.csv?"+FilterQuery(f, op).Encode(), nil)
		got, err := ticketFilter(r, op)
		if err != nil || !reflect.DeepEqual(got, f) {
			t.Errorf("%+v came back as %+v (%v)", f, got, err)
		}
	}
}
