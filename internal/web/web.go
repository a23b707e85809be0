// Package web is the staff console: server-rendered pages for operators,
// agency handlers, supervisors and admins, with small hand-written
// JavaScript and live updates over server-sent events. Every page and form
// is in Vietnamese by default and English on request, and every POST
// carries a CSRF token.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/blob"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/live"
	"github.com/hotline-1022/hotline/internal/reply"
	"github.com/hotline-1022/hotline/internal/routing"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// Web serves the console.
type Web struct {
	DB         *db.DB
	Tickets    *ticket.Service
	Users      *user.Store
	Areas      *area.Store
	Categories *category.Store
	Agencies   *agency.Store
	Routes     *routing.Store
	SLA        *sla.Store
	Audit      *audit.Log
	Replies    *reply.Store
	Blobs      *blob.Store // attachments
	Live       *live.Broker
	Catalog    *i18n.Catalog
	Log        *slog.Logger
	Now        func() time.Time
	TrustProxy bool
	Province   string // the deployment's province code, for ward pickers

	pages map[string]*pageTemplate
}

// handlerFunc is a console handler: it writes a page or returns an error,
// which the router turns into a localised error page.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// router registers console routes with their access rules.
type router struct {
	mux *http.ServeMux
	web *Web
}

// Staff role groups for routes.
var (
	allStaff    = []user.Role{user.Admin, user.Supervisor, user.Operator, user.Agency, user.Viewer}
	deskRoles   = []user.Role{user.Admin, user.Supervisor, user.Operator}
	reviewRoles = []user.Role{user.Admin, user.Supervisor}
	adminRoles  = []user.Role{user.Admin}
)

// page registers a route for signed-in staff with one of roles. Unsafe
// methods must carry the session's CSRF token.
func (rt *router) page(pattern string, roles []user.Role, h handlerFunc) {
	rt.mux.Handle(pattern, rt.web.session(roles, h))
}

// public registers a route anyone may use.
func (rt *router) public(pattern string, h handlerFunc) {
	rt.mux.Handle(pattern, rt.web.adapt(h))
}

// Handler returns the console's handler. The app mounts it at /.
func (w *Web) Handler() (http.Handler, error) {
	if err := w.loadTemplates(); err != nil {
		return nil, err
	}
	rt := &router{mux: http.NewServeMux(), web: w}
	rt.mux.Handle("GET /static/", staticHandler())
	rt.mux.Handle("GET /favicon.ico", http.RedirectHandler("/static/favicon.svg", http.StatusMovedPermanently))
	w.authRoutes(rt)
	w.inboxRoutes(rt)
	w.workspaceRoutes(rt)
	w.intakeRoutes(rt)
	w.reviewRoutes(rt)
	w.adminRoutes(rt)
	rt.public("GET /{$}", func(rw http.ResponseWriter, r *http.Request) error {
		http.Redirect(rw, r, "/console", http.StatusSeeOther)
		return nil
	})
	rt.public("/", func(rw http.ResponseWriter, r *http.Request) error {
		return errs.NotFoundf("error.not_found")
	})
	return rt.mux, nil
}

// adapt turns a handlerFunc into an http.Handler.
func (w *Web) adapt(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if err := h(rw, r); err != nil {
			w.fail(rw, r, err)
		}
	})
}

// fail shows err as a page in the user's language. A missing session
// sends the browser to the sign-in page and back.
func (w *Web) fail(rw http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	e := errs.As(err)
	if e.Code == errs.Unauthorized && r.Method == http.MethodGet && e.Key != "auth.csrf_invalid" {
		http.Redirect(rw, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	status := httpx.Status(e.Code)
	if status >= 500 {
		w.Log.Error("console error", "request_id", httpx.RequestID(r.Context()), "route", r.Pattern, "error", err.Error())
	}
	p := w.newPage(r, "error.title", "")
	p.Status = status
	p.Error = w.Catalog.Error(p.Lang, err)
	w.render(rw, r, status, "error", p)
}

// session wraps a handler for signed-in staff with the given roles.
func (w *Web) session(roles []user.Role, h handlerFunc) http.Handler {
	return w.adapt(func(rw http.ResponseWriter, r *http.Request) error {
		c, err := r.Cookie(SessionCookie)
		if err != nil {
			return errs.E(errs.Unauthorized, "auth.session_invalid")
		}
		u, s, err := w.Users.BySession(r.Context(), c.Value)
		if err != nil {
			if errs.CodeOf(err) == errs.Unauthorized {
				w.clearSessionCookie(rw, r)
			}
			return err
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			token := r.Header.Get("X-CSRF-Token")
			if token == "" {
				token = r.PostFormValue("csrf")
			}
			if token != s.CSRF {
				return errs.E(errs.Forbidden, "auth.csrf_invalid")
			}
		}
		if !slices.Contains(roles, u.Role) {
			return errs.Forbiddenf("error.forbidden")
		}
		ctx := httpx.WithSession(httpx.WithActor(r.Context(), u.Actor(httpx.ClientIP(r, w.TrustProxy))), s)
		ctx = context.WithValue(ctx, userKey{}, u)
		return h(rw, r.WithContext(ctx))
	})
}

type userKey struct{}

// currentUser returns the signed-in user of a console request.
func currentUser(r *http.Request) user.User {
	u, _ := r.Context().Value(userKey{}).(user.User)
	return u
}

// actorOf returns the actor of a console request.
func actorOf(r *http.Request) user.Actor {
	a, _ := httpx.ActorFrom(r.Context())
	return a
}

// redirect ends a successful POST: the browser GETs the next page, with a
// one-time message in the user's language. args are name/value pairs for
// the message's placeholders ("code", "K7M3P-9QXD2"); they travel in the
// cookie, so never put personal data in them.
func (w *Web) redirect(rw http.ResponseWriter, r *http.Request, to, flashKey string, args ...string) error {
	if flashKey != "" {
		v := flashKey
		if len(args) > 0 {
			q := url.Values{}
			for i := 0; i+1 < len(args); i += 2 {
				q.Add(args[i], args[i+1])
			}
			v += "|" + q.Encode()
		}
		http.SetCookie(rw, &http.Cookie{Name: flashCookie, Value: v, Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: w.secure(r)})
	}
	http.Redirect(rw, r, to, http.StatusSeeOther)
	return nil
}

// secure reports whether cookies must be Secure: the request came over
// TLS, directly or through a trusted proxy.
func (w *Web) secure(r *http.Request) bool {
	return r.TLS != nil || (w.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https")
}
