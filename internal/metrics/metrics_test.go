package metrics

import (
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestWriteTo(t *testing.T) {
	tests := []struct {
		name  string
		setup func(r *Registry)
		want  string
	}{
		{
			name: "counter without labels starts at zero",
			setup: func(r *Registry) {
				r.Counter("hotline_reports_total", "Reports received.")
			},
			want: `# HELP hotline_reports_total Reports received.
# TYPE hotline_reports_total counter
hotline_reports_total 0
`,
		},
		{
			name: "counter adds whole and fractional amounts",
			setup: func(r *Registry) {
				c := r.Counter("hotline_reports_total", "Reports received.").With()
				c.Inc()
				c.Add(2)
				c.Add(0.5)
			},
			want: `# HELP hotline_reports_total Reports received.
# TYPE hotline_reports_total counter
hotline_reports_total 3.5
`,
		},
		{
			name: "gauge with labels needing escaping",
			setup: func(r *Registry) {
				g := r.Gauge("hotline_queue_depth", "Jobs waiting.\nPer \"queue\", see C:\\docs.", "queue")
				g.With(`say "hi"`).Set(2)
				g.With("a\\b\nc").Set(-1.5)
			},
			want: `# HELP hotline_queue_depth Jobs waiting.\nPer "queue", see C:\\docs.
# TYPE hotline_queue_depth gauge
hotline_queue_depth{queue="a\\b\nc"} -1.5
hotline_queue_depth{queue="say \"hi\""} 2
`,
		},
		{
			name: "histogram buckets are cumulative and inclusive, le comes last",
			setup: func(r *Registry) {
				h := r.Histogram("hotline_http_request_duration_seconds", "Request latency.",
					[]float64{0.25, 0.5, 1}, "method", "route")
				for _, x := range []float64{0.125, 0.25, 0.75, 3} {
					h.With("GET", "/tickets").Observe(x)
				}
				h.With("DELETE", "/tickets").Observe(1)
			},
			want: `# HELP hotline_http_request_duration_seconds Request latency.
# TYPE hotline_http_request_duration_seconds histogram
hotline_http_request_duration_seconds_bucket{method="DELETE",route="/tickets",le="0.25"} 0
hotline_http_request_duration_seconds_bucket{method="DELETE",route="/tickets",le="0.5"} 0
hotline_http_request_duration_seconds_bucket{method="DELETE",route="/tickets",le="1"} 1
hotline_http_request_duration_seconds_bucket{method="DELETE",route="/tickets",le="+Inf"} 1
hotline_http_request_duration_seconds_sum{method="DELETE",route="/tickets"} 1
hotline_http_request_duration_seconds_count{method="DELETE",route="/tickets"} 1
hotline_http_request_duration_seconds_bucket{method="GET",route="/tickets",le="0.25"} 2
hotline_http_request_duration_seconds_bucket{method="GET",route="/tickets",le="0.5"} 2
hotline_http_request_duration_seconds_bucket{method="GET",route="/tickets",le="1"} 3
hotline_http_request_duration_seconds_bucket{method="GET",route="/tickets",le="+Inf"} 4
hotline_http_request_duration_seconds_sum{method="GET",route="/tickets"} 4.125
hotline_http_request_duration_seconds_count{method="GET",route="/tickets"} 4
`,
		},
		{
			name: "unlabelled histogram with default buckets and a trailing +Inf dropped",
			setup: func(r *Registry) {
				r.Histogram("job_seconds", "Job run time.", append(DefBuckets[:3:3], math.Inf(+1)))
			},
			want: `# HELP job_seconds Job run time.
# TYPE job_seconds histogram
job_seconds_bucket{le="0.005"} 0
job_seconds_bucket{le="0.01"} 0
job_seconds_bucket{le="0.025"} 0
job_seconds_bucket{le="+Inf"} 0
job_seconds_sum 0
job_seconds_count 0
`,
		},
		{
			name: "labelled family without series is left out",
			setup: func(r *Registry) {
				r.Counter("a_total", "A.", "kind")
				r.Gauge("b", "B.", "kind")
				r.Histogram("c", "C.", nil, "kind")
			},
			want: "",
		},
		{
			name: "families sorted by name, special values spelled out",
			setup: func(r *Registry) {
				r.GaugeFunc("zz_open_connections", "Open DB connections.", func() float64 { return 7 })
				r.CounterFunc("mm_gc_total", "GC cycles.", func() float64 { return 1234567 })
				g := r.Gauge("aa_values", "Odd values.", "v")
				g.With("inf").Set(math.Inf(+1))
				g.With("nan").Set(math.NaN())
				g.With("neg_inf").Set(math.Inf(-1))
				g.With("tiny").Set(1e-9)
			},
			want: `# HELP aa_values Odd values.
# TYPE aa_values gauge
aa_values{v="inf"} +Inf
aa_values{v="nan"} NaN
aa_values{v="neg_inf"} -Inf
aa_values{v="tiny"} 1e-09
# HELP mm_gc_total GC cycles.
# TYPE mm_gc_total counter
mm_gc_total 1.234567e+06
# HELP zz_open_connections Open DB connections.
# TYPE zz_open_connections gauge
zz_open_connections 7
`,
		},
		{
			name: "gauge operations",
			setup: func(r *Registry) {
				g := r.Gauge("g", "G.").With()
				g.Set(10)
				g.Inc()
				g.Dec()
				g.Dec()
				g.Add(2.5)
				g.Sub(0.25)
			},
			want: `# HELP g G.
# TYPE g gauge
g 11.25
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRegistry()
			tt.setup(r)
			if got := mustWrite(t, r); got != tt.want {
				t.Errorf("exposition:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestWriteToReportsWriteError(t *testing.T) {
	r := NewRegistry()
	r.Counter("x_total", "X.")
	wantErr := errors.New("broken pipe")
	if _, err := r.WriteTo(failWriter{wantErr}); !errors.Is(err, wantErr) {
		t.Fatalf("WriteTo error = %v, want %v", err, wantErr)
	}
}

func TestConcurrentUpdatesAreExact(t *testing.T) {
	const goroutines, perGoroutine = 64, 1000
	// Each goroutine also looks up series by label values, so that series
	// creation races with other goroutines' lookups and increments.
	labels := [][]string{{"zalo"}, {"email"}, {"phone"}}
	total := float64(goroutines * perGoroutine)

	tests := []struct {
		name   string
		update func(r *Registry) (step func(i int), total func() float64)
		want   float64
	}{
		{
			name: "counter Inc",
			update: func(r *Registry) (func(int), func() float64) {
				v := r.Counter("c_total", "C.", "channel")
				return func(i int) { v.With(labels[i%3]...).Inc() }, func() float64 { return sumCounters(v, labels) }
			},
			want: total,
		},
		{
			name: "counter fractional Add",
			update: func(r *Registry) (func(int), func() float64) {
				v := r.Counter("c_total", "C.", "channel")
				return func(i int) { v.With(labels[i%3]...).Add(0.5) }, func() float64 { return sumCounters(v, labels) }
			},
			want: total / 2,
		},
		{
			name: "gauge Inc and Dec",
			update: func(r *Registry) (func(int), func() float64) {
				v := r.Gauge("g", "G.", "channel")
				step := func(i int) {
					g := v.With(labels[i%3]...)
					g.Inc()
					g.Inc()
					g.Dec()
				}
				sum := func() float64 {
					var s float64
					for _, l := range labels {
						s += v.With(l...).Value()
					}
					return s
				}
				return step, sum
			},
			want: total,
		},
		{
			name: "histogram Observe",
			update: func(r *Registry) (func(int), func() float64) {
				v := r.Histogram("h", "H.", []float64{1, 2}, "channel")
				step := func(i int) { v.With(labels[i%3]...).Observe(float64(i % 4)) }
				count := func() float64 {
					var n uint64
					for _, l := range labels {
						for i := range v.With(l...).counts {
							n += v.With(l...).counts[i].Load()
						}
					}
					return float64(n)
				}
				return step, count
			},
			want: total,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRegistry()
			step, got := tt.update(r)
			var wg sync.WaitGroup
			for range goroutines {
				wg.Go(func() {
					for i := range perGoroutine {
						step(i)
					}
				})
				// Scrape while updates run, as Prometheus would.
				wg.Go(func() { mustWrite(t, r) })
			}
			wg.Wait()
			if g := got(); g != tt.want {
				t.Errorf("total = %v, want %v", g, tt.want)
			}
		})
	}
}

func TestPanics(t *testing.T) {
	tests := []struct {
		name string
		fn   func(r *Registry)
		want string // substring of the panic message
	}{
		{"too few label values", func(r *Registry) { r.Counter("c_total", "C.", "a", "b").With("x") }, "got 1 label values for 2"},
		{"too many label values", func(r *Registry) { r.Gauge("g", "G.", "a").With("x", "y") }, "got 2 label values for 1"},
		{"label values on unlabelled family", func(r *Registry) { r.Histogram("h", "H.", nil).With("x") }, "got 1 label values for 0"},
		{"duplicate name", func(r *Registry) { r.Counter("dup", "A."); r.Gauge("dup", "B.") }, `"dup" registered twice`},
		{"duplicate GaugeFunc", func(r *Registry) {
			r.GaugeFunc("f", "F.", func() float64 { return 0 })
			r.GaugeFunc("f", "F.", func() float64 { return 0 })
		}, `"f" registered twice`},
		{"name clashes with histogram series", func(r *Registry) { r.Histogram("h", "H.", nil); r.Counter("h_count", "C.") }, `"h_count" registered twice`},
		{"histogram clashes with existing name", func(r *Registry) { r.Gauge("h_sum", "G."); r.Histogram("h", "H.", nil) }, `"h_sum" registered twice`},
		{"RegisterGoMetrics twice", func(r *Registry) { r.RegisterGoMetrics(); r.RegisterGoMetrics() }, "registered twice"},
		{"empty name", func(r *Registry) { r.Counter("", "C.") }, "invalid metric name"},
		{"name starting with digit", func(r *Registry) { r.Counter("1x", "C.") }, "invalid metric name"},
		{"name with dash", func(r *Registry) { r.GaugeFunc("a-b", "G.", func() float64 { return 0 }) }, "invalid metric name"},
		{"label name with colon", func(r *Registry) { r.Counter("c", "C.", "a:b") }, "invalid label name"},
		{"reserved label name", func(r *Registry) { r.Gauge("g", "G.", "__name__") }, "invalid label name"},
		{"repeated label name", func(r *Registry) { r.Gauge("g", "G.", "a", "a") }, "repeated"},
		{"histogram le label", func(r *Registry) { r.Histogram("h", "H.", nil, "le") }, `"le" is reserved`},
		{"unsorted buckets", func(r *Registry) { r.Histogram("h", "H.", []float64{1, 0.5}) }, "not strictly increasing"},
		{"repeated bucket", func(r *Registry) { r.Histogram("h", "H.", []float64{1, 1}) }, "not strictly increasing"},
		{"NaN bucket", func(r *Registry) { r.Histogram("h", "H.", []float64{math.NaN()}) }, "NaN bucket"},
		{"negative counter Add", func(r *Registry) { r.Counter("c", "C.").With().Add(-1) }, "cannot decrease"},
		{"NaN counter Add", func(r *Registry) { r.Counter("c", "C.").With().Add(math.NaN()) }, "cannot decrease"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustPanic(t, func() { tt.fn(NewRegistry()) })
			if !strings.Contains(got, tt.want) {
				t.Errorf("panic %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

func TestValidNames(t *testing.T) {
	tests := []struct {
		name        string
		metricValid bool
		labelValid  bool
	}{
		{"http_requests_total", true, true},
		{"_x", true, true},
		{"a1", true, true},
		{"job:rate5m", true, false},
		{":x", true, false},
		{"__x", true, false},
		{"", false, false},
		{"1a", false, false},
		{"a-b", false, false},
		{"a b", false, false},
		{"tên", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := validMetricName(tt.name); got != tt.metricValid {
				t.Errorf("validMetricName = %v, want %v", got, tt.metricValid)
			}
			if got := validLabelName(tt.name); got != tt.labelValid {
				t.Errorf("validLabelName = %v, want %v", got, tt.labelValid)
			}
		})
	}
}

func TestLabelKeysDoNotCollide(t *testing.T) {
	// With a plain separator, ("a,b", "c") and ("a", "b,c") could share a
	// key; the length-prefixed key keeps them apart.
	tests := []struct {
		name string
		a, b []string
	}{
		{"separator inside value", []string{"a\xffb", "c"}, []string{"a", "b\xffc"}},
		{"empty values", []string{"", "ab"}, []string{"ab", ""}},
		{"length byte inside value", []string{"\x01a", ""}, []string{"", "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := NewRegistry().Counter("c_total", "C.", "x", "y")
			if v.With(tt.a...) == v.With(tt.b...) {
				t.Errorf("%q and %q share a series", tt.a, tt.b)
			}
		})
	}
}

func TestWithDoesNotAllocate(t *testing.T) {
	tests := []struct {
		name string
		with func(r *Registry) func()
	}{
		{"counter", func(r *Registry) func() {
			v := r.Counter("c_total", "C.", "method", "code")
			return func() { v.With("GET", "200").Inc() }
		}},
		{"gauge", func(r *Registry) func() {
			v := r.Gauge("g", "G.", "queue")
			return func() { v.With("outbox").Set(1) }
		}},
		{"histogram", func(r *Registry) func() {
			v := r.Histogram("h", "H.", nil, "route")
			return func() { v.With("GET /tickets/{id}").Observe(0.1) }
		}},
		{"unlabelled counter", func(r *Registry) func() {
			v := r.Counter("u_total", "U.")
			return func() { v.With().Inc() }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.with(NewRegistry())
			f() // create the series
			if n := testing.AllocsPerRun(1000, f); n != 0 {
				t.Errorf("%v allocations per call, want 0", n)
			}
		})
	}
}

func TestHandler(t *testing.T) {
	r := NewRegistry()
	r.Counter("hotline_reports_total", "Reports received.", "channel").With("zalo").Add(4)

	tests := []struct {
		name     string
		method   string
		wantBody string
	}{
		{"GET serves the exposition", http.MethodGet, `# HELP hotline_reports_total Reports received.
# TYPE hotline_reports_total counter
hotline_reports_total{channel="zalo"} 4
`},
		{"HEAD sends headers only", http.MethodHead, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(r.Handler())
			defer srv.Close()
			req, err := http.NewRequest(tt.method, srv.URL+"/metrics", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status = %d, want 200", resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Type"); got != "text/plain; version=0.0.4; charset=utf-8" {
				t.Errorf("Content-Type = %q", got)
			}
			if string(body) != tt.wantBody {
				t.Errorf("body:\n%s\nwant:\n%s", body, tt.wantBody)
			}
		})
	}
}

func TestRegisterGoMetrics(t *testing.T) {
	r := NewRegistry()
	r.RegisterGoMetrics()
	out := mustWrite(t, r)

	tests := []struct {
		name, typ string
	}{
		{"go_gc_cycles_total", "counter"},
		{"go_goroutines", "gauge"},
		{"go_memstats_alloc_bytes", "gauge"},
		{"go_memstats_heap_inuse_bytes", "gauge"},
		{"process_resident_memory_bytes", "gauge"},
		{"process_start_time_seconds", "gauge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "process_resident_memory_bytes" {
				// Present exactly when the system tells the resident size.
				_, ok := residentMemory()
				if got := strings.Contains(out, "# TYPE "+tt.name+" "); got != ok {
					t.Fatalf("%s exported: %v, /proc/self/statm readable: %v", tt.name, got, ok)
				}
				if !ok {
					return
				}
			}
			if !strings.Contains(out, "# TYPE "+tt.name+" "+tt.typ+"\n") {
				t.Errorf("no %s %s in:\n%s", tt.typ, tt.name, out)
			}
			v := mustSample(t, out, tt.name)
			if tt.name != "go_gc_cycles_total" && v <= 0 {
				t.Errorf("%s = %v, want > 0", tt.name, v)
			}
		})
	}
}

func BenchmarkCounterWith(b *testing.B) {
	v := NewRegistry().Counter("hotline_http_requests_total", "HTTP requests.", "method", "route", "code")
	v.With("GET", "/tickets/{id}", "200")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			v.With("GET", "/tickets/{id}", "200").Inc()
		}
	})
}

// mustWrite returns r's exposition.
func mustWrite(t testing.TB, r *Registry) string {
	t.Helper()
	var sb strings.Builder
	n, err := r.WriteTo(&sb)
	if err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	if int(n) != sb.Len() {
		t.Fatalf("WriteTo reported %d bytes, wrote %d", n, sb.Len())
	}
	return sb.String()
}

// mustPanic runs fn and returns its panic message, failing if it does not
// panic.
func mustPanic(t *testing.T, fn func()) (msg string) {
	t.Helper()
	defer func() {
		p := recover()
		if p == nil {
			t.Fatal("did not panic")
		}
		msg, _ = p.(string)
	}()
	fn()
	return ""
}

// mustSample returns the value of the unlabelled sample name in out.
func mustSample(t *testing.T, out, name string) float64 {
	t.Helper()
	for line := range strings.Lines(out) {
		value, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), name+" ")
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(value, 64)
		if err != nil {
			t.Fatalf("%s: bad value %q: %v", name, value, err)
		}
		return f
	}
	t.Fatalf("no sample %s in:\n%s", name, out)
	return 0
}

func sumCounters(v *CounterVec, labels [][]string) float64 {
	var s float64
	for _, l := range labels {
		s += v.With(l...).Value()
	}
	return s
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }
