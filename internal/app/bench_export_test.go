//go:build unix

package app_test

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/perf"
)

// BenchmarkExportCSV streams a year's tickets (perf.Seed's, spread over
// the last year) through GET /api/v1/exports/tickets.csv as an operator,
// reading the body as a client would, and reports rows per second and the
// server's memory: allocations per row and the peak of the heap in use
// (sampled every 5 ms) above what it was before the export, and the CPU
// time per row. The number of
// tickets is HOTLINE_BENCH_EXPORT_TICKETS (default 100,000); compare two
// sizes to see that memory does not grow with the export.
//
//	HOTLINE_BENCH_EXPORT_TICKETS=1000000 go test -run '^$' -bench ExportCSV -benchtime 1x ./internal/app/
func BenchmarkExportCSV(b *testing.B) {
	n := 100000
	if v := os.Getenv("HOTLINE_BENCH_EXPORT_TICKETS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			ta := newTestApp(b, dbtest.Open(b, dialect, reference))
			start := time.Now()
			if err := perf.Seed(context.Background(), ta.DB, n, nil); err != nil {
				b.Fatal(err)
			}
			b.Logf("seeded %d tickets in %s", n, time.Since(start).Round(time.Second))
			now := time.Now()
			year := "from=" + clock.Day(now.AddDate(-1, 0, 0)) + "&to=" + clock.Day(now)
			var rows int64
			var peak uint64
			var cpu time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				base := ms.HeapInuse
				var top atomic.Uint64
				done := make(chan struct{})
				var wg sync.WaitGroup
				wg.Go(func() {
					t := time.NewTicker(5 * time.Millisecond)
					defer t.Stop()
					for {
						select {
						case <-done:
							return
						case <-t.C:
							var m runtime.MemStats
							runtime.ReadMemStats(&m)
							if m.HeapInuse > base && m.HeapInuse-base > top.Load() {
								top.Store(m.HeapInuse - base)
							}
						}
					}
				})
				before := cpuTime(b)
				got := exportLines(b, ta, "/api/v1/exports/tickets.csv?codes=true&"+year) - 1
				cpu += cpuTime(b) - before
				close(done)
				wg.Wait()
				if got < int64(n)*99/100 {
					b.Fatalf("exported %d rows of %d tickets", got, n)
				}
				rows += got
				peak = max(peak, top.Load())
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
			// CPU time per row, server and client in this one process: the
			// figure that holds on a machine shared with other work.
			b.ReportMetric(float64(cpu.Microseconds())/float64(rows), "cpu-µs/row")
		})
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// exportLines fetches an export as the operator and counts its lines.
func exportLines(b *testing.B, ta *testApp, path string) int64 {
	req, _ := http.NewRequest("GET", ta.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+ta.tokens["operator"])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b.Fatalf("status %d", res.StatusCode)
	}
	var lines int64
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		lines++
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return lines
}
