package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hotline-1022/hotline/internal/phone"
)

const testToken = "t0ken-for-tests"

// The fake's catalogue. The areas search also returns a province, which the
// load test must not use as an area.
var (
	fakeCategories = []string{"dat_dai", "ha_tang_giao_thong", "thoat_nuoc_ngap", "ve_sinh_rac", "dien"}
	fakeWards      = []string{"25747", "25750", "26734", "00004"}
	fakeProvince   = "74"
)

// fake is a hotline API that checks every request the way the real one
// would and records what the reports contained.
type fake struct {
	t *testing.T
	// answer, when set, decides the fate of the n-th ticket (from 1):
	// a status, or 0 to drop the connection without answering.
	answer func(n int64) int
	// noCatalogue makes the category and area endpoints fail.
	noCatalogue bool
	// delay holds every ticket answer back, or until the client gives up.
	delay time.Duration

	tickets atomic.Int64
	mu      sync.Mutex
	seen    map[string]int // "category:dat_dai", "area:25747", "no-category", …
}

func mustServeFake(t *testing.T, f *fake) *httptest.Server {
	t.Helper()
	f.t = t
	f.seen = make(map[string]int)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/categories", f.auth(f.categories))
	mux.HandleFunc("GET /api/v1/areas", f.auth(f.areas))
	mux.HandleFunc("POST /api/v1/tickets", f.auth(f.ticket))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		apiError(w, http.StatusNotFound, "not_found", "no such route")
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func apiError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"code":%q,"message":%q}}`, code, msg)
}

func (f *fake) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			apiError(w, http.StatusUnauthorized, "unauthorized", "invalid token")
			return
		}
		h(w, r)
	}
}

func (f *fake) categories(w http.ResponseWriter, r *http.Request) {
	if f.noCatalogue {
		apiError(w, http.StatusServiceUnavailable, "unavailable", "catalogue is down")
		return
	}
	var list []map[string]string
	for _, c := range fakeCategories {
		list = append(list, map[string]string{"code": c, "name": "…"})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"categories": list})
}

func (f *fake) areas(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("q") == "" || r.URL.Query().Get("limit") != "50" {
		f.t.Errorf("areas: query %q, want q and limit=50", r.URL.RawQuery)
	}
	list := []map[string]string{}
	if !f.noCatalogue {
		list = append(list, map[string]string{"code": fakeProvince, "level": "province"})
		for _, c := range fakeWards {
			list = append(list, map[string]string{"code": c, "level": "ward"})
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"areas": list})
}

func (f *fake) ticket(w http.ResponseWriter, r *http.Request) {
	n := f.tickets.Add(1)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		f.t.Errorf("Content-Type %q, want application/json", ct)
	}
	var report ticketBody
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields() // as the real API does
	if err := dec.Decode(&report); err != nil {
		f.t.Errorf("ticket body: %v", err)
		apiError(w, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	if err := report.check(); err != nil {
		f.t.Errorf("ticket %+v: %v", report, err)
		apiError(w, http.StatusBadRequest, "invalid", err.Error())
		return
	}
	f.record(report)
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
			return
		}
	}

	status := http.StatusCreated
	if f.answer != nil {
		status = f.answer(n)
	}
	switch status {
	case http.StatusCreated:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		now := time.Now().UTC()
		fmt.Fprintf(w, `{"id":%d,"code":"K7M3P-9QXD2","state":"received","received_at":%q,"deadline":%q}`,
			n, now.Format(time.RFC3339), now.Add(5*time.Hour).Format(time.RFC3339))
	case 0:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			f.t.Errorf("hijack: %v", err)
			return
		}
		conn.Close()
	case http.StatusBadGateway:
		w.WriteHeader(status)
		fmt.Fprint(w, "<html><body>upstream down</body></html>")
	default:
		apiError(w, status, "internal", "database is locked")
	}
}

func (f *fake) record(r ticketBody) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Category == "" {
		f.seen["no-category"]++
	} else {
		f.seen["category:"+r.Category]++
	}
	if r.Area == "" {
		f.seen["no-area"]++
	} else {
		f.seen["area:"+r.Area]++
	}
}

func (f *fake) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen[key]
}

// ticketBody is the contract of POST /api/v1/tickets.
type ticketBody struct {
	Channel  string `json:"channel"`
	Content  string `json:"content"`
	Title    string `json:"title"`
	Category string `json:"category"`
	Area     string `json:"area"`
	Address  string `json:"address"`
	Contact  *struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
		Email string `json:"email"`
	} `json:"contact"`
}

var (
	validChannels = []string{"phone", "zalo", "app", "messenger", "viber", "web", "email"}
	mobileRE      = regexp.MustCompile(`^0(3[2-9]|70|7[6-9]|8[1-689]|9[0134678])\d{7}$`)
)

// check validates the shapes the API insists on.
func (b ticketBody) check() error {
	switch {
	case !contains(validChannels, b.Channel):
		return fmt.Errorf("channel %q", b.Channel)
	case strings.TrimSpace(b.Content) == "":
		return errors.New("empty content")
	case utf8.RuneCountInString(b.Content) > 10000:
		return errors.New("content over 10,000 characters")
	case !utf8.ValidString(b.Content + b.Title + b.Address):
		return errors.New("invalid UTF-8")
	case b.Category != "" && !contains(fakeCategories, b.Category):
		return fmt.Errorf("unknown category %q", b.Category)
	case b.Area != "" && !contains(fakeWards, b.Area):
		return fmt.Errorf("area %q is not a known ward", b.Area)
	}
	if c := b.Contact; c != nil {
		if strings.TrimSpace(c.Name) == "" {
			return errors.New("contact without a name")
		}
		if !mobileRE.MatchString(c.Phone) {
			return fmt.Errorf("phone %q is not a Vietnamese mobile number", c.Phone)
		}
		if n, err := phone.Parse(c.Phone); err != nil || n.Kind != phone.Mobile || !n.Checked {
			return fmt.Errorf("phone %q: %+v, %v", c.Phone, n, err)
		}
		if c.Email != "" && !strings.Contains(c.Email, "@") {
			return fmt.Errorf("email %q", c.Email)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func mustRun(t *testing.T, cfg Config) Result {
	t.Helper()
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// checkFigures checks what must hold for any result.
func checkFigures(t *testing.T, res Result) {
	t.Helper()
	if res.Requests == 0 {
		t.Fatalf("no requests counted: %+v", res)
	}
	total := 0
	for _, n := range res.Status {
		total += n
	}
	if total != res.Requests {
		t.Errorf("statuses add up to %d, want Requests = %d", total, res.Requests)
	}
	want := float64(res.Requests-res.Errors) / res.Elapsed.Seconds()
	if math.Abs(res.Throughput-want) > 0.001*want {
		t.Errorf("Throughput = %.2f, want (Requests-Errors)/Elapsed = %.2f", res.Throughput, want)
	}
	if !(0 < res.P50 && res.P50 <= res.P95 && res.P95 <= res.P99 && res.P99 <= res.Max) {
		t.Errorf("percentiles out of order: p50 %s p95 %s p99 %s max %s", res.P50, res.P95, res.P99, res.Max)
	}
}

func TestRunCountsRequestsAndUsesTheCatalogue(t *testing.T) {
	f := &fake{}
	s := mustServeFake(t, f)
	var out bytes.Buffer
	res := mustRun(t, Config{Target: s.URL + "/", Token: testToken, Concurrency: 4, Duration: 300 * time.Millisecond, Seed: 1, Out: &out})

	checkFigures(t, res)
	if res.Errors != 0 || res.Status[201] != res.Requests {
		t.Errorf("errors %d, statuses %v; want all 201", res.Errors, res.Status)
	}
	if got := int(f.tickets.Load()); got != res.Requests {
		t.Errorf("server received %d tickets, result counts %d", got, res.Requests)
	}
	if res.Elapsed < 300*time.Millisecond || res.Elapsed > 300*time.Millisecond+drainGrace {
		t.Errorf("Elapsed = %s, want from the duration up to the grace period", res.Elapsed)
	}
	if res.Categories != len(fakeCategories) || res.Areas != len(fakeWards) {
		t.Errorf("found %d categories and %d wards, want %d and %d", res.Categories, res.Areas, len(fakeCategories), len(fakeWards))
	}
	if len(res.Notes) != 0 || len(res.Sample) != 0 {
		t.Errorf("notes %q, sample %q; want none", res.Notes, res.Sample)
	}
	usedCategories, usedAreas := 0, 0
	for _, c := range fakeCategories {
		usedCategories += f.count("category:" + c)
	}
	for _, a := range fakeWards {
		usedAreas += f.count("area:" + a)
	}
	if usedCategories < res.Requests/2 || usedAreas < res.Requests/2 {
		t.Errorf("of %d reports, %d had a category and %d an area; want most", res.Requests, usedCategories, usedAreas)
	}
	if n := f.count("area:" + fakeProvince); n > 0 {
		t.Errorf("%d reports used a province as their area", n)
	}
	if !strings.Contains(out.String(), "4 workers") || !strings.Contains(out.String(), "5 categories, 4 wards") {
		t.Errorf("progress output %q lacks the header", out.String())
	}
}

func TestRunCountsErrors(t *testing.T) {
	f := &fake{answer: func(n int64) int {
		switch {
		case n%11 == 0:
			return 0 // connection dropped
		case n%7 == 0:
			return http.StatusBadGateway
		case n%4 == 0:
			return http.StatusInternalServerError
		}
		return http.StatusCreated
	}}
	s := mustServeFake(t, f)
	res := mustRun(t, Config{Target: s.URL, Token: testToken, Concurrency: 4, Duration: 300 * time.Millisecond, Seed: 2})

	checkFigures(t, res)
	if res.Requests < 50 {
		t.Fatalf("only %d requests; too few to see every failure", res.Requests)
	}
	if got := res.Status[500] + res.Status[502] + res.Status[0]; res.Errors != got || got == 0 {
		t.Errorf("Errors = %d, want the %d failures of %v", res.Errors, got, res.Status)
	}
	if res.Status[0] == 0 || res.Status[500] == 0 || res.Status[502] == 0 {
		t.Errorf("statuses %v, want transport errors, 500 and 502", res.Status)
	}
	if res.Status[201]+res.Errors != res.Requests {
		t.Errorf("201: %d + errors %d != requests %d", res.Status[201], res.Errors, res.Requests)
	}
	if len(res.Sample) == 0 || len(res.Sample) > maxSample {
		t.Fatalf("sample %q, want 1 to %d messages", res.Sample, maxSample)
	}
	for i, s := range res.Sample {
		if contains(res.Sample[:i], s) {
			t.Errorf("sample repeats %q", s)
		}
	}
	for _, want := range []string{"500 internal: database is locked", "502 Bad Gateway: <html><body>upstream down</body></html>", "transport error: "} {
		found := false
		for _, s := range res.Sample {
			found = found || strings.HasPrefix(s, want)
		}
		if !found {
			t.Errorf("sample %q lacks %q", res.Sample, want)
		}
	}
}

func TestRunWithoutCatalogue(t *testing.T) {
	f := &fake{noCatalogue: true}
	s := mustServeFake(t, f)
	res := mustRun(t, Config{Target: s.URL, Token: testToken, Concurrency: 2, Duration: 200 * time.Millisecond})

	checkFigures(t, res)
	if res.Categories != 0 || res.Areas != 0 {
		t.Errorf("found %d categories and %d wards, want none", res.Categories, res.Areas)
	}
	if f.count("no-category") != res.Requests || f.count("no-area") != res.Requests {
		t.Errorf("reports with a category or an area although the target has none")
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{"categories unavailable (503 unavailable: catalogue is down)", "without a category", "without an area"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", res.Notes, want)
		}
	}
}

func TestRunWithWrongToken(t *testing.T) {
	s := mustServeFake(t, &fake{})
	res := mustRun(t, Config{Target: s.URL, Token: "wrong", Concurrency: 2, Duration: 100 * time.Millisecond})

	if res.Requests == 0 || res.Errors != res.Requests || res.Status[401] != res.Requests {
		t.Errorf("requests %d, errors %d, statuses %v; want all 401", res.Requests, res.Errors, res.Status)
	}
	if res.Throughput != 0 {
		t.Errorf("Throughput = %.1f, want 0 without a success", res.Throughput)
	}
	if !reflect.DeepEqual(res.Sample, []string{"401 unauthorized: invalid token"}) {
		t.Errorf("sample %q", res.Sample)
	}
}

func TestRunWarmupIsNotCounted(t *testing.T) {
	f := &fake{}
	s := mustServeFake(t, f)
	res := mustRun(t, Config{Target: s.URL, Token: testToken, Concurrency: 2, Warmup: 200 * time.Millisecond, Duration: 200 * time.Millisecond})

	checkFigures(t, res)
	if sent := int(f.tickets.Load()); sent <= res.Requests {
		t.Errorf("server received %d tickets, counted %d: warmup requests were counted", sent, res.Requests)
	}
	if res.Elapsed >= 400*time.Millisecond {
		t.Errorf("Elapsed = %s includes the warmup", res.Elapsed)
	}
}

func TestRunDrainsInFlightRequestsWithinTheGrace(t *testing.T) {
	tests := []struct {
		name          string
		delay, grace  time.Duration
		wantCounted   bool
		wantElapsedAt time.Duration // at least
	}{
		{"completed within the grace are counted", 150 * time.Millisecond, 300 * time.Millisecond, true, 150 * time.Millisecond},
		{"still in flight after it are abandoned", 400 * time.Millisecond, 100 * time.Millisecond, false, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustServeFake(t, &fake{delay: tt.delay})
			began := time.Now()
			res := mustRun(t, Config{Target: s.URL, Token: testToken, Concurrency: 3, Duration: 100 * time.Millisecond, grace: tt.grace})
			took := time.Since(began)

			if tt.wantCounted && (res.Requests != 3 || res.Abandoned != 0) {
				t.Errorf("requests %d, abandoned %d; want the 3 in flight at the deadline counted", res.Requests, res.Abandoned)
			}
			if !tt.wantCounted && (res.Requests != 0 || res.Abandoned != 3) {
				t.Errorf("requests %d, abandoned %d; want the 3 in flight abandoned", res.Requests, res.Abandoned)
			}
			if res.Elapsed < tt.wantElapsedAt || res.Elapsed > tt.wantElapsedAt+100*time.Millisecond {
				t.Errorf("Elapsed = %s, want about %s", res.Elapsed, tt.wantElapsedAt)
			}
			if limit := 100*time.Millisecond + tt.grace + 200*time.Millisecond; took > limit {
				t.Errorf("Run took %s, want under %s", took, limit)
			}
		})
	}
}

func TestRunPrintsProgress(t *testing.T) {
	s := mustServeFake(t, &fake{})
	var out bytes.Buffer
	mustRun(t, Config{Target: s.URL, Token: testToken, Concurrency: 2, Warmup: 150 * time.Millisecond, Duration: 300 * time.Millisecond,
		Out: &out, progressEvery: 100 * time.Millisecond})
	for _, want := range []string{"2 workers, 300ms after 150ms warmup", "loadtest: warmup, ", " requests  0 errors  "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("progress output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunStopsWhenCancelled(t *testing.T) {
	s := mustServeFake(t, &fake{})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	began := time.Now()
	res, err := Run(ctx, Config{Target: s.URL, Token: testToken, Concurrency: 2, Duration: time.Minute})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if d := time.Since(began); d > time.Second {
		t.Errorf("Run took %s after cancellation at 150ms", d)
	}
	checkFigures(t, res)
	if res.Elapsed > time.Second {
		t.Errorf("Elapsed = %s, want the time until cancellation", res.Elapsed)
	}
}

func TestRunFailsFastOnAnUnreachableTarget(t *testing.T) {
	s := httptest.NewServer(http.NotFoundHandler())
	url := s.URL
	s.Close() // nothing listens there any more

	began := time.Now()
	_, err := Run(context.Background(), Config{Target: url, Token: testToken, Duration: time.Minute})
	if err == nil || !strings.Contains(err.Error(), "cannot reach") {
		t.Errorf("Run = %v, want a cannot-reach error", err)
	}
	if d := time.Since(began); d > time.Second {
		t.Errorf("Run took %s to give up", d)
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no target", Config{Token: testToken}, "target URL is required"},
		{"not http", Config{Target: "ftp://example.org", Token: testToken}, "http://"},
		{"no host", Config{Target: "http://", Token: testToken}, "with a host"},
		{"with query", Config{Target: "http://localhost:8080/?x=1", Token: testToken}, "without query"},
		{"no token", Config{Target: "http://localhost:8080"}, "token is required"},
		{"negative concurrency", Config{Target: "http://localhost:8080", Token: testToken, Concurrency: -1}, "concurrency"},
		{"negative duration", Config{Target: "http://localhost:8080", Token: testToken, Duration: -time.Second}, "duration"},
		{"negative warmup", Config{Target: "http://localhost:8080", Token: testToken, Warmup: -time.Second}, "warmup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run = %v, want an error about %q", err, tt.want)
			}
		})
	}
}

func TestPercentileIsNearestRank(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var d []time.Duration
		for _, n := range ns {
			d = append(d, time.Duration(n)*time.Millisecond)
		}
		return d
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      int
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"p50 of three", ms(1, 2, 3), 50, 2 * time.Millisecond},
		{"p50 of four", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p95 of 100", ms(hundred...), 95, 95 * time.Millisecond},
		{"p99 of 100", ms(hundred...), 99, 99 * time.Millisecond},
		{"p99 of ten", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(%d) = %s, want %s", tt.p, got, tt.want)
			}
		})
	}
}

func TestResultPrintAndJSON(t *testing.T) {
	res := Result{
		Target: "http://127.0.0.1:8080", Concurrency: 8,
		Requests: 1000, Errors: 3, Status: map[int]int{201: 997, 500: 2, 0: 1},
		Elapsed: 2 * time.Second, Throughput: 498.5,
		P50: 3140 * time.Microsecond, P95: 9 * time.Millisecond, P99: 21 * time.Millisecond, Max: 1200 * time.Millisecond,
		Sample: []string{"500 internal: database is locked"}, Categories: 5, Areas: 4,
	}
	var b bytes.Buffer
	res.Print(&b)
	for _, want := range []string{"1000 in 2.00s, 3 errors (0.30%)", "498.5 req/s", "p50 3.14ms  p95 9.00ms  p99 21.0ms  max 1.20s", "transport×1  201×997  500×2", "500 internal: database is locked"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("Print lacks %q:\n%s", want, b.String())
		}
	}

	j, err := res.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Requests  int                `json:"requests"`
		Status    map[string]int     `json:"status"`
		LatencyMS map[string]float64 `json:"latency_ms"`
		Notes     []string           `json:"notes"`
	}
	if err := json.Unmarshal(j, &got); err != nil {
		t.Fatalf("JSON %s: %v", j, err)
	}
	if got.Requests != 1000 || got.Status["0"] != 1 || got.LatencyMS["p50"] != 3.14 || got.Notes == nil {
		t.Errorf("JSON = %s", j)
	}
}

func TestRunRejectsBadZaloConfig(t *testing.T) {
	for _, z := range []Zalo{
		{AppID: "1", OASecret: "s"},
		{Channel: 1, OASecret: "s"},
		{Channel: 1, AppID: "1"},
		{Channel: 1, AppID: "1", OASecret: "s", Returning: 101},
	} {
		if _, err := Run(context.Background(), Config{Target: "http://127.0.0.1:9", Zalo: &z}); err == nil || !strings.Contains(err.Error(), "Zalo") && !strings.Contains(err.Error(), "percentage") {
			t.Errorf("%+v: %v", z, err)
		}
	}
}
