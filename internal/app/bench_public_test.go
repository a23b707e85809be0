package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/loadtest"
	"github.com/hotline-1022/hotline/internal/public"
	"github.com/hotline-1022/hotline/internal/user"
)

// BenchmarkPublicIntake measures a citizen's report through the mobile
// app's POST /api/v1/public/tickets (validation, the limits, a keyed
// idempotency fingerprint, the web's contact) and through Open311's POST
// /open311/v2/requests.json (a form with an api_key, attributes, lat and
// long: the key's lookup and limit, the service's attributes, then the
// portal's path) beside the staff API's POST /api/v1/tickets in the same
// run, on each engine, with the same reports and 8 concurrent clients,
// and the three alternating on every client (paired, the figure to
// compare on a shared machine); the limits are lifted so that every
// request is a ticket:
//
//	go test -run '^$' -bench PublicIntake -benchtime 5s ./internal/app/
func BenchmarkPublicIntake(b *testing.B) {
	for _, engine := range []struct {
		name    string
		dialect db.Dialect
	}{{"sqlite", db.SQLite}, {"postgres", db.Postgres}} {
		b.Run(engine.name, func(b *testing.B) {
			d := dbtest.Open(b, engine.dialect, reference)
			lots := 1 << 30
			cfg := app.Config{Province: "79", Public: public.Limits{SubmitsPerIP: lots, SubmitsPerPhone: lots, TracksPerIP: lots, TracksPerCode: lots, UploadsPerIP: lots},
				Open311PostsPerKey: lots}
			ta := newTestAppWith(b, d, cfg, clock.New(time.Now))
			apiKey, _, err := ta.Open311Keys.Create(context.Background(), user.Actor{Origin: "cli"}, "bench")
			if err != nil {
				b.Fatal(err)
			}
			gen := loadtest.NewGenerator(1022)
			staff := make([][]byte, 4096)
			citizen := make([][]byte, len(staff))
			georeport := make([]string, len(staff))
			for i := range staff {
				rep := gen.Report([]string{"ha_tang_giao_thong", "dat_dai", "ve_sinh_rac"}, []string{"25747", "25942", "26743"})
				rep["contact"] = map[string]any{"name": "Trần Văn Bình", "phone": fmt.Sprintf("09%08d", i)}
				staff[i], _ = json.Marshal(rep)
				pub := map[string]any{"content": rep["content"], "name": "Trần Văn Bình", "phone": fmt.Sprintf("09%08d", i), "consent": true}
				for _, k := range []string{"category", "area", "address"} {
					if v, ok := rep[k]; ok {
						pub[k] = v
					}
				}
				citizen[i], _ = json.Marshal(pub)
				form := url.Values{"api_key": {apiKey}, "service_code": {"ha_tang_giao_thong"},
					"lat": {fmt.Sprintf("%.5f", 10.95+float64(i%100)/1000)}, "long": {fmt.Sprintf("%.5f", 106.62+float64(i%70)/1000)},
					"description": {rep["content"].(string)}, "attribute[kind]": {"report"}, "attribute[hide_identity]": {"false"},
					"first_name": {"Bình"}, "last_name": {"Trần Văn"}, "phone": {fmt.Sprintf("09%08d", i)}}
				if v, ok := rep["category"].(string); ok {
					form.Set("service_code", v)
				}
				if v, ok := rep["area"].(string); ok {
					form.Set("address_id", v)
				}
				if v, ok := rep["address"].(string); ok {
					form.Set("address_string", v)
				}
				georeport[i] = form.Encode()
			}
			var n atomic.Int64
			staffReq := func() *http.Request {
				req, _ := http.NewRequest("POST", ta.srv.URL+"/api/v1/tickets", bytes.NewReader(staff[n.Add(1)%int64(len(staff))]))
				req.Header.Set("Authorization", "Bearer "+ta.tokens["operator"])
				req.Header.Set("Content-Type", "application/json")
				return req
			}
			publicReq := func() *http.Request {
				i := n.Add(1)
				req, _ := http.NewRequest("POST", ta.srv.URL+"/api/v1/public/tickets", bytes.NewReader(citizen[i%int64(len(citizen))]))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%016d", i))
				return req
			}
			open311Req := func() *http.Request {
				req, _ := http.NewRequest("POST", ta.srv.URL+"/open311/v2/requests.json", strings.NewReader(georeport[n.Add(1)%int64(len(georeport))]))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				return req
			}
			b.Run("staff-api", func(b *testing.B) { postParallel(b, "tickets/s", http.StatusCreated, staffReq) })
			b.Run("public-api", func(b *testing.B) { postParallel(b, "tickets/s", http.StatusCreated, publicReq) })
			b.Run("open311", func(b *testing.B) { postParallel(b, "tickets/s", http.StatusOK, open311Req) })
			// paired: every client alternates a staff, a public and an
			// Open311 request, so all meet the same load at the same moment
			// (the machine is shared); the ratios are of their mean
			// latencies, which at equal concurrency are the ratios of their
			// rates.
			b.Run("paired", func(b *testing.B) {
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
				var staffNs, publicNs, open311Ns atomic.Int64
				do := func(req *http.Request, want int, sum *atomic.Int64) bool {
					began := time.Now()
					res, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return false
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					sum.Add(int64(time.Since(began)))
					if res.StatusCode != want {
						b.Errorf("%s: status %d", req.URL.Path, res.StatusCode)
						return false
					}
					return true
				}
				b.SetParallelism(4)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if !do(staffReq(), http.StatusCreated, &staffNs) || !do(publicReq(), http.StatusCreated, &publicNs) ||
							!do(open311Req(), http.StatusOK, &open311Ns) {
							return
						}
					}
				})
				b.ReportMetric(float64(staffNs.Load())/float64(b.N)/1e6, "staff-ms")
				b.ReportMetric(float64(publicNs.Load())/float64(b.N)/1e6, "public-ms")
				b.ReportMetric(float64(open311Ns.Load())/float64(b.N)/1e6, "open311-ms")
				b.ReportMetric(float64(staffNs.Load())/float64(publicNs.Load()), "public/staff")
				b.ReportMetric(float64(staffNs.Load())/float64(open311Ns.Load()), "open311/staff")
			})
		})
	}
}
