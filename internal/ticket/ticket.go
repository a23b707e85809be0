// Package ticket is the heart of hotline: a citizen's report from intake,
// through classification, forwarding to an agency and its answer, back to
// the citizen. The whole ticket life (DESIGN §5) is in workflow.go; this
// file holds the types.
package ticket

import (
	"time"

	"github.com/hotline-1022/hotline/internal/sla"
)

// State is where a ticket is in its life. The values are stable: the API
// and reports use them.
type State string

// The states.
const (
	Received   State = "received"   // tiếp nhận: arrived, not yet looked at
	Classified State = "classified" // phân loại: kind, category and ward set
	Forwarded  State = "forwarded"  // chuyển xử lý: waiting for the agency to accept
	Accepted   State = "accepted"   // the agency is working on it
	Returned   State = "returned"   // trả lại: the agency says it is not theirs
	Answered   State = "answered"   // the agency answered; waiting for review
	Approved   State = "approved"   // kiểm duyệt: the answer may go out
	Replied    State = "replied"    // the citizen has the answer
	Closed     State = "closed"
	Refused    State = "refused" // không hợp lệ: spam, out of scope, invalid
	Merged     State = "merged"  // gộp: a duplicate of another ticket
)

// States lists every state in life order.
var States = []State{Received, Classified, Forwarded, Accepted, Returned, Answered, Approved, Replied, Closed, Refused, Merged}

// AgencyStates are the states of a ticket an agency holds, in life order:
// from its forwarding to the reply and closing. Returning it, reopening
// it and merging it take it away from the agency (they clear its agency).
var AgencyStates = []State{Forwarded, Accepted, Answered, Approved, Replied, Closed}

// Channel is how a report arrived. The values are stable in the API and
// in reports.
type Channel string

// The channels.
const (
	Phone     Channel = "phone"
	Zalo      Channel = "zalo"
	App       Channel = "app" // the mobile app and Open311 clients
	Messenger Channel = "messenger"
	Viber     Channel = "viber"
	Web       Channel = "web"
	Email     Channel = "email"
	SMS       Channel = "sms"
	WalkIn    Channel = "walkin" // a citizen at the desk, recorded by an operator
	Letter    Channel = "letter" // a letter or a paper form, recorded by an operator
)

// Channels lists every channel.
var Channels = []Channel{Phone, Zalo, App, Messenger, Viber, Web, Email, SMS, WalkIn, Letter}

// DeskChannels are the channels an operator records by hand on the
// call-taker: a call, a visit, a letter.
var DeskChannels = []Channel{Phone, WalkIn, Letter}

func validChannel(c Channel) bool {
	for _, x := range Channels {
		if x == c {
			return true
		}
	}
	return false
}

func validState(s State) bool {
	for _, x := range States {
		if x == s {
			return true
		}
	}
	return false
}

// Limits on text fields, in characters.
const (
	MaxContent = 10000
	MaxTitle   = 200
	MaxAddress = 500
	MaxReason  = 2000
)

// Ticket is a report with what the staff consoles and the API show of it.
// Code-and-name pairs come from joins, so a list needs no second query.
type Ticket struct {
	ID       int64
	Code     string
	State    State
	Kind     string
	Priority string
	Channel  Channel

	CategoryID     int64
	CategoryCode   string
	CategoryName   string
	CategoryNameEN string
	AreaCode       string
	AreaName       string
	Address        string
	Lat, Lng       *float64
	Title          string
	Content        string

	ContactID     int64
	ShareIdentity bool // the reporter agreed that the agency may see who they are

	OwnerID      int64
	AgencyID     int64
	AgencyCode   string
	AgencyName   string
	AssignmentID int64
	// Facts of the current forwarding (AssignmentID) the workflow table
	// needs: who forwarded it (the four-eyes rule) and whether the agency's
	// extension request awaits a decision. Read with the ticket, in the
	// same query.
	ForwardedBy      int64
	ExtensionPending bool

	SLAPolicyID int64
	ReceivedAt  time.Time
	Deadline    time.Time
	WarnAt      time.Time
	// EscalateAt is the second escalation threshold: past it an overdue
	// ticket is escalated again (sla.Policy.EscalateAgainPercent). Zero on
	// tickets from before it was kept.
	EscalateAt      time.Time
	FirstResponseAt time.Time
	ResolvedAt      time.Time
	ClosedAt        time.Time
	// WaitingSince is when the ticket began to wait for the citizen's
	// answer to a question (RequestInfo): its clocks stand still until the
	// answer comes (InfoReceived). Zero when it does not wait.
	WaitingSince time.Time

	Answer         string
	AnsweredBy     int64
	MergedInto     int64
	MergedIntoCode string
	Rating         int
	RatingComment  string
	PublishedAt    time.Time
	PublicTitle    string
	PublicContent  string
	PublicAnswer   string
	CreatedBy      int64
	UpdatedAt      time.Time
}

// SLA returns the ticket's clock state at now: sla.Paused while it
// waits for the citizen.
func (t Ticket) SLA(now time.Time) sla.State {
	if t.Open() && !t.WaitingSince.IsZero() {
		return sla.Paused
	}
	return sla.StateAt(now, t.WarnAt, t.Deadline, t.ResolvedAt)
}

// setDue sets the ticket's due times from the sla package's.
func (t *Ticket) setDue(d sla.Due) {
	t.WarnAt, t.Deadline, t.EscalateAt = d.WarnAt, d.Deadline, d.EscalateAt
}

// Open reports whether the ticket still waits for an answer.
func (t Ticket) Open() bool { return t.ResolvedAt.IsZero() }

// Assignment is one forwarding of a ticket to an agency (phiếu chuyển).
type Assignment struct {
	ID           int64
	TicketID     int64
	AgencyID     int64
	AgencyCode   string
	AgencyName   string
	State        string // pending, accepted, returned, answered, withdrawn
	Note         string
	ForwardedBy  int64
	ForwardedAt  time.Time
	Deadline     time.Time
	AcceptedAt   time.Time
	AcceptedBy   int64 // the agency's handler: who accepted or answered it
	ReturnedAt   time.Time
	ReturnReason string
	AnsweredAt   time.Time
	Answer       string
	ExtState     string // "", requested, granted, denied
	ExtUntil     time.Time
	ExtReason    string
}

// Assignment states.
const (
	AsgPending   = "pending"
	AsgAccepted  = "accepted"
	AsgReturned  = "returned"
	AsgAnswered  = "answered"
	AsgWithdrawn = "withdrawn"
)

// Message kinds in the timeline.
const (
	MsgInbound  = "inbound"  // from the citizen
	MsgOutbound = "outbound" // to the citizen
	MsgNote     = "note"     // internal
	MsgCall     = "call"     // a phone call record
	MsgEvent    = "event"    // a state change or other system event
)

// Message is one entry of a ticket's timeline.
type Message struct {
	ID         int64
	TicketID   int64
	Kind       string
	Channel    Channel
	AuthorID   int64
	AuthorName string
	Body       string
	Event      string // for events: the action, e.g. "forward"
	Data       map[string]any
	ProviderID string
	Delivery   string // outbound: queued, sent, delivered, seen, failed
	// DeliveryError is, for a failed delivery, why: a channel.Reason
	// ("window_closed", "blocked"…).
	DeliveryError string
	CreatedAt     time.Time
}
