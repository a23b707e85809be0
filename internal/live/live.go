// Package live fans ticket changes out to the browsers watching them, for
// the staff console's live inbox and its "someone else has this ticket
// open" warning. Within one instance a Broker does it in memory; across
// instances on PostgreSQL, events travel through LISTEN/NOTIFY (pg.go).
package live

import (
	"sort"
	"sync"
	"time"
)

// Event is something a console should show at once. It carries no
// personal data: browsers fetch what they may see.
type Event struct {
	Kind     string `json:"kind"` // "ticket", "presence", "call" or "notification"
	TicketID int64  `json:"ticket_id"`
	Code     string `json:"code,omitempty"`
	Action   string `json:"action,omitempty"`
	State    string `json:"state,omitempty"`
	AgencyID int64  `json:"agency_id,omitempty"`
	// EscalateTo is, on an overdue ticket, the role it is escalated to.
	EscalateTo string   `json:"escalate_to,omitempty"`
	Viewers    []Viewer `json:"viewers,omitempty"`
	// For a "call" event: the call that rings, and the users whose phones
	// ring; only their consoles pop the call up. For a "notification"
	// event, the users it was written for; Action is its kind.
	CallID  int64   `json:"call_id,omitempty"`
	UserIDs []int64 `json:"user_ids,omitempty"`
	Origin  string  `json:"origin,omitempty"` // the instance that published it
}

// Viewer is a staff member with a ticket open.
type Viewer struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
}

// PresenceTTL is how long a viewer counts without a heartbeat.
const PresenceTTL = 45 * time.Second

// Broker is an in-memory publish/subscribe hub. Slow subscribers lose
// events rather than slowing everyone down: a console that misses one
// reloads its list on the next.
type Broker struct {
	mu       sync.Mutex
	subs     map[chan Event]struct{}
	presence map[int64]map[int64]seen // ticket → user → last heartbeat
	now      func() time.Time
	// Forward, when set, also sends locally published events to other
	// instances (the PostgreSQL bridge).
	Forward func(Event)
	closed  bool
}

// Close ends every subscription, so that streaming responses finish and a
// server can shut down without waiting for browsers to hang up.
func (b *Broker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for ch := range b.subs {
		delete(b.subs, ch)
		close(ch)
	}
}

type seen struct {
	name string
	at   time.Time
}

// NewBroker returns an empty Broker.
func NewBroker(now func() time.Time) *Broker {
	if now == nil {
		now = time.Now
	}
	return &Broker{subs: map[chan Event]struct{}{}, presence: map[int64]map[int64]seen{}, now: now}
}

// Subscribe returns a channel of events and a function to stop. After
// Close, the channel comes closed.
func (b *Broker) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event, 64)
	b.mu.Lock()
	if b.closed {
		close(ch)
		b.mu.Unlock()
		return ch, func() {}
	}
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		if _, ok := b.subs[ch]; ok {
			delete(b.subs, ch)
			close(ch)
		}
		b.mu.Unlock()
	}
}

// Publish sends e to every local subscriber and, through Forward, to the
// other instances.
func (b *Broker) Publish(e Event) {
	b.Deliver(e)
	if b.Forward != nil {
		b.Forward(e)
	}
}

// Deliver sends e to local subscribers only; the bridge calls it for
// events from other instances.
func (b *Broker) Deliver(e Event) {
	if e.Kind == "presence" {
		b.mergePresence(e)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- e:
		default:
		}
	}
}

// Subscribers counts the open subscriptions, for metrics.
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Seen records that a user has a ticket open and returns everyone who
// does, the user included, in a stable order. It publishes the new list.
func (b *Broker) Seen(ticketID, userID int64, name string) []Viewer {
	b.mu.Lock()
	m := b.presence[ticketID]
	if m == nil {
		m = map[int64]seen{}
		b.presence[ticketID] = m
	}
	m[userID] = seen{name: name, at: b.now()}
	vs := b.viewersLocked(ticketID)
	b.mu.Unlock()
	b.Publish(Event{Kind: "presence", TicketID: ticketID, Viewers: vs})
	return vs
}

// Left forgets that a user has a ticket open.
func (b *Broker) Left(ticketID, userID int64) {
	b.mu.Lock()
	delete(b.presence[ticketID], userID)
	vs := b.viewersLocked(ticketID)
	b.mu.Unlock()
	b.Publish(Event{Kind: "presence", TicketID: ticketID, Viewers: vs})
}

// Viewers returns who has a ticket open now.
func (b *Broker) Viewers(ticketID int64) []Viewer {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.viewersLocked(ticketID)
}

func (b *Broker) viewersLocked(ticketID int64) []Viewer {
	now := b.now()
	var vs []Viewer
	for id, s := range b.presence[ticketID] {
		if now.Sub(s.at) > PresenceTTL {
			delete(b.presence[ticketID], id)
			continue
		}
		vs = append(vs, Viewer{UserID: id, Name: s.name})
	}
	if len(b.presence[ticketID]) == 0 {
		delete(b.presence, ticketID)
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].UserID < vs[j].UserID })
	return vs
}

// mergePresence takes another instance's viewer list for a ticket into
// ours, so the warning works behind a load balancer.
func (b *Broker) mergePresence(e Event) {
	if e.Origin == "" {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.presence[e.TicketID]
	if m == nil {
		m = map[int64]seen{}
		b.presence[e.TicketID] = m
	}
	now := b.now()
	for _, v := range e.Viewers {
		m[v.UserID] = seen{name: v.Name, at: now}
	}
}
