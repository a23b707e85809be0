package live_test

import (
	"context"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/live"
)

func TestBrokerDelivers(t *testing.T) {
	b := live.NewBroker(nil)
	ch, stop := b.Subscribe()
	defer stop()
	b.Publish(live.Event{Kind: "ticket", TicketID: 7, Action: "receive"})
	select {
	case e := <-ch:
		if e.TicketID != 7 || e.Action != "receive" {
			t.Fatalf("got %+v", e)
		}
	case <-time.After(time.Second):
		t.Fatal("no event")
	}
	if b.Subscribers() != 1 {
		t.Fatalf("%d subscribers", b.Subscribers())
	}
	stop()
	if b.Subscribers() != 0 {
		t.Fatalf("%d subscribers after stop", b.Subscribers())
	}
}

func TestPresenceExpires(t *testing.T) {
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	b := live.NewBroker(func() time.Time { return now })
	b.Seen(1, 10, "Lan")
	vs := b.Seen(1, 11, "Tuấn")
	if len(vs) != 2 || vs[0].Name != "Lan" || vs[1].Name != "Tuấn" {
		t.Fatalf("viewers %+v", vs)
	}
	now = now.Add(live.PresenceTTL + time.Second)
	b.Seen(1, 11, "Tuấn")
	if vs := b.Viewers(1); len(vs) != 1 || vs[0].UserID != 11 {
		t.Fatalf("after Lan's heartbeat expired: %+v", vs)
	}
	b.Left(1, 11)
	if vs := b.Viewers(1); len(vs) != 0 {
		t.Fatalf("after leaving: %+v", vs)
	}
}

// Two brokers joined through PostgreSQL behave as one.
func TestBridgeCarriesEventsBetweenInstances(t *testing.T) {
	dsn := dbtest.PostgresURL(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, b := live.NewBroker(nil), live.NewBroker(nil)
	for _, br := range []*live.Broker{a, b} {
		bridge := live.NewBridge(dsn, br, nil)
		go bridge.Run(ctx)
	}
	ch, stop := b.Subscribe()
	defer stop()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case e := <-ch:
			if e.Kind == "ticket" && e.TicketID == 42 {
				if e.Origin == "" {
					t.Fatal("event without origin")
				}
				return
			}
		case <-tick.C:
			// LISTEN may not be up yet on the first publishes: keep trying.
			a.Publish(live.Event{Kind: "ticket", TicketID: 42, Action: "receive"})
		case <-deadline:
			t.Fatal("event did not cross instances")
		}
	}
}

func TestCloseEndsSubscriptions(t *testing.T) {
	b := live.NewBroker(nil)
	ch, stop := b.Subscribe()
	defer stop()
	b.Close()
	if _, ok := <-ch; ok {
		t.Fatal("the subscription is still open after Close")
	}
	late, _ := b.Subscribe()
	if _, ok := <-late; ok {
		t.Fatal("a subscription after Close is open")
	}
	b.Publish(live.Event{Kind: "ticket"}) // must not panic on closed channels
}
