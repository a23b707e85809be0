package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/webhook"
)

// BenchmarkWebhookDelivery measures what a durable, signed, logged
// webhook delivery costs against a plain HTTP POST of the same body to the
// same local receiver, in one run, on each engine:
//
//	direct:  b.N signed POSTs with as many goroutines as the queue has
//	         workers (32): the receiver's own rate here;
//	commit:  b.N transactions that each update one row: what a
//	         transaction costs here, without the sink;
//	enqueue: b.N ticket events, each in its own transaction, through the
//	         webhook sink to one active endpoint (the delivery row and its
//	         job): less commit, what a ticket action pays for a webhook;
//	queue:   b.N deliveries queued while no queue runs (a backlog), then
//	         the queue started and timed until every one is recorded
//	         delivered (claim, read, sign, POST, log the attempt). It
//	         reports its rate as a percentage of direct's.
//
// One op is one delivery:
//
//	go test -run '^$' -bench WebhookDelivery -benchtime 5000x ./internal/app/
func BenchmarkWebhookDelivery(b *testing.B) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.Open(b, dialect, reference)
			ta := newTestAppWith(b, d, app.Config{Province: "79"}, clock.New(time.Now))
			var got atomic.Int64
			rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				got.Add(1)
				_, _ = w.Write([]byte(`{"ok":true}`))
			}))
			b.Cleanup(rc.Close)
			ctx := context.Background()
			ep, secret, err := ta.Webhooks.Create(ctx, user.Actor{Origin: "cli"}, webhook.Input{Name: "IOC", URL: rc.URL + "/in",
				Events: []string{webhook.All}, Active: true})
			if err != nil {
				b.Fatal(err)
			}
			sinkEvent := func(i int) ticket.Event {
				return ticket.Event{TicketID: int64(i + 1), Code: "7VVY5-CA6NQ", Name: "forward", State: ticket.Forwarded, At: time.Now()}
			}
			var direct float64
			b.Run("direct", func(b *testing.B) {
				body := []byte(`{"id":"evt_BENCH","event":"forward","at":"2026-12-03T17:00:00Z","ticket":{"id":1,"code":"7VVY5-CA6NQ","state":"forwarded","agency":"SXD"}}`)
				client := &http.Client{Timeout: 10 * time.Second}
				var n atomic.Int64
				var wg sync.WaitGroup
				b.ResetTimer()
				for range 32 {
					wg.Go(func() {
						for i := n.Add(1); i <= int64(b.N); i = n.Add(1) {
							req, _ := http.NewRequest(http.MethodPost, rc.URL+"/in", bytes.NewReader(body))
							req.Header.Set("Content-Type", "application/json")
							req.Header.Set(webhook.SignatureHeader, webhook.Sign(secret, time.Now(), body))
							req.Header.Set(webhook.DeliveryHeader, strconv.FormatInt(i, 10))
							res, err := client.Do(req)
							if err != nil {
								b.Error(err)
								return
							}
							_, _ = io.Copy(io.Discard, res.Body)
							res.Body.Close()
						}
					})
				}
				wg.Wait()
				direct = float64(b.N) / b.Elapsed().Seconds()
				b.ReportMetric(direct, "deliveries/s")
			})
			b.Run("commit", func(b *testing.B) {
				// The enqueue's transaction without the sink: its own commit.
				for range b.N {
					if err := d.Tx(ctx, func(tx *sql.Tx) error {
						_, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET updated_at = updated_at WHERE id = $1`, ep.ID)
						return err
					}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("enqueue", func(b *testing.B) {
				for i := range b.N {
					if err := d.Tx(ctx, func(tx *sql.Tx) error {
						_, err := ta.Webhooks.TicketEvent(ctx, tx, sinkEvent(i))
						return err
					}); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				// Clear the backlog for the next measure.
				if _, err := d.W().ExecContext(ctx, `DELETE FROM webhook_deliveries`); err != nil {
					b.Fatal(err)
				}
				if _, err := d.W().ExecContext(ctx, `DELETE FROM river_job WHERE kind = 'webhook_deliver'`); err != nil {
					b.Fatal(err)
				}
			})
			b.Run("queue", func(b *testing.B) {
				b.StopTimer()
				for start := 0; start < b.N; start += 1000 {
					if err := d.Tx(ctx, func(tx *sql.Tx) error {
						for i := start; i < min(b.N, start+1000); i++ {
							if _, err := ta.Webhooks.TicketEvent(ctx, tx, sinkEvent(i)); err != nil {
								return err
							}
						}
						return nil
					}); err != nil {
						b.Fatal(err)
					}
				}
				before := got.Load()
				base := countDelivered(b, d, ep.ID)
				runCtx, cancel := context.WithCancel(ctx)
				done := make(chan error, 1)
				b.StartTimer()
				go func() { done <- ta.Queue.Run(runCtx) }()
				for countDelivered(b, d, ep.ID)-base < b.N {
					time.Sleep(2 * time.Millisecond)
				}
				b.StopTimer()
				rate := float64(b.N) / b.Elapsed().Seconds()
				cancel()
				if err := <-done; err != nil {
					b.Fatal(err)
				}
				if n := got.Load() - before; n != int64(b.N) {
					b.Fatalf("the receiver took %d requests for %d deliveries", n, b.N)
				}
				b.ReportMetric(rate, "deliveries/s")
				if direct > 0 {
					b.ReportMetric(100*rate/direct, "%-of-direct")
				}
			})
		})
	}
}

// countDelivered counts an endpoint's deliveries recorded delivered.
func countDelivered(b *testing.B, d *db.DB, endpoint int64) int {
	b.Helper()
	var n int
	if err := d.R().QueryRowContext(context.Background(), `SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = $1 AND state = 'delivered'`,
		endpoint).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}
