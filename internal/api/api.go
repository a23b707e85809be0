// Package api is hotline's JSON REST API under /api/v1: intake, ticket
// lists and every workflow action, reference lists, and the OpenAPI
// document that describes them. The route table below is the one place
// that says which URL does what.
package api

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/call"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/notification"
	"github.com/hotline-1022/hotline/internal/public"
	"github.com/hotline-1022/hotline/internal/report"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/webhook"
)

// Authenticator finds the user behind a bearer token or a session cookie.
type Authenticator interface {
	ByToken(ctx context.Context, secret string) (user.User, error)
	BySession(ctx context.Context, secret string) (user.User, user.Session, error)
}

// API serves /api/v1.
type API struct {
	Tickets    *ticket.Service
	Auth       Authenticator
	Areas      *area.Store
	Categories *category.Store
	Agencies   *agency.Store
	Catalog    *i18n.Catalog
	Log        *slog.Logger
	Now        func() time.Time
	TrustProxy bool
	Province   string // the deployment's province code: area search starts there
	Calls      *call.Store
	CTI        http.Handler    // POST /api/v1/cti/{token}; its token is its authentication
	Public     *public.Service // /api/v1/public/…: the mobile app's submit, track, rate, reopen
	Reports    *report.Store   // GET /api/v1/reports/summary
	SLA        *sla.Store      // /api/v1/calendars, /api/v1/sla-policies (admins)
	// Notifications is /api/v1/notifications: each caller's own.
	Notifications *notification.Store
	// Webhooks is /api/v1/webhooks (admins).
	Webhooks *webhook.Service
}

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Route is one line of the route table.
type Route struct {
	Method  string
	Path    string
	Public  bool // no credentials needed
	handler handlerFunc
}

// Routes is the route table.
func (a *API) Routes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/openapi.json", Public: true, handler: a.openAPI},
		{Method: "GET", Path: "/api/v1/me", handler: a.me},
		{Method: "POST", Path: "/api/v1/tickets", handler: a.createTicket},
		{Method: "GET", Path: "/api/v1/tickets", handler: a.listTickets},
		{Method: "GET", Path: "/api/v1/tickets/{id}", handler: a.getTicket},
		{Method: "POST", Path: "/api/v1/tickets/{id}/reveal", handler: a.reveal},
		{Method: "POST", Path: "/api/v1/tickets/{id}/link-contact", handler: a.linkContact},
		{Method: "POST", Path: "/api/v1/tickets/{id}/{action}", handler: a.act},
		{Method: "POST", Path: "/api/v1/cti/{token}", Public: true, handler: a.cti},
		{Method: "GET", Path: "/api/v1/calls", handler: a.listCalls},
		{Method: "GET", Path: "/api/v1/calls/{id}", handler: a.getCall},
		{Method: "POST", Path: "/api/v1/calls/{id}/callback", handler: a.callback},
		{Method: "GET", Path: "/api/v1/agencies", handler: a.agencies},
		{Method: "GET", Path: "/api/v1/categories", handler: a.categories},
		{Method: "GET", Path: "/api/v1/kinds", handler: a.kinds},
		{Method: "GET", Path: "/api/v1/areas", handler: a.areas},
		{Method: "GET", Path: "/api/v1/exports/tickets.csv", handler: a.exportTickets(csvFormat)},
		{Method: "GET", Path: "/api/v1/exports/tickets.xlsx", handler: a.exportTickets(xlsxFormat)},
		{Method: "POST", Path: "/api/v1/exports/personal/tickets.csv", handler: a.exportIdentities(csvFormat)},
		{Method: "POST", Path: "/api/v1/exports/personal/tickets.xlsx", handler: a.exportIdentities(xlsxFormat)},
		{Method: "POST", Path: "/api/v1/public/tickets", Public: true, handler: a.publicSubmit},
		{Method: "POST", Path: "/api/v1/public/attachments", Public: true, handler: a.publicUpload},
		{Method: "POST", Path: "/api/v1/public/track", Public: true, handler: a.publicTrack},
		{Method: "POST", Path: "/api/v1/public/rate", Public: true, handler: a.publicRate},
		{Method: "POST", Path: "/api/v1/public/reopen", Public: true, handler: a.publicReopen},
		{Method: "GET", Path: "/api/v1/public/categories", Public: true, handler: a.categories},
		{Method: "GET", Path: "/api/v1/public/areas", Public: true, handler: a.areas},
		{Method: "GET", Path: "/api/v1/reports/summary", handler: a.reportSummary},
		{Method: "GET", Path: "/api/v1/calendars", handler: a.listCalendars},
		{Method: "POST", Path: "/api/v1/calendars", handler: a.saveCalendar(true)},
		{Method: "GET", Path: "/api/v1/calendars/{code}", handler: a.getCalendar},
		{Method: "PUT", Path: "/api/v1/calendars/{code}", handler: a.saveCalendar(false)},
		{Method: "GET", Path: "/api/v1/sla-policies", handler: a.listPolicies},
		{Method: "POST", Path: "/api/v1/sla-policies", handler: a.savePolicy(true)},
		{Method: "GET", Path: "/api/v1/sla-policies/{policy}", handler: a.getPolicy},
		{Method: "PUT", Path: "/api/v1/sla-policies/{policy}", handler: a.savePolicy(false)},
		{Method: "GET", Path: "/api/v1/notifications", handler: a.listNotifications},
		{Method: "POST", Path: "/api/v1/notifications/{id}/read", handler: a.readNotification},
		{Method: "GET", Path: "/api/v1/webhooks", handler: a.listWebhooks},
		{Method: "POST", Path: "/api/v1/webhooks", handler: a.saveWebhook(true)},
		{Method: "GET", Path: "/api/v1/webhooks/{webhook}", handler: a.getWebhook},
		{Method: "PUT", Path: "/api/v1/webhooks/{webhook}", handler: a.saveWebhook(false)},
		{Method: "DELETE", Path: "/api/v1/webhooks/{webhook}", handler: a.deleteWebhook},
		{Method: "POST", Path: "/api/v1/webhooks/{webhook}/test", handler: a.queueDelivery("webhook", "webhook.not_found", (*webhook.Service).SendTest)},
		{Method: "GET", Path: "/api/v1/webhooks/{webhook}/deliveries", handler: a.webhookDeliveries},
		{Method: "POST", Path: "/api/v1/webhooks/deliveries/{delivery}/replay", handler: a.queueDelivery("delivery", "webhook.delivery_not_found", (*webhook.Service).Replay)},
	}
}

// Handler returns the API's handler, to be mounted at /api/.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range a.Routes() {
		h := a.adapt(rt.handler)
		if !rt.Public {
			h = a.authenticate(h)
		}
		mux.Handle(rt.Method+" "+rt.Path, h)
	}
	mux.Handle("/api/", a.adapt(func(w http.ResponseWriter, r *http.Request) error {
		return errs.NotFoundf("error.not_found")
	}))
	return mux
}

// adapt turns a handler that returns an error into an http.Handler that
// writes that error as JSON.
func (a *API) adapt(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// ErrorBody is the JSON error format: {"error":{"code","message","field"}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// Fields is, for a form with several fields at fault, each of them.
	Fields []ErrorDetail `json:"fields,omitempty"`
}

func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := errs.As(err)
	status := httpx.Status(e.Code)
	if status >= 500 {
		a.Log.Error("api error", "request_id", httpx.RequestID(r.Context()), "route", r.Pattern, "error", err.Error())
	}
	if e.Code == errs.Unauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="hotline"`)
	}
	retryAfter(w, err)
	body := ErrorBody{Error: ErrorDetail{Code: string(e.Code), Message: a.Catalog.Error(lang(r), err), Field: e.Field}}
	var fields public.FieldErrors
	if errors.As(err, &fields) {
		// Every field at fault, for a form that marks each one.
		for _, name := range slices.Sorted(maps.Keys(fields)) {
			fe := errs.As(fields[name])
			body.Error.Fields = append(body.Error.Fields, ErrorDetail{Code: string(fe.Code), Message: a.Catalog.Error(lang(r), fe), Field: name})
		}
		body.Error.Field = body.Error.Fields[0].Field
		body.Error.Message = body.Error.Fields[0].Message
	}
	httpx.WriteJSON(w, status, body)
}

// lang is the language of messages for a request: Accept-Language, with
// Vietnamese as the default.
func lang(r *http.Request) i18n.Lang {
	if l, ok := i18n.ParseLang(r.URL.Query().Get("lang")); ok {
		return l
	}
	return i18n.Negotiate(r.Header.Get("Accept-Language"))
}

// SessionCookie is the name of the staff console's session cookie; the
// console's own JavaScript calls the API with it.
const SessionCookie = "hotline_session"

// authenticate resolves a bearer token, or a session cookie with a CSRF
// header for unsafe methods, into an actor in the request context.
func (a *API) authenticate(next http.Handler) http.Handler {
	return a.adapt(func(w http.ResponseWriter, r *http.Request) error {
		ip := httpx.ClientIP(r, a.TrustProxy)
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, secret, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") || secret == "" {
				return errs.E(errs.Unauthorized, "auth.token_invalid")
			}
			u, err := a.Auth.ByToken(r.Context(), strings.TrimSpace(secret))
			if err != nil {
				return err
			}
			next.ServeHTTP(w, r.WithContext(httpx.WithActor(r.Context(), u.Actor(ip))))
			return nil
		}
		if c, err := r.Cookie(SessionCookie); err == nil {
			u, s, err := a.Auth.BySession(r.Context(), c.Value)
			if err != nil {
				return err
			}
			if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Header.Get("X-CSRF-Token") != s.CSRF {
				return errs.E(errs.Forbidden, "auth.csrf_invalid")
			}
			ctx := httpx.WithSession(httpx.WithActor(r.Context(), u.Actor(ip)), s)
			next.ServeHTTP(w, r.WithContext(ctx))
			return nil
		}
		return errs.E(errs.Unauthorized, "auth.token_required")
	})
}

func actor(r *http.Request) user.Actor {
	a, _ := httpx.ActorFrom(r.Context())
	return a
}

func (a *API) me(w http.ResponseWriter, r *http.Request) error {
	act := actor(r)
	out := map[string]any{"id": act.UserID, "name": act.Name, "role": act.Role}
	if act.AgencyID != 0 {
		if ag, err := a.Agencies.Get(r.Context(), act.AgencyID); err == nil {
			out["agency"] = map[string]string{"code": ag.Code, "name": ag.Name}
		}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
