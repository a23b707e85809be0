package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/dbtest"
)

// syncBuffer is written by a server goroutine and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// hotline runs the command line in-process with its own streams and
// environment, and returns the exit status and outputs.
func hotline(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut syncBuffer
	e := &environment{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut, getenv: func(k string) string { return env[k] }}
	code := run(context.Background(), args, e)
	return code, out.String(), errOut.String()
}

// engines gives the --db of each engine: a SQLite file under data, and a
// fresh PostgreSQL database when one is available.
func engines(t *testing.T) map[string]func(t *testing.T, data string) string {
	return map[string]func(t *testing.T, data string) string{
		"sqlite": func(t *testing.T, data string) string { return filepath.Join(data, "hotline.db") },
		"postgres": func(t *testing.T, data string) string {
			return dbtest.EmptyPostgres(t)
		},
	}
}

func TestAdministrationCommands(t *testing.T) {
	for name, dbFor := range engines(t) {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			env := map[string]string{"HOTLINE_DATA": data, "HOTLINE_DB": dbFor(t, data)}
			if code, out, errOut := hotline(t, env, "", "migrate"); code != 0 || !strings.Contains(out, "schema is at version") {
				t.Fatalf("migrate: %d %q %q", code, out, errOut)
			}
			if code, _, _ := hotline(t, env, "", "migrate"); code != 0 {
				t.Fatal("a second migrate failed")
			}
			code, out, errOut := hotline(t, env, "correct horse battery\n", "user", "add", "--email", "Op@Example.org", "--name", "Tổng đài viên", "--role", "operator")
			if code != 0 || !strings.Contains(out, "op@example.org") {
				t.Fatalf("user add: %d %q %q", code, out, errOut)
			}
			bad := []struct {
				name  string
				stdin string
				args  []string
				want  string
			}{
				{"no password", "", []string{"user", "add", "--email", "x@example.org", "--name", "X", "--role", "operator"}, "no password on stdin"},
				{"duplicate email", "correct horse battery\n", []string{"user", "add", "--email", "op@example.org", "--name", "X", "--role", "operator"}, "(email)"},
				{"agency role without agency", "correct horse battery\n", []string{"user", "add", "--email", "a@example.org", "--name", "A", "--role", "agency"}, "(agency)"},
				{"unknown role", "correct horse battery\n", []string{"user", "add", "--email", "a@example.org", "--name", "A", "--role", "god"}, "(role)"},
				{"token for nobody", "", []string{"token", "create", "--email", "nobody@example.org"}, "hotline:"},
			}
			for _, tt := range bad {
				code, _, errOut := hotline(t, env, tt.stdin, tt.args...)
				if code != 1 || !strings.Contains(errOut, tt.want) {
					t.Errorf("%s: exit %d, stderr %q; want 1 and %q", tt.name, code, errOut, tt.want)
				}
			}
			code, out, _ = hotline(t, env, "", "token", "create", "--email", "op@example.org", "--expires-in", "720h")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if code != 0 || !strings.HasPrefix(lines[len(lines)-1], "hl_") {
				t.Fatalf("token create: %d %q", code, out)
			}
			// A flag wins over the environment.
			if code, out, _ := hotline(t, map[string]string{"HOTLINE_DATA": t.TempDir(), "HOTLINE_DB": env["HOTLINE_DB"]}, "", "user", "list"); code != 0 || !strings.Contains(out, "op@example.org") {
				t.Fatalf("user list from the environment: %d %q", code, out)
			}
			if code, out, _ := hotline(t, env, "", "audit", "verify"); code != 0 || !strings.Contains(out, "audit chain intact: 2 events") {
				t.Fatalf("audit verify: %d %q", code, out)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	if code, _, errOut := hotline(t, nil, "", "frobnicate"); code != 2 || !strings.Contains(errOut, "hotline serve") {
		t.Fatalf("unknown command: %d %q", code, errOut)
	}
	if code, _, _ := hotline(t, nil, ""); code != 0 {
		t.Fatalf("no command: %d", code)
	}
	if code, _, errOut := hotline(t, nil, "", "migrate", "--bogus"); code != 2 && code != 1 || !strings.Contains(errOut, "bogus") {
		t.Fatalf("bad flag: %d %q", code, errOut)
	}
}

func TestServeNeedsAKeyOutsideDemo(t *testing.T) {
	data := t.TempDir()
	code, _, errOut := hotline(t, map[string]string{"HOTLINE_DATA": data}, "", "serve", "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errOut, "HOTLINE_SECRET is not set") {
		t.Fatalf("serve without a key: %d %q", code, errOut)
	}
	code, _, errOut = hotline(t, map[string]string{"HOTLINE_DATA": data, "HOTLINE_SECRET": "c2hvcnQ="}, "", "serve", "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errOut, "HOTLINE_SECRET") {
		t.Fatalf("serve with a bad key: %d %q", code, errOut)
	}
}

// The demo starts with its key file, answers, and shuts down cleanly when
// told to stop.
func TestServeDemoAndShutDown(t *testing.T) {
	data := t.TempDir()
	var out, errOut syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	e := &environment{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--demo-tickets", "20", "--data", data, "--addr", "127.0.0.1:0"}, e)
	}()
	var url string
	deadline := time.Now().Add(60 * time.Second)
	for url == "" && time.Now().Before(deadline) {
		if m := regexp.MustCompile(`running at (http://\S+)`).FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
		time.Sleep(50 * time.Millisecond)
	}
	if url == "" {
		cancel()
		t.Fatalf("the demo did not start: %s", errOut.String())
	}
	res, err := http.Get(url + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", res, err)
	}
	res.Body.Close()
	if !strings.Contains(out.String(), "tongdai1@demo.hotline.vn") || !strings.Contains(out.String(), "hotline-demo") {
		t.Fatalf("the demo accounts are not printed: %s", out.String())
	}
	st, err := os.Stat(filepath.Join(data, "secret.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret.key: %v %v", st, err)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(errOut.String(), `"msg":"stopped"`) {
			t.Fatalf("shutdown: exit %d, log %s", code, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	// Later commands on the same data directory read the demo's key.
	if code, out, errOut := hotline(t, map[string]string{"HOTLINE_DATA": data}, "", "token", "create", "--email", "tongdai1@demo.hotline.vn"); code != 0 || !strings.Contains(out, "hl_") {
		t.Fatalf("token after the demo: %d %q %q", code, out, errOut)
	}
}
