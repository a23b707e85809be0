// Package loadtest is the engine behind `hotline loadtest`: it submits
// realistic citizen reports to a running hotline through POST
// /api/v1/tickets from a number of concurrent workers for a fixed time, and
// reports throughput and latency percentiles.
//
// A run goes like this:
//
//  1. It asks the target for its category codes and searches its areas for
//     ward codes, so that the reports exercise classification and routing
//     as real ones do. If either is unavailable, reports go without it and
//     the result says so.
//  2. Each worker sends one report after the other, each waiting for the
//     answer before the next (a closed loop), for Warmup and then Duration.
//     Requests that complete during the warmup are sent but not counted.
//  3. At the deadline workers start no new request. A request still in
//     flight is counted if it completes within 5 s after the deadline, and
//     abandoned (cancelled, reported as Abandoned, not counted) otherwise,
//     so that a stalled server cannot hold the run forever.
//
// With Config.Zalo set, workers post signed Zalo OA webhooks (text
// messages from new and returning citizens) to a channel account's
// webhook instead, so that the intake of a chat platform is measured from
// a separate process too.
//
// Reports come from Generator, which other tools (the demo seeder) reuse.
package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults and fixed timings of a run.
const (
	DefaultConcurrency = 8
	DefaultDuration    = 10 * time.Second

	// drainGrace is how long after the deadline in-flight requests may
	// still complete and be counted.
	drainGrace = 5 * time.Second
	// progressEvery is the interval of the progress lines on Config.Out.
	progressEvery = 5 * time.Second
	// maxSample is how many distinct error messages a Result keeps.
	maxSample = 5
)

// Config describes a run.
type Config struct {
	Target      string        // base URL, e.g. http://127.0.0.1:8080
	Token       string        // API token, sent as "Authorization: Bearer <token>"
	Concurrency int           // workers, each with one request in flight; default 8
	Duration    time.Duration // measured time, after the warmup; default 10s
	Warmup      time.Duration // requests completing during warmup are sent but not counted; default 0
	Seed        int64         // for reproducible content; 0 = time-based
	Client      *http.Client  // nil: a tuned client (MaxIdleConnsPerHost = Concurrency, timeouts)
	Out         io.Writer     // progress lines every 5 s (optional)
	// Zalo, when set, posts signed Zalo webhooks instead of API reports;
	// no token is needed then.
	Zalo *Zalo

	// Tests shorten the fixed timings; zero means the defaults.
	grace, progressEvery time.Duration
}

// validate fills in the defaults and checks the rest.
func (c Config) validate() (Config, error) {
	u, err := url.Parse(c.Target)
	switch {
	case c.Target == "":
		return c, errors.New("loadtest: a target URL is required")
	case err != nil:
		return c, fmt.Errorf("loadtest: target %q is not a URL: %v", c.Target, err)
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "":
		return c, fmt.Errorf("loadtest: target %q must be an http:// or https:// URL with a host", c.Target)
	case u.RawQuery != "" || u.Fragment != "":
		return c, fmt.Errorf("loadtest: target %q must be a base URL without query or fragment", c.Target)
	case strings.TrimSpace(c.Token) == "" && c.Zalo == nil:
		return c, errors.New("loadtest: an API token is required")
	case c.Concurrency < 0:
		return c, fmt.Errorf("loadtest: concurrency must be positive, not %d", c.Concurrency)
	case c.Duration < 0:
		return c, fmt.Errorf("loadtest: duration must be positive, not %s", c.Duration)
	case c.Warmup < 0:
		return c, fmt.Errorf("loadtest: warmup must not be negative, not %s", c.Warmup)
	}
	if c.Zalo != nil {
		if err := c.Zalo.validate(); err != nil {
			return c, err
		}
	}
	c.Target = strings.TrimRight(c.Target, "/")
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.Seed == 0 {
		c.Seed = time.Now().UnixNano()
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	if c.grace == 0 {
		c.grace = drainGrace
	}
	if c.progressEvery == 0 {
		c.progressEvery = progressEvery
	}
	return c, nil
}

// Run drives the target as described in the package comment and returns
// what it measured.
//
// It returns an error only for a bad Config, when the very first request
// (the category list) cannot reach the target, or when ctx ends before the
// workers start. Every later failure is counted in the Result. Cancelling ctx ends the run early: in-flight
// requests are abandoned at once and the Result covers the time until then.
func Run(ctx context.Context, cfg Config) (Result, error) {
	cfg, err := cfg.validate()
	if err != nil {
		return Result{}, err
	}
	client := cfg.Client
	if client == nil {
		client = newClient(cfg.Concurrency)
		defer client.CloseIdleConnections()
	}
	a := &api{http: client, base: cfg.Target, token: cfg.Token}
	var categories, areas, notes []string
	what := ""
	if cfg.Zalo == nil {
		if categories, areas, notes, err = a.discover(ctx); err != nil {
			return Result{}, err
		}
		what = fmt.Sprintf("%d categories, %d wards", len(categories), len(areas))
	} else {
		if err := a.reachable(ctx); err != nil {
			return Result{}, err
		}
		what = fmt.Sprintf("Zalo webhooks to channel %d, %d%% from returning citizens", cfg.Zalo.Channel, cfg.Zalo.Returning)
	}

	warm := ""
	if cfg.Warmup > 0 {
		warm = fmt.Sprintf(" after %s warmup", cfg.Warmup)
	}
	fmt.Fprintf(cfg.Out, "loadtest: %s, %d workers, %s%s, seed %d, %s\n",
		cfg.Target, cfg.Concurrency, cfg.Duration, warm, cfg.Seed, what)
	for _, n := range notes {
		fmt.Fprintf(cfg.Out, "loadtest: note: %s\n", n)
	}

	r := &run{
		api:        a,
		categories: categories,
		areas:      areas,
		start:      time.Now(),
	}
	r.warmupEnd = r.start.Add(cfg.Warmup)
	r.deadline = r.warmupEnd.Add(cfg.Duration)
	reqCtx, cancel := context.WithDeadline(ctx, r.deadline.Add(cfg.grace))
	defer cancel()
	var cancelledAt atomic.Int64
	defer context.AfterFunc(ctx, func() { cancelledAt.Store(time.Now().UnixNano()) })()

	workers := make([]*worker, cfg.Concurrency)
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{run: r, gen: newGenerator(cfg.Seed, uint64(i)), status: make(map[int]int)}
		if cfg.Zalo != nil {
			w.zalo = newZaloSender(cfg.Zalo, r.start, i)
		}
		workers[i] = w
		wg.Go(func() { w.loop(ctx, reqCtx) })
	}
	stopProgress := r.progress(cfg.Out, cfg.progressEvery)
	wg.Wait()
	stopProgress()

	end := r.deadline
	at := cancelledAt.Load()
	if at == 0 && ctx.Err() != nil {
		// AfterFunc runs its function in a goroutine of its own: the
		// workers may all have seen the cancellation and returned before
		// it stored the time. The cancellation was no later than now.
		at = time.Now().UnixNano()
	}
	if at != 0 && time.Unix(0, at).Before(end) {
		end = time.Unix(0, at)
	}
	res := Result{
		Target:      cfg.Target,
		Concurrency: cfg.Concurrency,
		Seed:        cfg.Seed,
		Status:      make(map[int]int),
		Categories:  len(categories),
		Areas:       len(areas),
		Webhooks:    cfg.Zalo != nil,
		Notes:       append(notes, r.notes...),
		Sample:      r.sample,
	}
	var latencies []time.Duration
	for _, w := range workers {
		res.Requests += len(w.latencies)
		res.Errors += w.errors
		res.Abandoned += w.abandoned
		for s, n := range w.status {
			res.Status[s] += n
		}
		latencies = append(latencies, w.latencies...)
		if w.last.After(end) {
			end = w.last
		}
	}
	res.Elapsed = max(end.Sub(r.warmupEnd), 0)
	if res.Elapsed > 0 {
		res.Throughput = float64(res.Requests-res.Errors) / res.Elapsed.Seconds()
	}
	slices.Sort(latencies)
	res.P50, res.P95, res.P99 = percentile(latencies, 50), percentile(latencies, 95), percentile(latencies, 99)
	if len(latencies) > 0 {
		res.Max = latencies[len(latencies)-1]
	}
	return res, nil
}

// run is the state the workers of one run share.
type run struct {
	api                        *api
	categories, areas          []string
	start, warmupEnd, deadline time.Time

	// For the progress lines.
	sent, counted, failed atomic.Int64

	// checked is set by the first worker to see a 2xx, which then checks
	// that the answer looks like a created ticket.
	checked atomic.Bool

	mu     sync.Mutex
	sample []string // distinct error messages, at most maxSample
	notes  []string
}

// note records a distinct error message for the sample.
func (r *run) note(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.sample) < maxSample && !slices.Contains(r.sample, msg) {
		r.sample = append(r.sample, msg)
	}
}

// checkCreated looks at one 2xx answer: a target that is not hotline (a
// proxy's page, another service) answers 2xx without a tracking code, or
// to a webhook without hotline's {"status":"ok"}, and its throughput
// would mean nothing.
func (r *run) checkCreated(body []byte, webhook bool) {
	var t struct {
		Code string `json:"code"`
	}
	switch {
	case webhook && checkHook(body):
		return
	case !webhook && json.Unmarshal(body, &t) == nil && t.Code != "":
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if webhook {
		r.notes = append(r.notes, `the target answered a webhook 2xx without {"status":"ok"}: is it hotline?`)
		return
	}
	r.notes = append(r.notes, "the target answered 2xx without a ticket code: is it a hotline API?")
}

// progress prints a line on out every interval until the returned function
// is called; that function returns once printing has stopped.
func (r *run) progress(out io.Writer, interval time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		// The rate is over the time since the previous line, or since
		// the end of the warmup for the first line after it.
		var lastCounted int64
		lastAt := r.warmupEnd
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				if now.Before(r.warmupEnd) {
					fmt.Fprintf(out, "loadtest: warmup, %d requests sent\n", r.sent.Load())
					continue
				}
				c := r.counted.Load()
				fmt.Fprintf(out, "loadtest: %3.0fs  %d requests  %d errors  %.0f req/s\n",
					now.Sub(r.warmupEnd).Seconds(), c, r.failed.Load(),
					float64(c-lastCounted)/max(now.Sub(lastAt), time.Millisecond).Seconds())
				lastCounted, lastAt = c, now
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// worker sends reports one after the other. Its counters are its own, so
// workers share nothing on the hot path but a few atomic counters.
type worker struct {
	*run
	gen  *Generator
	zalo *zaloSender // set when the run posts Zalo webhooks

	latencies []time.Duration // of counted requests
	status    map[int]int
	errors    int
	abandoned int
	last      time.Time // when the last counted request completed
}

// loop sends reports until the deadline or until ctx is cancelled. Requests
// run under reqCtx, which ends drainGrace after the deadline.
func (w *worker) loop(ctx, reqCtx context.Context) {
	for ctx.Err() == nil && time.Now().Before(w.deadline) {
		var post func() (int, string, []byte)
		if w.zalo != nil {
			body, signature := w.zalo.next(w.gen, time.Now())
			post = func() (int, string, []byte) {
				return w.api.postZalo(reqCtx, w.zalo.z.Channel, body, signature, !w.checked.Load())
			}
		} else {
			body, err := json.Marshal(w.gen.Report(w.categories, w.areas))
			if err != nil {
				panic(err) // a map of strings always marshals
			}
			post = func() (int, string, []byte) { return w.api.postTicket(reqCtx, body, !w.checked.Load()) }
		}
		began := time.Now()
		w.sent.Add(1)
		status, problem, created := post()
		done := time.Now()
		if status == 0 && reqCtx.Err() != nil {
			// Cut off by the grace period or by the caller: not a
			// measurement of the target.
			w.abandoned++
			return
		}
		if done.Before(w.warmupEnd) {
			continue
		}
		w.latencies = append(w.latencies, done.Sub(began))
		w.status[status]++
		w.last = done
		w.counted.Add(1)
		if problem != "" {
			w.errors++
			w.failed.Add(1)
			w.note(problem)
		} else if created != nil && w.checked.CompareAndSwap(false, true) {
			w.checkCreated(created, w.zalo != nil)
		}
	}
}
