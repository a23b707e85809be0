// Package metrics is a small, dependency-free Prometheus registry.
//
// It supports counters, gauges, histograms and scrape-time gauge and counter
// functions, and writes them in the Prometheus text exposition format,
// version 0.0.4. It exists so that hotline does not need
// prometheus/client_golang and its dependency tree for a handful of metrics.
//
// Registration mistakes (a bad name, a duplicate, a wrong number of label
// values) are programming errors and panic, so they surface at start-up or in
// the first test that touches the code path.
//
// Typical use:
//
//	reg := metrics.NewRegistry()
//	reqs := reg.Counter("hotline_http_requests_total", "HTTP requests served.", "route", "code")
//	reqs.With("GET /tickets", "200").Inc()
//	mux.Handle("GET /metrics", reg.Handler())
package metrics

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// ContentType is the media type of the text exposition format written by
// Registry.WriteTo.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// DefBuckets are the default histogram buckets, in seconds. They suit request
// latencies from a few milliseconds to ten seconds.
var DefBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// family is one registered metric: its HELP and TYPE lines and all its series.
type family interface {
	// appendText appends the family in the text format. It returns b
	// unchanged when the family has no series to show.
	appendText(b []byte) []byte
}

// Registry holds metric families and writes them for Prometheus to scrape.
// The zero value is not usable; call NewRegistry. A Registry is safe for
// concurrent use.
type Registry struct {
	mu       sync.Mutex
	families map[string]family // by family name
	taken    map[string]bool   // every sample name in use, e.g. x, x_bucket, x_sum, x_count
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{
		families: make(map[string]family),
		taken:    make(map[string]bool),
	}
}

// Counter registers a counter family and returns it. A counter only goes up;
// by convention its name ends in _total. Without label names the single
// series exists (at 0) from the start.
//
// It panics if the name or a label name is invalid or the name is taken.
func (r *Registry) Counter(name, help string, labelNames ...string) *CounterVec {
	v := &CounterVec{meta: newMeta(name, help, "counter", labelNames)}
	v.series.init(v.labelNames, newCounter)
	r.register(name, v, name)
	return v
}

// Gauge registers a gauge family and returns it. A gauge goes up and down.
// Without label names the single series exists (at 0) from the start.
//
// It panics if the name or a label name is invalid or the name is taken.
func (r *Registry) Gauge(name, help string, labelNames ...string) *GaugeVec {
	v := &GaugeVec{meta: newMeta(name, help, "gauge", labelNames)}
	v.series.init(v.labelNames, newGauge)
	r.register(name, v, name)
	return v
}

// Histogram registers a histogram family and returns it. buckets are the
// upper bounds, inclusive, in increasing order; the +Inf bucket is implicit.
// Nil or empty buckets mean DefBuckets. The buckets are copied.
//
// It panics if the name or a label name is invalid, a label is named "le",
// the buckets are not strictly increasing, or any of name, name_bucket,
// name_sum and name_count is taken.
func (r *Registry) Histogram(name, help string, buckets []float64, labelNames ...string) *HistogramVec {
	if slices.Contains(labelNames, "le") {
		panic(fmt.Sprintf("metrics: histogram %q: label name \"le\" is reserved", name))
	}
	upper := checkBuckets(name, buckets)
	v := &HistogramVec{meta: newMeta(name, help, "histogram", labelNames), upper: upper}
	v.series.init(v.labelNames, func() *Histogram { return newHistogram(upper) })
	r.register(name, v, name, name+"_bucket", name+"_sum", name+"_count")
	return v
}

// GaugeFunc registers a gauge whose value is fn's result at scrape time, for
// values owned elsewhere such as open database connections or queue depth.
// fn must be safe to call from any goroutine and should be quick: it runs
// on every scrape.
//
// It panics if the name is invalid or taken.
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	r.register(name, newFuncFamily(name, help, "gauge", fn), name)
}

// CounterFunc registers a counter whose value is fn's result at scrape time,
// for monotonic totals kept elsewhere such as the runtime's GC cycle count.
// The same rules as GaugeFunc apply.
func (r *Registry) CounterFunc(name, help string, fn func() float64) {
	r.register(name, newFuncFamily(name, help, "counter", fn), name)
}

// register adds f under name, reserving the sample names it will expose.
func (r *Registry) register(name string, f family, sampleNames ...string) {
	if !validMetricName(name) {
		panic(fmt.Sprintf("metrics: invalid metric name %q", name))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range sampleNames {
		if r.taken[s] {
			panic(fmt.Sprintf("metrics: metric name %q registered twice", s))
		}
	}
	for _, s := range sampleNames {
		r.taken[s] = true
	}
	r.families[name] = f
}

// WriteTo writes every family in the text exposition format: families sorted
// by name, series within a family sorted by label values. Families with
// labels but no series yet are left out. The output is built in memory and
// written with one Write call.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(r.appendText(nil))
	return int64(n), err
}

// appendText appends the whole exposition to b.
func (r *Registry) appendText(b []byte) []byte {
	// Snapshot under the lock, then write without it: a GaugeFunc may be
	// slow, and must be free to use the registry itself.
	type named struct {
		name string
		f    family
	}
	r.mu.Lock()
	fams := make([]named, 0, len(r.families))
	for name, f := range r.families {
		fams = append(fams, named{name, f})
	}
	r.mu.Unlock()

	slices.SortFunc(fams, func(a, b named) int { return strings.Compare(a.name, b.name) })
	for _, nf := range fams {
		b = nf.f.appendText(b)
	}
	return b
}

// Handler returns an http.Handler that serves the exposition with
// Content-Type ContentType. Route it with a method pattern such as
// "GET /metrics"; the handler itself accepts any method.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		body := r.appendText(nil)
		h := w.Header()
		h.Set("Content-Type", ContentType)
		h.Set("Content-Length", strconv.Itoa(len(body)))
		// A failed write means the scraper went away; there is no one left
		// to tell.
		_, _ = w.Write(body)
	})
}

// meta is what every family has: name, help, type and label names.
type meta struct {
	name       string
	help       string
	typ        string
	labelNames []string
}

// newMeta validates the label names and copies them, so the caller's slice
// may be reused.
func newMeta(name, help, typ string, labelNames []string) meta {
	seen := make(map[string]bool, len(labelNames))
	for _, l := range labelNames {
		if !validLabelName(l) {
			panic(fmt.Sprintf("metrics: %s: invalid label name %q", name, l))
		}
		if seen[l] {
			panic(fmt.Sprintf("metrics: %s: label name %q repeated", name, l))
		}
		seen[l] = true
	}
	return meta{name: name, help: help, typ: typ, labelNames: slices.Clone(labelNames)}
}

// appendHeader appends the # HELP and # TYPE lines.
func (m *meta) appendHeader(b []byte) []byte {
	b = append(b, "# HELP "...)
	b = append(b, m.name...)
	b = append(b, ' ')
	b = appendEscapedHelp(b, m.help)
	b = append(b, "\n# TYPE "...)
	b = append(b, m.name...)
	b = append(b, ' ')
	b = append(b, m.typ...)
	return append(b, '\n')
}

// funcFamily is a single unlabelled series whose value comes from a function.
type funcFamily struct {
	meta
	fn func() (float64, bool)
}

func newFuncFamily(name, help, typ string, fn func() float64) *funcFamily {
	return &funcFamily{
		meta: newMeta(name, help, typ, nil),
		fn:   func() (float64, bool) { return fn(), true },
	}
}

func (f *funcFamily) appendText(b []byte) []byte {
	v, ok := f.fn()
	if !ok {
		return b
	}
	b = f.appendHeader(b)
	return appendSample(b, f.name, nil, nil, v)
}

// checkBuckets validates histogram bounds and returns a copy without a
// trailing +Inf, which every histogram has implicitly.
func checkBuckets(name string, buckets []float64) []float64 {
	if len(buckets) == 0 {
		buckets = DefBuckets
	}
	upper := slices.Clone(buckets)
	if n := len(upper); math.IsInf(upper[n-1], +1) {
		upper = upper[:n-1]
	}
	for i, u := range upper {
		if math.IsNaN(u) {
			panic(fmt.Sprintf("metrics: histogram %q: NaN bucket", name))
		}
		if i > 0 && u <= upper[i-1] {
			panic(fmt.Sprintf("metrics: histogram %q: buckets not strictly increasing at %v", name, u))
		}
	}
	return upper
}
