package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/loadtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// BenchmarkIntake measures recording a report three ways on each engine,
// in one run so the figures compare:
//
//	raw:     one single-row INSERT transaction into a bare table shaped like
//	         tickets: the database's own limit on this machine;
//	service: ticket.Service.Create (contact, ticket, search index,
//	         timeline, audit, routing, in one transaction);
//	api:     POST /api/v1/tickets through the real HTTP stack.
//
// Each runs with 8 concurrent clients (b.SetParallelism on 2 cores):
//
//	go test -run '^$' -bench Intake -benchtime 5s ./internal/app/
func BenchmarkIntake(b *testing.B) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.Open(b, dialect, reference)
			ta := newTestApp(b, d)
			ctx := context.Background()
			if _, err := d.W().ExecContext(ctx, `CREATE TABLE bench_raw AS SELECT * FROM tickets WHERE 1 = 0`); err != nil {
				b.Fatal(err)
			}
			reports := make([][]byte, 4096)
			gen := loadtest.NewGenerator(1022)
			for i := range reports {
				rep := gen.Report([]string{"ha_tang_giao_thong", "dat_dai", "ve_sinh_rac"}, []string{"25747", "25942", "26743"})
				reports[i], _ = json.Marshal(rep)
			}
			var n atomic.Int64
			next := func() []byte { return reports[n.Add(1)%int64(len(reports))] }

			b.Run("raw", func(b *testing.B) {
				b.SetParallelism(4)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						now := time.Now().UTC()
						code := fmt.Sprintf("R%09d", n.Add(1))
						_, err := d.W().ExecContext(ctx, `INSERT INTO bench_raw (id, code, state, kind, priority, channel, address, title, content, share_identity,
								received_at, deadline, warn_at, answer, rating_comment, public_title, public_content, public_answer, updated_at)
							VALUES ($1, $2, 'received', 'report', 'normal', 'phone', '', 'Ổ gà', $3, FALSE, $4, $4, $4, '', '', '', '', '', $4)`,
							n.Load(), code, string(next()), now)
						if err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			})

			b.Run("service", func(b *testing.B) {
				op := user.Actor{UserID: 1, Role: user.Operator}
				b.SetParallelism(4)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						var rep struct {
							Channel, Content, Title, Category, Area string
							Contact                                 *struct{ Name, Phone, Email string }
						}
						_ = json.Unmarshal(next(), &rep)
						nt := ticket.NewTicket{Channel: ticket.Channel(rep.Channel), Content: rep.Content, Title: rep.Title, Category: rep.Category, Area: rep.Area}
						if rep.Contact != nil {
							nt.Contact = contact.Input{Name: rep.Contact.Name, Phone: rep.Contact.Phone, Email: rep.Contact.Email}
						}
						if _, err := ta.Tickets.Create(ctx, op, nt); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
			})

			b.Run("api", func(b *testing.B) {
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
				b.SetParallelism(4)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						req, _ := http.NewRequest("POST", ta.srv.URL+"/api/v1/tickets", bytes.NewReader(next()))
						req.Header.Set("Authorization", "Bearer "+ta.tokens["operator"])
						req.Header.Set("Content-Type", "application/json")
						res, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						res.Body.Close()
						if res.StatusCode != http.StatusCreated {
							b.Errorf("status %d", res.StatusCode)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
			})
		})
	}
}
