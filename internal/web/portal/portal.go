// Package portal is the citizens' website: the home page with the ways to
// reach the hotline, /submit (a report with a photo, working without
// JavaScript), /track (the public timeline by tracking code and the
// phone's last four digits or the e-mail, with the rating and reopen
// forms) and /answers (the published, anonymised answers). It speaks
// Vietnamese by default and English on request, fits a 390 px phone, and
// answers a page not found for visitors who are not signed in. It acts on
// tickets only through internal/public, as the "web" channel.
package portal

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"net/http"

	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/public"
	"github.com/hotline-1022/hotline/internal/report"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web"
)

//go:embed templates
var templates embed.FS

// pwa is what makes the portal installable: the manifest and the service
// worker, served from the root so that the worker's scope is the site.
//
//go:embed pwa
var pwa embed.FS

// Portal is the public website's room.
type Portal struct {
	*web.Web
	Public     *public.Service
	Tickets    *ticket.Service // published answers
	Categories *category.Store
	Areas      *area.Store
	Province   string        // the deployment's province: the ward list is its wards
	Reports    *report.Store // the public statistics

	statsCache statsCache
}

// Routes registers the portal's pages. Every page is public; forms carry
// a double-submit CSRF token since visitors have no session.
func (p *Portal) Routes(rt *web.Router) {
	rt.Templates(templates, template.FuncMap{"fe": func(p *web.Page, name string) fieldRef { return fieldRef{P: p, Name: name} }})
	rt.Home(p.adapt(p.home))
	rt.Handle("GET /submit", p.adapt(p.submitForm))
	rt.Handle("POST /submit", p.adapt(p.submit))
	rt.Handle("GET /track", p.adapt(p.trackForm))
	rt.Handle("POST /track", p.adapt(p.track))
	rt.Handle("POST /track/rate", p.adapt(p.rate))
	rt.Handle("POST /track/reopen", p.adapt(p.reopen))
	rt.Handle("GET /answers", p.adapt(p.answers))
	rt.Handle("GET /answers/{id}", p.adapt(p.answer))
	rt.Handle("GET /stats", p.adapt(p.stats))
	rt.Handle("GET /manifest.webmanifest", pwaFile("pwa/manifest.webmanifest", "application/manifest+json"))
	rt.Handle("GET /sw.js", pwaFile("pwa/sw.js", "text/javascript; charset=utf-8"))
	rt.NotFound(p.adapt(func(w http.ResponseWriter, r *http.Request) error {
		return errs.NotFoundf("portal.not_found")
	}))
}

// pwaFile serves an embedded file; browsers check the worker for updates
// themselves, so a short cache suffices.
func pwaFile(name, contentType string) http.Handler {
	b, err := pwa.ReadFile(name)
	if err != nil {
		panic(err) // embedded: a build defect
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(b)
	})
}

// adapt renders a handler's error as a portal page in the visitor's
// language, never as the console's.
func (p *Portal) adapt(h web.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil || errors.Is(err, context.Canceled) {
			return
		}
		e := errs.As(err)
		status := httpx.Status(e.Code)
		if status >= 500 {
			p.Log.Error("portal error", "request_id", httpx.RequestID(r.Context()), "route", r.Pattern, "error", err.Error())
		}
		pg := p.page(w, r, "portal.error_title")
		if e.Code == errs.NotFound {
			pg.Title = "portal.not_found_title"
		}
		pg.Error = p.Catalog.Error(pg.Lang, err)
		p.Render(w, r, status, "portal_error", pg)
	})
}

// fieldRef is a form field's name with its page, for the partial that
// shows the field's error.
type fieldRef struct {
	P    *web.Page
	Name string
}

// csrfCookie holds the double-submit token of the portal's forms.
const csrfCookie = "hotline_portal_csrf"

// page prepares a portal page with the visitor's form token: the one in
// their cookie, or a new one set now.
func (p *Portal) page(w http.ResponseWriter, r *http.Request, title string) *web.Page {
	pg := p.NewPage(r, title, "")
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		pg.CSRF = c.Value
	} else {
		pg.CSRF = web.RandomToken()
		http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: pg.CSRF, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: p.Secure(r)})
	}
	return pg
}

// checkCSRF refuses a form whose token is not the visitor's cookie.
func checkCSRF(r *http.Request) error {
	c, err := r.Cookie(csrfCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		return errs.E(errs.Forbidden, "portal.csrf_invalid")
	}
	return nil
}

// channelInfo is one way to reach the hotline, shown on the home page.
type channelInfo struct {
	Key  string       // catalogue key of its name and how to use it
	Href template.URL // a link, when there is one (tel: is not a URL html/template trusts)
}

func (p *Portal) home(w http.ResponseWriter, r *http.Request) error {
	pg := p.page(w, r, "")
	pg.Nav = "home"
	pg.Data = []channelInfo{
		{Key: "phone", Href: "tel:1022"}, {Key: "web", Href: "/submit"}, {Key: "zalo"}, {Key: "messenger"},
		{Key: "viber"}, {Key: "email"}, {Key: "app"},
	}
	p.Render(w, r, http.StatusOK, "portal_home", pg)
	return nil
}
