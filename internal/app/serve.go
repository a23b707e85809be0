package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/hotline-1022/hotline/internal/channel/cti"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/hotline-1022/hotline/internal/api"
	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/live"
	"github.com/hotline-1022/hotline/internal/open311"
	"github.com/hotline-1022/hotline/internal/report"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/view"
	"github.com/hotline-1022/hotline/internal/web"
	"github.com/hotline-1022/hotline/internal/web/admin"
	"github.com/hotline-1022/hotline/internal/web/calls"
	"github.com/hotline-1022/hotline/internal/web/desk"
	"github.com/hotline-1022/hotline/internal/web/monthly"
	"github.com/hotline-1022/hotline/internal/web/notices"
	"github.com/hotline-1022/hotline/internal/web/portal"
	"github.com/hotline-1022/hotline/internal/web/reports"
	"github.com/hotline-1022/hotline/internal/web/review"
)

// Handler returns every HTTP surface behind the shared middleware. It is
// built once: routes and metrics are registered the first time.
func (a *App) Handler() http.Handler {
	a.handlerOnce.Do(func() { a.handler = a.buildHandler() })
	return a.handler
}

func (a *App) buildHandler() http.Handler {
	mux := http.NewServeMux()
	apiv1 := &api.API{Tickets: a.Tickets, Auth: a.Users, Areas: a.Areas, Categories: a.Categories, Agencies: a.Agencies,
		Catalog: a.Catalog, Log: a.Log, Now: a.Now, TrustProxy: a.Cfg.TrustProxy, Province: a.Cfg.Province, Calls: a.Calls}
	apiv1.Public = a.Public
	apiv1.Reports = a.Reports
	apiv1.SLA = a.SLA
	apiv1.Notifications = a.Notifications
	apiv1.Webhooks = a.Webhooks
	if a.Calls != nil {
		apiv1.CTI = &cti.Handler{Accounts: a.Channels, Calls: a.Calls, Live: a.Live, Log: a.Log, Now: a.Now}
	}
	mux.Handle("/api/", apiv1.Handler())
	shell := &web.Web{Users: a.Users, Agencies: a.Agencies, Catalog: a.Catalog, Log: a.Log, Clock: a.Clock, TrustProxy: a.Cfg.TrustProxy}
	if a.Notifications != nil {
		shell.Notices = a.Notifications
	}
	h, err := shell.Handler(
		&desk.Desk{Web: shell, DB: a.DB, Tickets: a.Tickets, Areas: a.Areas, Categories: a.Categories, Rules: a.Routes,
			Replies: a.Replies, Blobs: a.Blobs, Live: a.Live, Province: a.Cfg.Province, Calls: a.Calls,
			Views: view.NewStore(a.DB, a.Now)},
		&review.Review{Web: shell, Tickets: a.Tickets},
		&portal.Portal{Web: shell, Public: a.Public, Tickets: a.Tickets, Categories: a.Categories, Areas: a.Areas, Province: a.Cfg.Province,
			Reports: a.Reports},
		&calls.Calls{Web: shell, Calls: a.Calls, Tickets: a.Tickets, Contacts: a.Contacts},
		&monthly.Monthly{Web: shell, Reports: a.Reports, Categories: a.Categories},
		&reports.Reports{Web: shell, Reports: a.Reports, Categories: a.Categories},
		&admin.Admin{Web: shell, DB: a.DB, Tickets: a.Tickets, Areas: a.Areas, Categories: a.Categories, Rules: a.Routes,
			SLA: a.SLA, Audit: a.Audit, Anchors: audit.AnchorFile(a.Cfg.AnchorFile()), Replies: a.Replies,
			Accounts: a.Channels, Channels: a.channelHealth(), Province: a.Cfg.Province, Webhooks: a.Webhooks, Open311: a.Open311Keys,
			AMI: a.amiStates(), Notifications: a.Notifications},
		&notices.Notices{Web: shell, Store: a.Notifications})
	if err != nil {
		// Templates are embedded: this is a build defect the tests catch.
		panic(err)
	}
	mux.Handle("/", h)
	mux.Handle("/open311/", a.Open311().Handler())
	if a.Relay != nil {
		mux.Handle("/hooks/", a.Relay.Handler())
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", a.ready)
	metrics, record := a.metricsHandler()
	mux.Handle("GET /metrics", metrics)
	return httpx.SecurityHeaders(httpx.Observe(a.Log, record, mux))
}

// amiStates is what the admin channel page reads of the AMI sessions.
func (a *App) amiStates() admin.AMIStates {
	if a.AMI == nil {
		return nil
	}
	return a.AMI
}

// ready answers 200 when the database answers and its schema is the one
// this binary expects, so a load balancer sends no traffic to an instance
// that would fail.
func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.DB.Ping(ctx); err != nil {
		httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "database unreachable"})
		return
	}
	applied, known, err := a.DB.SchemaVersion(ctx)
	if err != nil || applied != known {
		httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "reason": "schema not current", "applied": applied, "expected": known})
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"status": "ready", "schema": applied, "database": string(a.DB.Dialect)})
}

// Runner is background work with an owner: it runs until ctx ends.
type Runner interface {
	Run(ctx context.Context) error
}

// Serve listens on the configured address and serves until ctx ends, then
// shuts down in order: stop taking requests and let those in flight
// finish, stop the runners, chain the last audit events and anchor the
// chain's head, close the database (the caller closes it).
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if a.Tickets == nil {
		return ErrNoSecret
	}
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          nil,
	}
	// Live streams never end by themselves: close them when shutting down.
	srv.RegisterOnShutdown(a.Live.Close)
	runners := map[string]Runner{
		"audit-chainer": &audit.Chainer{Log: a.Audit, Interval: time.Second, OnError: a.runnerError("audit-chainer")},
		"audit-anchorer": &audit.Anchorer{Log: a.Audit, File: audit.AnchorFile(a.Cfg.AnchorFile()), Logger: a.Log, Now: a.Now,
			Interval: time.Minute, OnError: a.runnerError("audit-anchorer")},
		"sla-sweeper":   &ticket.Sweeper{Service: a.Tickets, Interval: 30 * time.Second, OnError: a.runnerError("sla-sweeper")},
		"housekeeping":  housekeeping{a},
		"report-folder": &report.Folder{Store: a.Reports, Interval: 2 * time.Second, OnError: a.runnerError("report-folder")},
		// Stopped with the other runners, after the HTTP server: it finishes
		// the sends in flight before the database closes.
		"queue": a.Queue,
		// Every enabled mailbox account with an imap_addr, IDLE or polled.
		"mailboxes": a.Relay.Mailboxes(),
	}
	if a.AMI != nil {
		runners["ami"] = a.AMI // every enabled Asterisk manager account, reconnecting with backoff
	}
	if a.DB.Dialect == db.Postgres {
		runners["live-bridge"] = live.NewBridge(a.Cfg.DSN(), a.Live, a.Log)
	}
	runCtx, stopRunners := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	for name, r := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.Run(runCtx); err != nil {
				a.Log.Error("runner stopped", "runner", name, "error", err.Error())
			}
		}()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("serving", "addr", ln.Addr().String(), "database", string(a.DB.Dialect))

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	a.Log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		a.Log.Error("http shutdown", "error", err.Error())
	}
	stopRunners()
	wg.Wait()
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	a.Log.Info("stopped")
	return serveErr
}

func (a *App) runnerError(name string) func(error) {
	return func(err error) { a.Log.Error("runner", "runner", name, "error", err.Error()) }
}

// housekeeping purges expired sessions and old sign-in failures, refreshes
// the planner's statistics, and removes attachment files that no
// attachment refers to (an answer refused after its upload), hourly.
type housekeeping struct{ a *App }

func (h housekeeping) Run(ctx context.Context) error {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := h.a.Users.PurgeSessions(ctx); err != nil && ctx.Err() == nil {
			h.a.Log.Error("housekeeping", "error", err.Error())
		}
		if err := h.a.DB.Optimize(ctx); err != nil && ctx.Err() == nil {
			h.a.Log.Error("housekeeping", "error", err.Error())
		}
		if h.a.Tickets != nil {
			used := func(sha string) (bool, error) { return h.a.Tickets.AttachmentStored(ctx, sha) }
			if n, err := h.a.Blobs.Sweep(h.a.Now().Add(-time.Hour), used); err != nil && ctx.Err() == nil {
				h.a.Log.Error("housekeeping", "error", err.Error())
			} else if n > 0 {
				h.a.Log.Info("unreferenced attachment files removed", "files", n)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Listen opens the configured address.
func (a *App) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", a.Cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", a.Cfg.Addr, err)
	}
	return ln, nil
}

// channelHealth is the relay for the channels page, or nil without one
// (a nil *relay.Relay must not become a non-nil interface).
func (a *App) channelHealth() admin.ChannelHealth {
	if a.Relay == nil {
		return nil
	}
	return a.Relay
}

// Open311 is the Open311 GeoReport v2 endpoint on the app's services.
func (a *App) Open311() *open311.Server {
	return &open311.Server{DB: a.DB, Tickets: a.Tickets, Public: a.Public, Categories: a.Categories, Areas: a.Areas,
		Keys: a.Open311Keys, Catalog: a.Catalog, Log: a.Log, Now: a.Now, TrustProxy: a.Cfg.TrustProxy, PostLimit: a.Open311Limit}
}
