package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/viber/vibertest"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/queue"
	"github.com/hotline-1022/hotline/internal/user"
)

// BenchmarkOutbound measures the durable outbound queue draining a backlog
// of b.N replies to a local fake platform (vibertest), against the rate
// at which the same adapter sends to the same fake directly, in the same
// run, on each engine:
//
//	direct: b.N sends through the Viber adapter with as many goroutines as
//	        the queue has workers: the fake platform's own rate here;
//	queue:  b.N outbound messages committed with their send jobs while no
//	        queue runs (a backlog), then the queue started and timed until
//	        the fake has taken them all, each recorded as sent on its
//	        message. It reports its rate as a percentage of direct's.
//
// One op is one message; the figure is a backlog of 10,000:
//
//	go test -run '^$' -bench Outbound -benchtime 10000x ./internal/app/
func BenchmarkOutbound(b *testing.B) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.Open(b, dialect, reference)
			// The production defaults; BENCH_WORKERS tries another number of
			// workers.
			qc := queue.Config{}
			qc.Workers, _ = strconv.Atoi(os.Getenv("BENCH_WORKERS"))
			ta := newTestAppWith(b, d, app.Config{Province: "79", Queue: qc}, clock.New(time.Now))
			platform := vibertest.New(b, vibertest.Config{AuthToken: "viber-bench"})
			acct, err := ta.Channels.Add(context.Background(), user.Actor{Origin: "cli"}, channel.Viber, "bench", platform.Settings())
			if err != nil {
				b.Fatal(err)
			}
			workers := 32 // queue.Config's default
			if qc.Workers != 0 {
				workers = qc.Workers
			}
			var direct float64
			b.Run("direct", func(b *testing.B) {
				ctx := context.Background()
				a, err := ta.Channels.Open(ctx, acct.ID, false)
				if err != nil {
					b.Fatal(err)
				}
				ad := ta.Adapters[channel.Viber]
				var n atomic.Int64
				var wg sync.WaitGroup
				b.ResetTimer()
				for range workers {
					wg.Go(func() {
						for i := n.Add(1); i <= int64(b.N); i = n.Add(1) {
							if _, err := ad.Send(ctx, a, channel.Outbound{UserID: "u" + strconv.FormatInt(i%100, 10), Text: "Trả lời số " + strconv.FormatInt(i, 10)}); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				direct = float64(b.N) / b.Elapsed().Seconds()
				b.ReportMetric(direct, "msgs/s")
			})
			b.Run("queue", func(b *testing.B) {
				before := platform.Attempts()
				mustBacklog(b, ta, platform, acct.ID, b.N)
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				b.ResetTimer()
				go func() { done <- ta.Queue.Run(ctx) }()
				for platform.Attempts()-before < b.N {
					time.Sleep(2 * time.Millisecond)
				}
				// Done when the last one is recorded as sent, not only taken.
				for countQueued(b, d, acct.ID) > 0 {
					time.Sleep(2 * time.Millisecond)
				}
				b.StopTimer()
				rate := float64(b.N) / b.Elapsed().Seconds()
				cancel()
				if err := <-done; err != nil {
					b.Fatal(err)
				}
				if got := platform.Attempts() - before; got != b.N {
					b.Fatalf("the fake took %d sends for %d messages", got, b.N)
				}
				b.ReportMetric(rate, "msgs/s")
				if direct > 0 {
					b.ReportMetric(100*rate/direct, "%-of-direct")
				}
			})
		})
	}
}

// mustBacklog queues n outbound messages on the account: n/10 citizens
// write (each new ticket's acknowledgement is queued, as in production),
// then the rest are replies on their tickets, about ten a ticket, written
// with their send jobs through the relay's outbox in one transaction,
// while no queue runs.
func mustBacklog(b *testing.B, ta *testApp, platform *vibertest.Server, acct int64, n int) {
	b.Helper()
	hook := platform.Webhook()
	citizens := max(1, n/10)
	url := ta.srv.URL + "/hooks/viber/" + strconv.FormatInt(acct, 10)
	stamp := time.Now().UnixNano()
	for i := range citizens {
		body := hook.Text(vibertest.NewUser(fmt.Sprintf("u%d-%d", stamp, i), "Người dân"), uint64(stamp)+uint64(i), "Đèn đường hỏng trước nhà", time.Now())
		req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
		req.Header = hook.Header(body)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("webhook: %d", res.StatusCode)
		}
	}
	ctx := context.Background()
	tickets := ticketsOf(b, ta.DB, acct)
	tickets = tickets[len(tickets)-citizens:]
	now := time.Now().UTC()
	err := ta.DB.Tx(ctx, func(tx *sql.Tx) error {
		for i := range n - citizens {
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO messages (ticket_id, kind, channel, body, event, data, delivery, created_at)
				VALUES ($1, 'outbound', 'viber', $2, 'reply', '{}', 'queued', $3) RETURNING id`,
				tickets[i%citizens], "Trả lời số "+strconv.Itoa(i), now).Scan(&id); err != nil {
				return err
			}
			if err := ta.Relay.Enqueue(ctx, tx, id, 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if q := countQueued(b, ta.DB, acct); q != n {
		b.Fatalf("%d messages queued, want %d", q, n)
	}
}

// countQueued counts the account's outbound messages still queued.
func countQueued(b *testing.B, d *db.DB, acct int64) int {
	b.Helper()
	var n int
	if err := d.R().QueryRowContext(context.Background(), `SELECT count(*) FROM messages m JOIN tickets t ON t.id = m.ticket_id
		WHERE t.channel_account_id = $1 AND m.kind = 'outbound' AND m.delivery = 'queued'`, acct).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}
