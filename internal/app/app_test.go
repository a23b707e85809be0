package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/secret"
	"github.com/hotline-1022/hotline/internal/user"
)

// reference is a database with the real reference data: every province
// and ward, the default categories and holidays.
var reference = dbtest.Fixture{Name: "app-reference", Load: func(ctx context.Context, d *db.DB) error {
	return app.New(app.Config{}, d, nil, nil).Migrate(ctx)
}}

// syncBuffer is a log sink tests can read while the server writes.
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

// testApp is a running hotline with one account per role.
type testApp struct {
	*app.App
	srv    *httptest.Server
	logs   *syncBuffer
	tokens map[string]string // by account name
}

func newTestApp(t testing.TB, d *db.DB) *testApp {
	t.Helper()
	return newTestAppWith(t, d, app.Config{Province: "79"}, clock.New(time.Now))
}

// newTestAppAt is newTestApp on the clock c.
func newTestAppAt(t testing.TB, d *db.DB, c clock.Clock) *testApp {
	t.Helper()
	return newTestAppWith(t, d, app.Config{Province: "79"}, c)
}

// newTestAppWith is newTestApp with a configuration and clock of its own.
func newTestAppWith(t testing.TB, d *db.DB, cfg app.Config, c clock.Clock) *testApp {
	t.Helper()
	ctx := context.Background()
	k, _ := secret.ParseKey(secret.NewKey())
	box, err := secret.New(k)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	a := app.NewWithClock(cfg, d, box, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), c)
	ta := &testApp{App: a, logs: logs, tokens: map[string]string{}}
	for _, ag := range []agency.Agency{
		{Code: "SXD", Name: "Sở Xây dựng", ValidFrom: "2025-07-01"},
		{Code: "UBND.TDM", Name: "UBND phường Thủ Dầu Một", Kind: agency.KindWard, AreaCode: "25747", ValidFrom: "2025-07-01"},
	} {
		if _, err := a.Agencies.Create(ctx, user.System, ag); err != nil {
			t.Fatal(err)
		}
	}
	for _, acc := range []struct {
		name   string
		role   user.Role
		agency string
	}{
		{"operator", user.Operator, ""}, {"operator2", user.Operator, ""}, {"supervisor", user.Supervisor, ""},
		{"sxd", user.Agency, "SXD"}, {"tdm", user.Agency, "UBND.TDM"}, {"viewer", user.Viewer, ""}, {"admin", user.Admin, ""},
	} {
		u, err := a.Users.Create(ctx, user.System, user.NewUser{Email: acc.name + "@test.vn", Name: acc.name, Role: acc.role, AgencyCode: acc.agency, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := a.Users.CreateToken(ctx, user.System, u.ID, "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		ta.tokens[acc.name] = tok
	}
	ta.srv = httptest.NewServer(a.Handler())
	t.Cleanup(ta.srv.Close)
	return ta
}

// call makes an API request as an account ("" for none) and decodes the
// JSON answer into a map.
func (ta *testApp) call(t *testing.T, who, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, ta.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		tok := ta.tokens[who]
		if tok == "" {
			tok = who // a raw token
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if len(raw) > 0 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: bad JSON %q", method, path, raw)
		}
	}
	return res.StatusCode, out
}

func (ta *testApp) must(t *testing.T, who, method, path string, body any, want int) map[string]any {
	t.Helper()
	status, out := ta.call(t, who, method, path, body)
	if status != want {
		t.Fatalf("%s %s as %s: status %d, want %d: %v", method, path, who, status, want, out)
	}
	return out
}

func errCode(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func errField(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	s, _ := e["field"].(string)
	return s
}

func errMessage(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

func mustTime(t *testing.T, v any) time.Time {
	t.Helper()
	s, _ := v.(string)
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("not an RFC 3339 time: %v", v)
	}
	return tm
}
