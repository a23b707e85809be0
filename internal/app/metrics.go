package app

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/live"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// Every metric hotline exports is defined here, on the App's own registry
// rather than client_golang's global one, so several Apps in one process
// (tests, or two handlers) never register the same name twice.
//
// The families: requests and latency by route, ticket changes by action,
// the writer pool, open live streams, and client_golang's Go runtime and
// process collectors.

// metricsHandler registers the metrics on a.Metrics, starts counting
// ticket changes, and returns the /metrics handler and the request
// recorder for httpx.Observe. It runs once per App, from Handler.
func (a *App) metricsHandler() (http.Handler, httpx.RecordRequest) {
	reg := a.Metrics
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hotline_http_requests_total",
		Help: "HTTP requests by route pattern, method and status.",
	}, []string{"route", "method", "code"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "hotline_http_request_duration_seconds",
		Help:    "HTTP request latency by route pattern.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route"})
	changes := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hotline_ticket_changes_total",
		Help: "Ticket changes by action.",
	}, []string{"action"})
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		requests, latency, changes,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hotline_db_open_connections",
			Help: "Open connections of the writer pool.",
		}, func() float64 { return float64(a.DB.Stats().OpenConnections) }),
		// Waits only ever add up: a counter, so rate() works on it.
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "hotline_db_waits_total",
			Help: "Times a caller waited for a writer-pool connection.",
		}, func() float64 { return float64(a.DB.Stats().WaitCount) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "hotline_db_wait_seconds_total",
			Help: "Time spent waiting for writer-pool connections.",
		}, func() float64 { return a.DB.Stats().WaitDuration.Seconds() }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hotline_live_subscribers",
			Help: "Open live-update streams.",
		}, func() float64 { return float64(a.Live.Subscribers()) }),
	)
	if a.Tickets != nil {
		a.Tickets.Notify = func(c ticket.Change) {
			changes.WithLabelValues(c.Action).Inc()
			a.Live.Publish(live.Event{Kind: "ticket", TicketID: c.TicketID, Code: c.Code, Action: c.Action, State: string(c.State), AgencyID: c.AgencyID,
				EscalateTo: string(c.EscalateTo)})
		}
	}
	record := func(route, method string, status int, d time.Duration) {
		requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
		latency.WithLabelValues(route).Observe(d.Seconds())
	}
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), record
}
