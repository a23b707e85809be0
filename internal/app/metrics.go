package app

import (
	"context"
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
// the writer pool, open live streams, each channel account's health and
// send backlog, and client_golang's Go runtime and process collectors.

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
	if a.Relay != nil {
		reg.MustRegister(channelCollector{a})
	}
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

// channelCollector reads every channel account's health at scrape time.
// Labels are the account's id, kind and name; never a user or a secret.
type channelCollector struct{ a *App }

var (
	chanLabels       = []string{"account", "kind", "name"}
	chanEnabled      = prometheus.NewDesc("hotline_channel_enabled", "1 when the channel account is enabled.", chanLabels, nil)
	chanLastInbound  = prometheus.NewDesc("hotline_channel_last_inbound_timestamp_seconds", "When the account last took in a webhook (0: never).", chanLabels, nil)
	chanLastOutbound = prometheus.NewDesc("hotline_channel_last_outbound_timestamp_seconds", "When the account last sent a message (0: never).", chanLabels, nil)
	chanLastError    = prometheus.NewDesc("hotline_channel_last_error_timestamp_seconds", "When a send through the account last failed (0: never).", chanLabels, nil)
	chanTokenExpiry  = prometheus.NewDesc("hotline_channel_token_expiry_timestamp_seconds", "When the account's access token expires (0: unknown or never).", chanLabels, nil)
	chanQueued       = prometheus.NewDesc("hotline_channel_queued_messages", "Messages waiting to be sent through the account.", chanLabels, nil)
	chanOldest       = prometheus.NewDesc("hotline_channel_oldest_queued_age_seconds", "How long the oldest waiting message has waited (0: none).", chanLabels, nil)
)

func (channelCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{chanEnabled, chanLastInbound, chanLastOutbound, chanLastError, chanTokenExpiry, chanQueued, chanOldest} {
		ch <- d
	}
}

func (c channelCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	hs, err := c.a.Relay.Health(ctx)
	if err != nil {
		c.a.Log.Error("metrics: channel health", "error", err.Error())
		return
	}
	unix := func(t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return float64(t.UnixNano()) / 1e9
	}
	now := c.a.Now()
	for _, h := range hs {
		l := []string{strconv.FormatInt(h.ID, 10), string(h.Kind), h.Name}
		enabled := 0.0
		if h.Enabled {
			enabled = 1
		}
		age := 0.0
		if !h.OldestQueued.IsZero() {
			age = now.Sub(h.OldestQueued).Seconds()
		}
		ch <- prometheus.MustNewConstMetric(chanEnabled, prometheus.GaugeValue, enabled, l...)
		ch <- prometheus.MustNewConstMetric(chanLastInbound, prometheus.GaugeValue, unix(h.LastInbound), l...)
		ch <- prometheus.MustNewConstMetric(chanLastOutbound, prometheus.GaugeValue, unix(h.LastOutbound), l...)
		ch <- prometheus.MustNewConstMetric(chanLastError, prometheus.GaugeValue, unix(h.LastErrorAt), l...)
		ch <- prometheus.MustNewConstMetric(chanTokenExpiry, prometheus.GaugeValue, unix(h.TokenExpires), l...)
		ch <- prometheus.MustNewConstMetric(chanQueued, prometheus.GaugeValue, float64(h.Queued), l...)
		ch <- prometheus.MustNewConstMetric(chanOldest, prometheus.GaugeValue, age, l...)
	}
}
