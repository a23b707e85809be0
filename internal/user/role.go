// Package user holds staff accounts, their roles, API tokens and browser
// sessions, and the Actor value that every domain action is performed by.
package user

import (
	"github.com/hotline-1022/hotline/internal/errs"
)

// Role is what a staff member may do (DESIGN §2).
type Role string

// The roles.
const (
	Admin      Role = "admin"
	Supervisor Role = "supervisor"
	Operator   Role = "operator"
	Agency     Role = "agency"
	Viewer     Role = "viewer"
)

// Roles lists every role, most powerful first.
var Roles = []Role{Admin, Supervisor, Operator, Agency, Viewer}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", errs.Invalidf("user.role_unknown", "role", s).InField("role")
}

// Actor is whoever performs an action: a signed-in user, or the system
// itself (a runner, a channel webhook, the CLI).
type Actor struct {
	UserID   int64
	Name     string
	Role     Role
	AgencyID int64  // set for agency users
	Origin   string // for non-users: "system", "cli", "citizen", "channel:zalo"
	// ContactID is, for a citizen (Origin "citizen"), who they are: they
	// act on their own tickets only.
	ContactID int64
	IP        string
}

// System is the actor for background work.
var System = Actor{Origin: "system"}

// Label names the actor in the audit log: the role for users, the origin
// otherwise.
func (a Actor) Label() string {
	if a.UserID != 0 {
		return string(a.Role)
	}
	if a.Origin != "" {
		return a.Origin
	}
	return "system"
}

// IsUser reports whether a signed-in staff member acts.
func (a Actor) IsUser() bool { return a.UserID != 0 }

// SeesIdentity reports whether the actor may see a reporter's identity
// unmasked. Agencies and viewers see it masked; an agency handler may
// reveal it with a reason, which is audited.
func (a Actor) SeesIdentity() bool {
	switch a.Role {
	case Admin, Supervisor, Operator:
		return true
	}
	return a.Origin == "system" || a.Origin == "cli"
}

// Is reports whether the actor has one of the roles.
func (a Actor) Is(roles ...Role) bool {
	for _, r := range roles {
		if a.Role == r {
			return true
		}
	}
	return false
}

// CanReadAll reports whether a signed-in user sees every ticket, not only
// their agency's. What system actors may read is the ticket package's
// table (ticket.ReadsAll).
func (a Actor) CanReadAll() bool {
	return a.IsUser() && a.Is(Admin, Supervisor, Operator, Viewer)
}
