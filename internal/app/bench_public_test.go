package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/loadtest"
	"github.com/hotline-1022/hotline/internal/public"
)

// BenchmarkPublicIntake measures a citizen's report through the mobile
// app's POST /api/v1/public/tickets (validation, the limits, a keyed
// idempotency fingerprint, the web's contact) beside the staff API's
// POST /api/v1/tickets in the same run, on each engine, with the same
// reports and 8 concurrent clients, and both alternating on every client
// (paired, the figure to compare on a shared machine); the limits are
// lifted so that every request is a ticket:
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
			cfg := app.Config{Province: "79", Public: public.Limits{SubmitsPerIP: lots, SubmitsPerPhone: lots, TracksPerIP: lots, TracksPerCode: lots, UploadsPerIP: lots}}
			ta := newTestAppWith(b, d, cfg, clock.New(time.Now))
			gen := loadtest.NewGenerator(1022)
			staff := make([][]byte, 4096)
			citizen := make([][]byte, len(staff))
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
			b.Run("staff-api", func(b *testing.B) { postParallel(b, "tickets/s", http.StatusCreated, staffReq) })
			b.Run("public-api", func(b *testing.B) { postParallel(b, "tickets/s", http.StatusCreated, publicReq) })
			// paired: every client alternates a staff and a public request,
			// so both meet the same load at the same moment (the machine is
			// shared); the ratio is of their mean latencies, which at equal
			// concurrency is the ratio of their rates.
			b.Run("paired", func(b *testing.B) {
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
				var staffNs, publicNs atomic.Int64
				do := func(req *http.Request, sum *atomic.Int64) bool {
					began := time.Now()
					res, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return false
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					sum.Add(int64(time.Since(began)))
					if res.StatusCode != http.StatusCreated {
						b.Errorf("status %d", res.StatusCode)
						return false
					}
					return true
				}
				b.SetParallelism(4)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if !do(staffReq(), &staffNs) || !do(publicReq(), &publicNs) {
							return
						}
					}
				})
				b.ReportMetric(float64(staffNs.Load())/float64(b.N)/1e6, "staff-ms")
				b.ReportMetric(float64(publicNs.Load())/float64(b.N)/1e6, "public-ms")
				b.ReportMetric(float64(staffNs.Load())/float64(publicNs.Load()), "public/staff")
			})
		})
	}
}
