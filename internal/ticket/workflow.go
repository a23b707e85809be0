package ticket

import (
	"slices"
	"strings"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// Action names a step in a ticket's life. The values are the API's action
// paths: POST /api/v1/tickets/{id}/{action}.
type Action string

// The actions.
const (
	Classify         Action = "classify"
	Take             Action = "take"   // an operator takes ownership
	Assign           Action = "assign" // a supervisor gives ownership to a member of the desk
	Forward          Action = "forward"
	Reassign         Action = "reassign" // forward again while an agency holds it
	Accept           Action = "accept"
	Return           Action = "return"
	RequestExtension Action = "request-extension"
	GrantExtension   Action = "grant-extension"
	DenyExtension    Action = "deny-extension"
	AnswerAction     Action = "answer"
	Approve          Action = "approve"
	SendBack         Action = "send-back"
	Reply            Action = "reply"
	Close            Action = "close"
	Reopen           Action = "reopen"
	Refuse           Action = "refuse"
	Merge            Action = "merge"
	Note             Action = "note"
	Rate             Action = "rate"
	Publish          Action = "publish"
	Unpublish        Action = "unpublish"
	// RequestInfo asks the citizen a question on their own channel (need
	// more information): the ticket waits for them and its clocks pause.
	RequestInfo Action = "request-info"
	// InfoReceived records the citizen's answer (a message that joins the
	// ticket, or what they said by phone): the clocks run again and the
	// deadlines move by the working time they stood still.
	InfoReceived Action = "info-received"
)

// Role groups used by the rules.
var (
	desk       = []user.Role{user.Admin, user.Supervisor, user.Operator} // the hotline's own staff
	reviewers  = []user.Role{user.Admin, user.Supervisor, user.Operator} // further limited by the four-eyes rule
	handlers   = []user.Role{user.Admin, user.Supervisor, user.Agency}   // who may act for the agency
	overseers  = []user.Role{user.Admin, user.Supervisor}
	everyStaff = []user.Role{user.Admin, user.Supervisor, user.Operator, user.Agency}
)

// rule is one line of the ticket life: from which states an action may be
// taken, by whom, and where it leads. To "" keeps the state.
type rule struct {
	from  []State
	roles []user.Role
	to    State
}

// lifecycle is DESIGN §5 in one table. Anything not here is illegal.
//
//	received ─► classified ─► forwarded ─► accepted ─► answered ─► approved ─► replied ─► closed
//	   │            │            │  ▲         │  ▲                 │           │
//	   │            │            ▼  │         ▼  │                 ▼           ▼
//	   │            │         returned    extension           sent back     reopened
//	   │            └─► replied directly by the operator ─► closed
//	   └─► refused · merged
var lifecycle = map[Action]rule{
	Classify:         {from: []State{Received, Classified, Returned}, roles: desk, to: Classified},
	Take:             {from: []State{Received, Classified, Returned, Forwarded, Accepted, Answered, Approved}, roles: desk},
	Assign:           {from: []State{Received, Classified, Returned, Forwarded, Accepted, Answered, Approved}, roles: overseers},
	Forward:          {from: []State{Received, Classified, Returned}, roles: desk, to: Forwarded},
	Reassign:         {from: []State{Forwarded, Accepted}, roles: overseers, to: Forwarded},
	Accept:           {from: []State{Forwarded}, roles: handlers, to: Accepted},
	Return:           {from: []State{Forwarded, Accepted}, roles: handlers, to: Returned},
	RequestExtension: {from: []State{Forwarded, Accepted}, roles: handlers},
	GrantExtension:   {from: []State{Forwarded, Accepted}, roles: overseers},
	DenyExtension:    {from: []State{Forwarded, Accepted}, roles: overseers},
	AnswerAction:     {from: []State{Forwarded, Accepted}, roles: handlers, to: Answered},
	Approve:          {from: []State{Answered}, roles: reviewers, to: Approved},
	SendBack:         {from: []State{Answered, Approved}, roles: reviewers, to: Accepted},
	Reply:            {from: []State{Received, Classified, Returned, Approved}, roles: desk, to: Replied},
	Close:            {from: []State{Replied}, roles: desk, to: Closed},
	Reopen:           {from: []State{Replied, Closed, Refused}, roles: desk, to: Received}, // or Classified, see reopen
	Refuse:           {from: []State{Received, Classified, Returned}, roles: desk, to: Refused},
	Merge:            {from: []State{Received, Classified, Returned, Forwarded}, roles: desk, to: Merged},
	Note:             {from: States, roles: everyStaff},
	Rate:             {from: []State{Replied, Closed}, roles: desk},
	Publish:          {from: []State{Replied, Closed}, roles: overseers},
	Unpublish:        {from: []State{Replied, Closed}, roles: overseers},
	// The desk asks while it holds the ticket, the agency while it
	// handles it (Visible keeps an agency to its own).
	RequestInfo:  {from: waitable, roles: everyStaff},
	InfoReceived: {from: waitable, roles: everyStaff},
}

// waitable are the states in which a ticket may wait for the citizen:
// before it is answered, with the desk or with an agency.
var waitable = []State{Received, Classified, Returned, Forwarded, Accepted}

// whileWaiting are the actions a ticket waiting for the citizen still
// takes: the answer (InfoReceived), notes, ownership and extensions.
// Anything that moves it on (forward, answer, reply, refuse…) waits for
// the answer first, so a pause belongs to one holder of the ticket.
var whileWaiting = []Action{InfoReceived, Note, Take, Assign, RequestExtension, GrantExtension, DenyExtension}

// Actions lists every action in a stable order, for the API route table
// and its OpenAPI document.
func Actions() []Action {
	out := make([]Action, 0, len(lifecycle))
	for a := range lifecycle {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// ParseAction validates an action name.
func ParseAction(s string) (Action, error) {
	a := Action(s)
	if _, ok := lifecycle[a]; !ok {
		return "", errs.NotFoundf("ticket.action_unknown", "action", s)
	}
	return a, nil
}

// Operations that are not steps of the ticket life but are granted in
// the same table: who may open a ticket, add a citizen's message to one,
// and so on. They have no API action path (ParseAction refuses them).
const (
	Create     Action = "create"   // open a ticket: the call-taker, a channel, the portal
	Inbound    Action = "inbound"  // store a channel's webhook events (messages, receipts, follows)
	Attach     Action = "attach"   // record a file a citizen sent on their message
	Deliver    Action = "delivery" // read an outbound message for sending and record how it fared
	MarkSLA    Action = "sla"      // mark tickets at risk and overdue, escalating them
	Reveal     Action = "reveal"   // show an agency the reporter who agreed to it
	LinkChat   Action = "link-contact"
	ReadAll    Action = "read"   // see every ticket (lists, reads), not only one's own
	WorkQueues Action = "queues" // the desk's work queues
)

// Kind is the kind of system actor an origin names. Users are known by
// their role instead.
type Kind string

// The system actors. An Origin that is none of these is no one: it may
// do nothing (fail closed).
const (
	KindChannel Kind = "channel" // "channel:zalo", "channel:viber"…: a channel webhook
	KindQueue   Kind = "queue"   // the durable queue: sends, deliveries, attachment fetches
	KindSLA     Kind = "sla"     // the SLA sweeper
	KindSystem  Kind = "system"  // the service's own follow-ups (a routing rule's forward)
	KindCLI     Kind = "cli"     // the hotline command: administration
	KindDemo    Kind = "demo"    // the demo loader (its tickets are made by its demo users)
	KindCitizen Kind = "citizen" // the citizen on the portal, for their own tickets
)

// KindOf returns the kind of system actor a is; "" for users and for
// origins the table does not know.
func KindOf(a user.Actor) Kind {
	if a.IsUser() {
		return ""
	}
	if ch, ok := strings.CutPrefix(a.Origin, "channel:"); ok {
		if validChannel(Channel(ch)) {
			return KindChannel
		}
		return ""
	}
	switch k := Kind(a.Origin); k {
	case KindQueue, KindSLA, KindSystem, KindCLI, KindDemo:
		return k
	case KindCitizen:
		if a.ContactID != 0 {
			return k
		}
	}
	return ""
}

// grants is who may do what outside the ticket life's own table: the
// operations above for staff roles, and everything any system actor may
// do, lifecycle actions included. A system actor's lifecycle actions
// still obey the states of lifecycle; nothing else is allowed to it.
var grants = struct {
	roles   map[Action][]user.Role
	systems map[Kind][]Action
}{
	roles: map[Action][]user.Role{
		Create:     desk,
		Reveal:     {user.Agency}, // and only when the reporter agreed; the desk sees identities anyway
		LinkChat:   desk,
		ReadAll:    {user.Admin, user.Supervisor, user.Operator, user.Viewer},
		WorkQueues: desk,
	},
	systems: map[Kind][]Action{
		KindChannel: {Create, Inbound},
		KindQueue:   {Deliver, Attach},
		KindSLA:     {MarkSLA},
		KindSystem:  {Forward, InfoReceived, ReadAll}, // a citizen's message that joins a waiting ticket answers it
		KindCLI:     {ReadAll},
		KindDemo:    nil,
		KindCitizen: {Create, Rate, Reopen},
	},
}

// Permit reports whether actor may do a at all, whatever the ticket: the
// role or system-actor part of the table. Errors are Forbidden.
func Permit(actor user.Actor, a Action) error {
	if actor.IsUser() {
		roles, ok := grants.roles[a]
		if r, life := lifecycle[a]; life {
			roles, ok = r.roles, true
		}
		if ok && slices.Contains(roles, actor.Role) {
			return nil
		}
	} else if slices.Contains(grants.systems[KindOf(actor)], a) {
		return nil
	}
	role := string(actor.Role)
	if !actor.IsUser() {
		role = actor.Label()
	}
	return errs.Forbiddenf("ticket.role_forbidden", "action", string(a), "role", role)
}

// check decides whether actor may take action a on t now. The order
// matters: a ticket the actor may not see is NotFound before anything
// else, so probing reveals nothing; then the role (Forbidden); then the
// state (Conflict); then the facts of this ticket each action depends on:
// the agency's forwarding, a pending extension, the four-eyes rule, an
// answer to publish. The console, the API's allowed_actions and the
// service all ask this, through Allowed or apply.
func check(a Action, actor user.Actor, t Ticket) error {
	if !Visible(actor, t) {
		return errs.NotFoundf("ticket.not_found")
	}
	r, ok := lifecycle[a]
	if !ok {
		return errs.NotFoundf("ticket.action_unknown", "action", string(a))
	}
	if err := Permit(actor, a); err != nil {
		return err
	}
	if !slices.Contains(r.from, t.State) {
		return errs.Conflictf("ticket.transition_illegal", "action", string(a), "state", string(t.State))
	}
	switch a {
	case Take:
		if t.OwnerID == actor.UserID {
			return errs.Conflictf("ticket.already_owner")
		}
	case Accept, Return, AnswerAction, RequestExtension, GrantExtension, DenyExtension, Reassign:
		if t.AssignmentID == 0 {
			return errs.Conflictf("ticket.no_assignment")
		}
	case Approve, SendBack:
		if t.AssignmentID == 0 {
			return errs.Conflictf("ticket.no_assignment")
		}
		// Four eyes: an operator may not review an answer on a ticket they
		// forwarded or answered themselves; a supervisor may.
		if actor.Role == user.Operator && (t.ForwardedBy == actor.UserID || t.AnsweredBy == actor.UserID) {
			return errs.Forbiddenf("ticket.own_answer")
		}
	case Publish:
		if t.Answer == "" {
			return errs.Conflictf("ticket.publish_no_answer")
		}
	case Unpublish:
		if t.PublishedAt.IsZero() {
			return errs.Conflictf("ticket.not_published")
		}
	case Reopen:
		// A citizen reopens only what was answered; the 7-day window,
		// which needs the time, is CitizenMayReopen's.
		if KindOf(actor) == KindCitizen && ((t.State != Replied && t.State != Closed) || t.ResolvedAt.IsZero()) {
			return errs.Conflictf("public.reopen_not_answered")
		}
	}
	switch {
	case a == RequestInfo && !t.WaitingSince.IsZero():
		return errs.Conflictf("ticket.already_waiting")
	case a == InfoReceived && t.WaitingSince.IsZero():
		return errs.Conflictf("ticket.not_waiting")
	case !t.WaitingSince.IsZero() && !slices.Contains(whileWaiting, a):
		return errs.Conflictf("ticket.waiting_citizen")
	}
	switch a {
	case RequestExtension:
		if t.ExtensionPending {
			return errs.Conflictf("ticket.extension_pending")
		}
	case GrantExtension, DenyExtension:
		if !t.ExtensionPending {
			return errs.Conflictf("ticket.extension_none_pending")
		}
	}
	return nil
}

// Visible reports whether actor may see t at all: the desk, viewers and
// the system's own tooling see every ticket; agency users only tickets
// currently with their agency; a citizen only their own. A channel or
// the queue sees none through here: what they need they read by id.
func Visible(actor user.Actor, t Ticket) bool {
	switch {
	case ReadsAll(actor):
		return true
	case actor.IsUser():
		return actor.Role == user.Agency && actor.AgencyID != 0 && t.AgencyID == actor.AgencyID
	case KindOf(actor) == KindCitizen:
		return t.ContactID == actor.ContactID
	}
	return false
}

// ReadsAll reports whether actor sees every ticket.
func ReadsAll(actor user.Actor) bool { return Permit(actor, ReadAll) == nil }

// Allowed returns the actions actor may take on t now, for showing only
// the buttons that will work: exactly those the service accepts (given
// valid input).
func Allowed(actor user.Actor, t Ticket) []Action {
	var out []Action
	for _, a := range Actions() {
		if check(a, actor, t) == nil {
			out = append(out, a)
		}
	}
	return out
}

// SLARunner is the actor of the SLA sweeper.
var SLARunner = user.Actor{Origin: string(KindSLA)}
