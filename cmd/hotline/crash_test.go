package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel/zalo/zalotest"
	"github.com/hotline-1022/hotline/internal/db"
)

// buildHotline compiles this command into dir and returns the binary's
// path: the crash test kills a real server process, not a goroutine.
func buildHotline(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "hotline")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// server is a `hotline serve` child process.
type server struct {
	cmd  *exec.Cmd
	url  string
	logs *syncBuffer
	done chan error
}

var servingAddr = regexp.MustCompile(`"msg":"serving","addr":"([0-9.:]+)"`)

// startServer runs `hotline serve` on a free loopback port and waits until
// it answers /readyz.
func startServer(t *testing.T, bin string, env []string) *server {
	t.Helper()
	s := &server{cmd: exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--log-level", "info"), logs: &syncBuffer{}, done: make(chan error, 1)}
	s.cmd.Env = env
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() { s.kill(t) })
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if m := servingAddr.FindStringSubmatch(s.logs.String()); m != nil && s.url == "" {
			s.url = "http://" + m[1]
		}
		if s.url != "" {
			if res, err := http.Get(s.url + "/readyz"); err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					return s
				}
			}
		}
		select {
		case err := <-s.done:
			t.Fatalf("hotline serve exited: %v\n%s", err, s.logs.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("hotline serve did not become ready:\n%s", s.logs.String())
	return nil
}

// kill sends SIGKILL: no shutdown, no flush, the process is gone at once.
func (s *server) kill(t *testing.T) {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		t.Error("hotline serve survived SIGKILL")
	}
}

// stop asks for a clean shutdown.
func (s *server) stop(t *testing.T) {
	t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("hotline serve stopped with %v:\n%s", err, s.logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Error("hotline serve did not stop on SIGTERM")
		s.kill(t)
	}
}

// burstEvent is one signed webhook of the burst.
type burstEvent struct {
	msgID string
	body  []byte
	sig   http.Header
}

// A kill -9 of the server during a burst of signed Zalo webhooks from
// several senders: after a restart, every event that was answered 200 is
// stored exactly once, and the platform's redelivery of everything (what
// was answered and what was not) stores nothing twice.
func TestWebhooksSurviveKill9(t *testing.T) {
	const key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes
	bin := buildHotline(t, t.TempDir())
	for name, dbFor := range engines(t) {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			dsn := dbFor(t, data)
			env := append(os.Environ(), "HOTLINE_DATA="+data, "HOTLINE_DB="+dsn, "HOTLINE_SECRET="+key)
			platform := zalotest.New(t, zalotest.Config{})
			cfg := platform.Config()
			add := exec.Command(bin, "channel", "add", "zalo", "--name", "OA 1022",
				"app_id="+cfg.AppID, "oa_secret="+cfg.OASecret, "app_secret="+cfg.AppSecret,
				"access_token="+cfg.AccessToken, "refresh_token="+cfg.RefreshToken, "api_base="+platform.URL, "oauth_base="+platform.URL)
			add.Env = env
			out, err := add.Output()
			if err != nil {
				t.Fatalf("channel add: %v %s", err, out)
			}
			var added struct {
				ID int64 `json:"id"`
			}
			if err := json.Unmarshal(out, &added); err != nil || added.ID == 0 {
				t.Fatalf("channel add printed %q: %v", out, err)
			}
			path := "/hooks/zalo/" + strconv.FormatInt(added.ID, 10)

			// Six senders, each with its own eight citizens: the first
			// message of each opens a ticket, the later ones join it.
			const senders, users, perSender = 6, 8, 400
			hook := platform.Webhook()
			events := make([][]burstEvent, senders)
			for s := range senders {
				for i := range perSender {
					msgID := fmt.Sprintf("crash%d%05d", s, i)
					body := hook.Text(fmt.Sprintf("84%02d%04d", s, i%users), msgID, fmt.Sprintf("Phản ánh %d-%d: đèn đường hỏng trước số %d.", s, i, i), time.Now())
					events[s] = append(events[s], burstEvent{msgID, body, hook.Header(body)})
				}
			}

			srv := startServer(t, bin, env)
			client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
			post := func(url string, e burstEvent) (int, error) {
				req, _ := http.NewRequest("POST", url+path, bytes.NewReader(e.body))
				req.Header = e.sig.Clone()
				res, err := client.Do(req)
				if err != nil {
					return 0, err
				}
				_, err = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				return res.StatusCode, err
			}
			// Kill the server once a few dozen events are in, while every
			// sender still has hundreds to go.
			var acked sync.Map
			var nAcked atomic.Int64
			const killAfter = 90
			killed := make(chan struct{})
			var wg sync.WaitGroup
			tried := make([]int, senders) // how many events each sender posted
			for s := range senders {
				wg.Go(func() {
					for i, e := range events[s] {
						tried[s] = i + 1
						code, err := post(srv.url, e)
						if err != nil {
							return // the server is gone
						}
						if code != http.StatusOK {
							t.Errorf("event %s: status %d", e.msgID, code)
							return
						}
						acked.Store(e.msgID, true)
						if nAcked.Add(1) == killAfter {
							close(killed)
						}
					}
				})
			}
			select {
			case <-killed:
			case <-time.After(2 * time.Minute):
				t.Fatalf("only %d events acknowledged in 2 minutes", nAcked.Load())
			}
			srv.kill(t)
			wg.Wait()
			n := int(nAcked.Load())
			if n >= senders*perSender {
				t.Fatalf("the burst was over before the kill (%d events)", n)
			}
			t.Logf("%d events acknowledged before kill -9", n)

			// A new server on the same data.
			srv = startServer(t, bin, env)
			prefix := strconv.FormatInt(added.ID, 10) + ":"
			stored := storedOnce(t, dsn, prefix)
			acked.Range(func(k, _ any) bool {
				if c := stored[k.(string)]; c != 1 {
					t.Errorf("acknowledged event %s is stored %d times", k, c)
				}
				return true
			})
			if len(stored) < n || len(stored) > n+senders {
				// At most one request per sender was in flight at the kill.
				t.Errorf("%d events stored for %d acknowledged by %d senders", len(stored), n, senders)
			}
			if t.Failed() {
				return
			}
			// The platform redelivers everything it sent during the burst:
			// each is answered 200, and stored once.
			var again sync.WaitGroup
			for s := range senders {
				again.Go(func() {
					for _, e := range events[s][:tried[s]] {
						if code, err := post(srv.url, e); err != nil || code != http.StatusOK {
							t.Errorf("redelivery of %s: %d %v", e.msgID, code, err)
							return
						}
					}
				})
			}
			again.Wait()
			srv.stop(t)
			for id, c := range storedOnce(t, dsn, prefix) {
				if c != 1 {
					t.Errorf("after redelivery event %s is stored %d times", id, c)
				}
			}
		})
	}
}

// storedOnce counts the inbound Zalo messages by platform message id
// (scoped by prefix, the account), straight from the database.
func storedOnce(t *testing.T, dsn, prefix string) map[string]int {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rows, err := d.R().QueryContext(ctx, `SELECT provider_id, count(*) FROM messages WHERE channel = 'zalo' AND kind = 'inbound' AND provider_id IS NOT NULL GROUP BY provider_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var id string
		var c int
		if err := rows.Scan(&id, &c); err != nil {
			t.Fatal(err)
		}
		if len(id) <= len(prefix) || id[:len(prefix)] != prefix {
			t.Fatalf("a message of another account: %q", id)
		}
		counts[id[len(prefix):]] = c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return counts
}
