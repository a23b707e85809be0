// Package desk is the console where tickets are handled: the inbox, a
// ticket's workspace and the call-taker, for operators and agency
// handlers (supervisors and admins may work here too; viewers only read).
package desk

import (
	"embed"

	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/blob"
	"github.com/hotline-1022/hotline/internal/call"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/live"
	"github.com/hotline-1022/hotline/internal/reply"
	"github.com/hotline-1022/hotline/internal/routing"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/view"
	"github.com/hotline-1022/hotline/internal/web"
)

//go:embed templates
var templates embed.FS

// Desk serves the inbox, the ticket workspace and the call-taker.
type Desk struct {
	*web.Web
	DB         *db.DB
	Tickets    *ticket.Service
	Areas      *area.Store
	Categories *category.Store
	Rules      *routing.Store
	Replies    *reply.Store
	Blobs      *blob.Store // attachments
	Live       *live.Broker
	Calls      *call.Store // the call a screen pop opens the call-taker from
	Views      *view.Store // each user's saved inbox views
	Province   string      // the deployment's province code, for ward pickers
}

// Role groups of the desk's routes.
var (
	// handlerRoles may act on tickets; viewers only read.
	handlerRoles = []user.Role{user.Admin, user.Supervisor, user.Operator, user.Agency}
	// deskRoles take calls.
	deskRoles = []user.Role{user.Admin, user.Supervisor, user.Operator}
)

// Routes registers the desk's pages and templates.
func (w *Desk) Routes(rt *web.Router) {
	rt.Templates(templates, nil)
	rt.Page("GET /console", web.AllStaff, w.inbox)
	rt.Page("GET /console/rows/{id}", web.AllStaff, w.inboxRow)
	rt.Page("GET /console/events", web.AllStaff, w.events)
	rt.Page("GET /console/tickets/{id}", web.AllStaff, w.ticketPage)
	rt.Page("POST /console/tickets/{id}/reveal", web.AllStaff, w.reveal)
	rt.Page("POST /console/tickets/{id}/presence", web.AllStaff, w.presence)
	rt.Page("POST /console/tickets/{id}/link-contact", deskRoles, w.linkContact)
	rt.Page("GET /console/attachments/{id}", web.AllStaff, w.attachment)
	// Bodies are limited before the session check reads the CSRF field
	// from them, so an oversized upload is refused before it is parsed.
	rt.Handle("POST /console/tickets/{id}/{action}", w.limitBody(w.Session(handlerRoles, w.act)))
	rt.Page("POST /console/bulk", deskRoles, w.bulk)
	rt.Page("POST /console/views", web.AllStaff, w.saveView)
	rt.Page("POST /console/views/{id}/delete", web.AllStaff, w.deleteView)
	rt.Page("GET /console/new", deskRoles, w.intakeForm)
	rt.Page("POST /console/new", deskRoles, w.intakeSubmit)
	rt.Page("GET /console/new/suggest", deskRoles, w.intakeSuggest)
	rt.Page("GET /console/new/caller", deskRoles, w.intakeCaller)
}
