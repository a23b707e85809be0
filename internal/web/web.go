// Package web is the staff console: server-rendered pages for operators,
// agency handlers, supervisors and admins, with small hand-written
// JavaScript and live updates over server-sent events. Every page and form
// is in Vietnamese by default and English on request, and every POST
// carries a CSRF token.
//
// This package holds what the rooms share: sessions, CSRF, the sign-in and
// account pages, rendering with the layout, the static files and the
// router. The rooms are packages of their own, by who works there:
// internal/web/desk (inbox, ticket workspace, call-taker), review
// (supervisors) and admin; internal/web/webtest is their test harness.
package web

import (
	"context"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/user"
)

// Web is what every room of the console shares: sessions and CSRF,
// page rendering with the layout and the shared partials, one-time
// messages and errors. Rooms (internal/web/desk, review, admin) embed it
// and add the stores they use; Handler assembles them.
type Web struct {
	Users      *user.Store
	Agencies   *agency.Store // the account page names the user's agency
	Catalog    *i18n.Catalog
	Log        *slog.Logger
	Clock      clock.Clock // the application's one clock
	TrustProxy bool
	// Notices, when set, counts the signed-in user's unread
	// notifications for the header (internal/notification).
	Notices Unreader

	pages    map[string]*pageTemplate
	partials *template.Template // the shared partials alone, for Fragment
}

// Unreader counts a user's unread notifications.
type Unreader interface {
	Unread(ctx context.Context, userID int64) (int, error)
}

// Now is the current instant on the application's clock.
func (w *Web) Now() time.Time { return w.Clock.Now() }

// Today is the current date in Vietnam, 'YYYY-MM-DD': which agencies and
// wards are in service, the same day the domain checks.
func (w *Web) Today() string { return w.Clock.Today() }

// HandlerFunc is a console handler: it writes a page or returns an error,
// which the router turns into a localised error page.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Room is one part of the console, for the people who work there: it
// registers its routes and its templates.
type Room interface {
	Routes(rt *Router)
}

// Router registers console routes with their access rules, and the rooms'
// templates.
type Router struct {
	mux       *http.ServeMux
	web       *Web
	templates []templateSet
	home      http.Handler // the site's root, "GET /{$}": the portal's home
	notFound  http.Handler // a page not found for a visitor who is not signed in
}

// AllStaff is every staff role: the routes any signed-in user may use.
var AllStaff = []user.Role{user.Admin, user.Supervisor, user.Operator, user.Agency, user.Viewer}

// Page registers a route for signed-in staff with one of roles. Unsafe
// methods must carry the session's CSRF token.
func (rt *Router) Page(pattern string, roles []user.Role, h HandlerFunc) {
	rt.mux.Handle(pattern, rt.web.Session(roles, h))
}

// Public registers a route anyone may use.
func (rt *Router) Public(pattern string, h HandlerFunc) {
	rt.mux.Handle(pattern, rt.web.adapt(h))
}

// Handle registers a handler as it is, for a room that wraps Session
// itself.
func (rt *Router) Handle(pattern string, h http.Handler) {
	rt.mux.Handle(pattern, h)
}

// Home makes h the site's root page instead of a redirect to the
// console (the public portal owns "/").
func (rt *Router) Home(h http.Handler) {
	rt.home = h
	rt.mux.Handle("GET /{$}", h)
}

// NotFound makes h the answer to a path nothing serves when the visitor
// is not signed in; signed-in staff keep the console's page.
func (rt *Router) NotFound(h http.Handler) { rt.notFound = h }

// signedIn reports whether the request carries a valid staff session.
func (w *Web) signedIn(r *http.Request) bool {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return false
	}
	_, _, err = w.Users.BySession(r.Context(), c.Value)
	return err == nil
}

// Templates adds a room's pages: every templates/*.html of fsys is a page,
// parsed with the layout, the shared partials, the room's own
// templates/partials/*.html and funcs. Page names are unique across rooms.
func (rt *Router) Templates(fsys fs.FS, funcs template.FuncMap) {
	rt.templates = append(rt.templates, templateSet{fsys: fsys, funcs: funcs})
}

// Handler returns the console with its rooms. The app mounts it at /.
func (w *Web) Handler(rooms ...Room) (http.Handler, error) {
	rt := &Router{mux: http.NewServeMux(), web: w}
	rt.Templates(templateFS, nil)
	rt.mux.Handle("GET /static/", staticHandler())
	rt.mux.Handle("GET /favicon.ico", http.RedirectHandler("/static/favicon.svg", http.StatusMovedPermanently))
	w.authRoutes(rt)
	for _, room := range rooms {
		room.Routes(rt)
	}
	if rt.home == nil {
		// Without the portal, the site's root is the console.
		rt.Public("GET /{$}", func(rw http.ResponseWriter, r *http.Request) error {
			http.Redirect(rw, r, "/console", http.StatusSeeOther)
			return nil
		})
	}
	rt.Public("/", func(rw http.ResponseWriter, r *http.Request) error {
		if rt.notFound != nil && !w.signedIn(r) {
			rt.notFound.ServeHTTP(rw, r)
			return nil
		}
		return errs.NotFoundf("error.not_found")
	})
	if err := w.loadTemplates(rt.templates); err != nil {
		return nil, err
	}
	return rt.mux, nil
}

// adapt turns a HandlerFunc into an http.Handler.
func (w *Web) adapt(h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if err := h(rw, r); err != nil {
			w.Fail(rw, r, err)
		}
	})
}

// Fail shows err as a page in the user's language. A missing session
// sends the browser to the sign-in page and back.
func (w *Web) Fail(rw http.ResponseWriter, r *http.Request, err error) {
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
	p := w.NewPage(r, "error.title", "")
	p.Status = status
	p.Error = w.Catalog.Error(p.Lang, err)
	w.Render(rw, r, status, "error", p)
}

// Session wraps a handler for signed-in staff with the given roles.
func (w *Web) Session(roles []user.Role, h HandlerFunc) http.Handler {
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

// CurrentUser returns the signed-in user of a console request.
func CurrentUser(r *http.Request) user.User {
	u, _ := r.Context().Value(userKey{}).(user.User)
	return u
}

// ActorOf returns the actor of a console request.
func ActorOf(r *http.Request) user.Actor {
	a, _ := httpx.ActorFrom(r.Context())
	return a
}

// Redirect ends a successful POST: the browser GETs the next page, with a
// one-time message in the user's language. args are name/value pairs for
// the message's placeholders ("code", "K7M3P-9QXD2"); they travel in the
// cookie, so never put personal data in them.
func (w *Web) Redirect(rw http.ResponseWriter, r *http.Request, to, flashKey string, args ...string) error {
	if flashKey != "" {
		v := flashKey
		if len(args) > 0 {
			q := url.Values{}
			for i := 0; i+1 < len(args); i += 2 {
				q.Add(args[i], args[i+1])
			}
			v += "|" + q.Encode()
		}
		http.SetCookie(rw, &http.Cookie{Name: flashCookie, Value: v, Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: w.Secure(r)})
	}
	http.Redirect(rw, r, to, http.StatusSeeOther)
	return nil
}

// Secure reports whether cookies must be Secure: the request came over
// TLS, directly or through a trusted proxy.
func (w *Web) Secure(r *http.Request) bool {
	return r.TLS != nil || (w.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https")
}
