package app_test

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
)

// Shutting down does not wait for browsers to hang up their live streams.
func TestShutdownEndsLiveStreams(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, reference)
	ta := newTestApp(t, d)
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- ta.Serve(ctx, ln) }()
	u, err := ta.Users.ByEmail(ctx, "operator@test.vn")
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := ta.Users.CreateSession(ctx, u, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/console/events", nil)
	req.AddCookie(&http.Cookie{Name: "hotline_session", Value: secret})
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	line, err := bufio.NewReader(res.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "retry:") {
		t.Fatalf("the live stream did not start: %q %v", line, err)
	}
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("shutdown took %s with a live stream open", took)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("shutdown waited for the live stream")
	}
}
