package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Result is what a run measured. Latencies are those of every counted
// request, failed ones included; percentiles are exact (nearest rank over
// all of them, sorted).
type Result struct {
	Target      string
	Concurrency int
	Seed        int64 // the content seed, to reproduce the run's reports

	Requests           int           // completed and counted
	Errors             int           // non-2xx or transport errors, among Requests
	Abandoned          int           // still in flight 5 s after the deadline (or at cancellation): not counted
	Status             map[int]int   // by HTTP status; transport errors under 0
	Elapsed            time.Duration // from the end of the warmup to the deadline (or cancellation), or to the last counted completion if later
	Throughput         float64       // successful requests per second
	P50, P95, P99, Max time.Duration
	Sample             []string // up to 5 distinct error messages seen (status + error.code/message), for diagnosis
	Categories         int      // category codes found on the target and used in reports
	Areas              int      // ward codes found on the target and used in reports
	Webhooks           bool     // the run posted Zalo webhooks, not API reports
	Notes              []string // what did not go as planned, e.g. reports sent without categories
}

// percentile returns the nearest-rank p-th percentile of sorted: the
// smallest value that at least p% of the values do not exceed.
func percentile(sorted []time.Duration, p int) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := (p*n + 99) / 100 // ceil(p/100 × n), in integers to avoid 0.95×100 = 95.000…1
	return sorted[min(max(rank, 1), n)-1]
}

// Print writes a short table for people.
func (r Result) Print(w io.Writer) {
	row := func(label, format string, args ...any) {
		fmt.Fprintf(w, "%-12s"+format+"\n", append([]any{label}, args...)...)
	}
	row("target", "%s (%d workers, seed %d)", r.Target, r.Concurrency, r.Seed)
	errRate := 0.0
	if r.Requests > 0 {
		errRate = 100 * float64(r.Errors) / float64(r.Requests)
	}
	row("requests", "%d in %.2fs, %d errors (%.2f%%)", r.Requests, r.Elapsed.Seconds(), r.Errors, errRate)
	if r.Abandoned > 0 {
		row("abandoned", "%d still in flight 5 s after the deadline", r.Abandoned)
	}
	row("throughput", "%.1f req/s", r.Throughput)
	row("latency", "p50 %s  p95 %s  p99 %s  max %s", short(r.P50), short(r.P95), short(r.P99), short(r.Max))
	if len(r.Status) > 0 {
		var parts []string
		for _, s := range sortedKeys(r.Status) {
			label := strconv.Itoa(s)
			if s == 0 {
				label = "transport"
			}
			parts = append(parts, fmt.Sprintf("%s×%d", label, r.Status[s]))
		}
		row("status", "%s", strings.Join(parts, "  "))
	}
	if r.Webhooks {
		row("sent", "signed Zalo webhooks (user_send_text)")
	} else {
		row("reports", "%d categories, %d wards", r.Categories, r.Areas)
	}
	for _, n := range r.Notes {
		row("note", "%s", n)
	}
	for _, s := range r.Sample {
		row("error", "%s", s)
	}
}

// JSON returns the result for machines: durations in milliseconds, status
// codes as object keys ("0" for transport errors).
func (r Result) JSON() ([]byte, error) {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	status := make(map[string]int, len(r.Status))
	for s, n := range r.Status {
		status[strconv.Itoa(s)] = n
	}
	return json.MarshalIndent(struct {
		Target      string         `json:"target"`
		Concurrency int            `json:"concurrency"`
		Seed        int64          `json:"seed"`
		Requests    int            `json:"requests"`
		Errors      int            `json:"errors"`
		Abandoned   int            `json:"abandoned"`
		Status      map[string]int `json:"status"`
		ElapsedS    float64        `json:"elapsed_s"`
		Throughput  float64        `json:"throughput"`
		LatencyMS   latencyMS      `json:"latency_ms"`
		Webhooks    bool           `json:"webhooks"`
		Categories  int            `json:"categories"`
		Areas       int            `json:"areas"`
		Notes       []string       `json:"notes"`
		Sample      []string       `json:"sample"`
	}{
		Target: r.Target, Concurrency: r.Concurrency, Seed: r.Seed,
		Requests: r.Requests, Errors: r.Errors, Abandoned: r.Abandoned, Status: status,
		ElapsedS: r.Elapsed.Seconds(), Throughput: r.Throughput,
		LatencyMS: latencyMS{ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max)},
		Webhooks:  r.Webhooks, Categories: r.Categories, Areas: r.Areas,
		Notes: nonNil(r.Notes), Sample: nonNil(r.Sample),
	}, "", "  ")
}

type latencyMS struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// short formats a latency with three significant digits or so: 850µs,
// 3.14ms, 41.2ms, 1.20s.
func short(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
}

func sortedKeys(m map[int]int) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// nonNil makes empty lists encode as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
