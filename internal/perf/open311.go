package perf

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
)

// Open311 times GET requests and GET requests/{id} through the Open311
// handler h (open311.Server.Handler: the parameters parsed, the query
// run, the JSON written) rounds times each way clients ask: no filter,
// the deepest page the handler allows, a service_code, status open and
// closed, a month and a day of start_date/end_date, a list of ids and one
// request. It reads only.
func Open311(ctx context.Context, d *db.DB, h http.Handler, rounds int, seed uint64) ([]Timing, int64, error) {
	var maxID, total int64
	if err := d.R().QueryRowContext(ctx, `SELECT COALESCE(max(id), 0), count(*) FROM tickets`).Scan(&maxID, &total); err != nil {
		return nil, 0, err
	}
	if maxID == 0 {
		return nil, 0, fmt.Errorf("perf open311: no tickets (run hotline perf seed first)")
	}
	categories, err := texts(ctx, d, `SELECT code FROM categories WHERE active ORDER BY id`)
	if err != nil {
		return nil, 0, err
	}
	if len(categories) == 0 {
		return nil, 0, fmt.Errorf("perf open311: no categories")
	}
	r := rand.New(rand.NewPCG(seed, 3))
	now := time.Now().In(clock.Zone)
	// A day within the last 90 (the seed spreads its tickets over a year
	// before it ran), and a month within the last 11.
	day := func() (string, string) {
		from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, clock.Zone).AddDate(0, 0, -1-r.IntN(89))
		return from.Format(time.RFC3339), from.AddDate(0, 0, 1).Format(time.RFC3339)
	}
	month := func() (string, string) {
		from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, clock.Zone).AddDate(0, -1-r.IntN(10), 0)
		return from.Format(time.RFC3339), from.AddDate(0, 1, 0).Format(time.RFC3339)
	}
	id := func() string { return strconv.FormatInt(r.Int64N(maxID)+1, 10) }
	cat := func() string { return categories[r.IntN(len(categories))] }
	q := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return "requests.json?" + v.Encode()
	}
	cases := []struct {
		name string
		path func() string
	}{
		{"no filter, first page (50)", func() string { return q() }},
		{"no filter, deepest page (page=201, page_size=50)", func() string { return q("page", "201", "page_size", "50") }},
		{"no filter, deepest page of 500 (page=21, page_size=500)", func() string { return q("page", "21", "page_size", "500") }},
		{"service_code", func() string { return q("service_code", cat()) }},
		{"service_code, deepest page (page=201)", func() string { return q("service_code", cat(), "page", "201") }},
		{"status=open", func() string { return q("status", "open") }},
		{"status=open, deepest page (page=201)", func() string { return q("status", "open", "page", "201") }},
		{"status=closed", func() string { return q("status", "closed") }},
		{"status=closed, deepest page (page=201)", func() string { return q("status", "closed", "page", "201") }},
		{"a month (start_date, end_date)", func() string { f, t := month(); return q("start_date", f, "end_date", t) }},
		{"a day (start_date, end_date)", func() string { f, t := day(); return q("start_date", f, "end_date", t) }},
		{"a day, status=open", func() string { f, t := day(); return q("start_date", f, "end_date", t, "status", "open") }},
		{"a month, service_code, status=closed", func() string {
			f, t := month()
			return q("start_date", f, "end_date", t, "service_code", cat(), "status", "closed")
		}},
		{"service_request_id, 20 ids", func() string {
			ids := make([]string, 20)
			for i := range ids {
				ids[i] = id()
			}
			return q("service_request_id", strings.Join(ids, ","))
		}},
		{"one request (requests/{id}.json)", func() string { return "requests/" + id() + ".json" }},
	}
	var out []Timing
	for _, c := range cases {
		times := make([]time.Duration, 0, rounds)
		rows := 0
		for range rounds {
			req := httptest.NewRequestWithContext(ctx, http.MethodGet, "http://hotline.test/open311/v2/"+c.path(), nil)
			w := httptest.NewRecorder()
			start := time.Now()
			h.ServeHTTP(w, req)
			times = append(times, time.Since(start))
			var list []json.RawMessage
			if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &list) != nil {
				return nil, 0, fmt.Errorf("%s: GET %s: %d %s", c.name, req.URL, w.Code, w.Body.Bytes())
			}
			rows = len(list)
		}
		slices.Sort(times)
		at := func(q float64) time.Duration { return times[min(len(times)-1, int(q*float64(len(times))))] }
		out = append(out, Timing{Name: c.name, Rounds: rounds, Rows: rows, P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: times[len(times)-1]})
	}
	return out, total, nil
}
