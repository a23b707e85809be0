package ticket_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/ticket"
)

type recordingSink struct {
	name string
	log  *[]string
	err  error
}

func (r recordingSink) TicketEvent(_ context.Context, _ *sql.Tx, e ticket.Event) (func(), error) {
	*r.log = append(*r.log, r.name+":"+e.Name)
	if r.err != nil {
		return nil, r.err
	}
	return func() { *r.log = append(*r.log, r.name+":after") }, nil
}

func TestSinksHandEveryEventToEachSinkAndStopAtTheFirstError(t *testing.T) {
	var log []string
	ss := ticket.Sinks{recordingSink{name: "a", log: &log}, recordingSink{name: "b", log: &log}}
	after, err := ss.TicketEvent(context.Background(), nil, ticket.Event{Name: "forward"})
	if err != nil || after == nil {
		t.Fatalf("TicketEvent = %v, %v", after != nil, err)
	}
	after()
	if got, want := joinCalls(log), "a:forward b:forward a:after b:after"; got != want {
		t.Fatalf("calls = %q, want %q", got, want)
	}

	log = nil
	boom := errors.New("boom")
	ss = ticket.Sinks{recordingSink{name: "a", log: &log, err: boom}, recordingSink{name: "b", log: &log}}
	if _, err := ss.TicketEvent(context.Background(), nil, ticket.Event{Name: "close"}); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if got := joinCalls(log); got != "a:close" {
		t.Fatalf("calls after an error = %q, want only the failing sink's", got)
	}
	if after, err := (ticket.Sinks{}).TicketEvent(context.Background(), nil, ticket.Event{}); after != nil || err != nil {
		t.Fatalf("empty Sinks = %v, %v", after != nil, err)
	}
}

func joinCalls(ss []string) string { return strings.Join(ss, " ") }
