package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/zalo/zalotest"
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
//	rows:    one transaction writing the rows an intake writes, with all
//	         their indexes, in plain SQL: the database's price of a ticket;
//	service: ticket.Service.Create (contact, ticket, search index,
//	         timeline, audit, routing, in one transaction);
//	api:     POST /api/v1/tickets through the real HTTP stack;
//	hook-new, hook-returning: signed Zalo webhooks (POST /hooks/zalo/{id})
//	         that open a ticket, and that join one.
//
// Each runs with 8 concurrent clients (b.SetParallelism on 2 cores); the
// HTTP ones report their p99 latency too. The engines are SQLite, SQLite
// with synchronous=NORMAL instead of FULL (what durability costs), and
// PostgreSQL:
//
//	go test -run '^$' -bench Intake -benchtime 5s ./internal/app/
//	go test -run '^$' -bench 'Intake/.*/(api|hook)' -benchtime 3s ./internal/app/
func BenchmarkIntake(b *testing.B) {
	for _, engine := range []struct {
		name    string
		dialect db.Dialect
		normal  bool
	}{{"sqlite", db.SQLite, false}, {"sqlite-normal", db.SQLite, true}, {"postgres", db.Postgres, false}} {
		b.Run(engine.name, func(b *testing.B) {
			d := dbtest.Open(b, engine.dialect, reference)
			ta := newTestApp(b, d)
			ctx := context.Background()
			if engine.normal {
				// The writer is one connection kept for the database's
				// life, so the setting holds for every write.
				var mode int
				if _, err := d.W().ExecContext(ctx, `PRAGMA synchronous=NORMAL`); err != nil {
					b.Fatal(err)
				}
				if err := d.W().QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&mode); err != nil || mode != 1 {
					b.Fatalf("synchronous is %d (%v), want 1 (NORMAL)", mode, err)
				}
			}
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

			// rows: one transaction writing the rows an intake writes (contact
			// and identity, ticket with its indexes and search entry,
			// timeline message, audit event) with plain SQL and no
			// application code: the database's own price for a ticket.
			b.Run("rows", func(b *testing.B) {
				b.SetParallelism(4)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := n.Add(1)
						body := string(next())
						err := d.Tx(ctx, func(tx *sql.Tx) error {
							now := time.Now().UTC()
							var contactID, ticketID int64
							if err := tx.QueryRowContext(ctx, `INSERT INTO contacts (name_enc, phone_enc, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id`,
								[]byte("0123456789012345678901234567890123456789"), []byte("012345678901234567890123456789"), now).Scan(&contactID); err != nil {
								return err
							}
							if _, err := tx.ExecContext(ctx, `INSERT INTO contact_identities (contact_id, kind, value_hash, value_enc, created_at) VALUES ($1, 'phone', $2, $3, $4)`,
								contactID, []byte(fmt.Sprintf("%032d", i)), []byte("0123456789012345678901234567890123456789"), now); err != nil {
								return err
							}
							ins := `INSERT INTO tickets (code, state, kind, priority, channel, category_id, area_code, province_code, content, title, contact_id, received_at, deadline, warn_at, updated_at)
								VALUES ($1, 'received', 'report', 'normal', 'phone', 1, '25747', '79', $2, 'Ổ gà', $3, $4, $4, $4, $4) RETURNING id`
							if d.Dialect == db.Postgres {
								ins = strings.Replace(ins, "updated_at)", "updated_at, search)", 1)
								ins = strings.Replace(ins, "$4, $4) RETURNING", "$4, $4, to_tsvector('simple', $2)) RETURNING", 1)
							}
							if err := tx.QueryRowContext(ctx, ins, fmt.Sprintf("Q%04d-%05d", i/100000, i%100000), body, contactID, now).Scan(&ticketID); err != nil {
								return err
							}
							if d.Dialect == db.SQLite {
								if _, err := tx.ExecContext(ctx, `INSERT INTO tickets_fts (rowid, body) VALUES ($1, $2)`, ticketID, body); err != nil {
									return err
								}
							}
							if _, err := tx.ExecContext(ctx, `INSERT INTO messages (ticket_id, kind, channel, body, created_at) VALUES ($1, 'call', 'phone', $2, $3)`, ticketID, body, now); err != nil {
								return err
							}
							_, err := tx.ExecContext(ctx, `INSERT INTO audit_events (at, actor, action, ticket_id, detail) VALUES ($1, 'operator', 'ticket.receive', $2, '{"channel":"phone"}')`, now, ticketID)
							return err
						})
						if err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
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
				postParallel(b, "tickets/s", http.StatusCreated, func() *http.Request {
					req, _ := http.NewRequest("POST", ta.srv.URL+"/api/v1/tickets", bytes.NewReader(next()))
					req.Header.Set("Authorization", "Bearer "+ta.tokens["operator"])
					req.Header.Set("Content-Type", "application/json")
					return req
				})
			})

			// hook: signed Zalo text events through POST /hooks/zalo/{id},
			// from citizens writing for the first time (each event opens a
			// ticket, with its acknowledgement queued) and from citizens
			// with an open ticket (each event joins it). The queue's
			// workers do not run: this is the intake alone, as api is.
			hook := benchZalo(b, ta)
			texts := make([]string, len(reports))
			for i, r := range reports {
				var rep struct{ Content string }
				_ = json.Unmarshal(r, &rep)
				texts[i] = rep.Content
			}
			b.Run("hook-new", func(b *testing.B) {
				postParallel(b, "events/s", http.StatusOK, func() *http.Request {
					i := n.Add(1)
					return hook.request(fmt.Sprintf("new%d", i), fmt.Sprintf("hn%d", i), texts[i%int64(len(texts))])
				})
			})
			const returning = 256
			b.Run("hook-returning", func(b *testing.B) {
				hook.seed(b, returning)
				postParallel(b, "events/s", http.StatusOK, func() *http.Request {
					i := n.Add(1)
					return hook.request(fmt.Sprintf("back%d", i%returning), fmt.Sprintf("hr%d", i), texts[i%int64(len(texts))])
				})
			})
		})
	}
}

// postParallel runs request with 8 concurrent clients (b.SetParallelism
// on 2 cores) and reports the rate of answers with status want, in unit,
// and the 99th percentile of their latency.
func postParallel(b *testing.B, unit string, want int, request func() *http.Request) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	var mu sync.Mutex
	var all []time.Duration
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		defer func() {
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
		for pb.Next() {
			req := request()
			began := time.Now()
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			mine = append(mine, time.Since(began))
			if res.StatusCode != want {
				b.Errorf("status %d, want %d", res.StatusCode, want)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(all[(len(all)*99+99)/100-1].Microseconds())/1000, "p99-ms")
	}
}

// zaloBench is a Zalo OA account on the test app and the platform's way of
// signing its webhooks.
type zaloBench struct {
	url    string // the account's webhook URL
	hook   zalotest.Webhook
	seeded bool
}

func benchZalo(b *testing.B, ta *testApp) *zaloBench {
	hook := zalotest.Webhook{AppID: "4318092617320125813", OAID: "2214998811233344556", OASecret: "oa-secret-bench"}
	acct, err := ta.Channels.Add(context.Background(), user.Actor{Origin: "cli"}, channel.Zalo, "OA bench",
		map[string]string{"app_id": hook.AppID, "oa_secret": hook.OASecret, "access_token": "access-bench", "api_base": "http://127.0.0.1:9"})
	if err != nil {
		b.Fatal(err)
	}
	return &zaloBench{url: ta.srv.URL + "/hooks/zalo/" + strconv.FormatInt(acct.ID, 10), hook: hook}
}

// request is a signed user_send_text from userID.
func (z *zaloBench) request(userID, msgID, text string) *http.Request {
	body := z.hook.Text(userID, msgID, text, time.Now())
	req, _ := http.NewRequest("POST", z.url, bytes.NewReader(body))
	req.Header = z.hook.Header(body)
	return req
}

// seed opens a ticket for each of n citizens, once.
func (z *zaloBench) seed(b *testing.B, n int) {
	if z.seeded {
		return
	}
	for i := range n {
		res, err := http.DefaultClient.Do(z.request(fmt.Sprintf("back%d", i), fmt.Sprintf("hs%d", i), "Xin chào, tôi muốn phản ánh việc đèn đường hỏng."))
		if err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("seed: status %d", res.StatusCode)
		}
	}
	z.seeded = true
	b.ResetTimer()
}

// BenchmarkAgencyList measures an agency's list of 200 tickets through the
// API, each with its own reporter to scrub from the text:
//
//	go test -run '^$' -bench AgencyList ./internal/app/
func BenchmarkAgencyList(b *testing.B) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			ta := newTestApp(b, dbtest.Open(b, dialect, reference))
			mustAgencyQueue(b, ta, 200)
			before := ta.Contacts.Lookups()
			b.ResetTimer()
			for b.Loop() {
				req, _ := http.NewRequest("GET", ta.srv.URL+"/api/v1/tickets?limit=200", nil)
				req.Header.Set("Authorization", "Bearer "+ta.tokens["sxd"])
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatalf("status %d", res.StatusCode)
				}
			}
			b.ReportMetric(float64(ta.Contacts.Lookups()-before)/float64(b.N), "lookups/op")
		})
	}
}
