package ticket

import (
	"slices"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// Action names a step in a ticket's life. The values are the API's action
// paths: POST /api/v1/tickets/{id}/{action}.
type Action string

// The actions.
const (
	Classify         Action = "classify"
	Take             Action = "take" // an operator takes ownership
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
}

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

// check decides whether actor may take action a on t. The order matters:
// a ticket the actor may not see is NotFound before anything else, so
// probing reveals nothing; then the role (Forbidden); then the state
// (Conflict).
func check(a Action, actor user.Actor, t Ticket) error {
	if !Visible(actor, t) {
		return errs.NotFoundf("ticket.not_found")
	}
	r, ok := lifecycle[a]
	if !ok {
		return errs.NotFoundf("ticket.action_unknown", "action", string(a))
	}
	if actor.IsUser() && !slices.Contains(r.roles, actor.Role) {
		return errs.Forbiddenf("ticket.role_forbidden", "action", string(a), "role", string(actor.Role))
	}
	if !slices.Contains(r.from, t.State) {
		return errs.Conflictf("ticket.transition_illegal", "action", string(a), "state", string(t.State))
	}
	return nil
}

// Visible reports whether actor may see t at all: agency users see only
// tickets currently with their agency.
func Visible(actor user.Actor, t Ticket) bool {
	if actor.CanReadAll() {
		return true
	}
	return actor.Role == user.Agency && actor.AgencyID != 0 && t.AgencyID == actor.AgencyID
}

// Allowed returns the actions actor may take on t now, for showing only
// the buttons that will work.
func Allowed(actor user.Actor, t Ticket) []Action {
	var out []Action
	for _, a := range Actions() {
		if check(a, actor, t) == nil {
			out = append(out, a)
		}
	}
	return out
}
