package open311_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/secret"
	"github.com/hotline-1022/hotline/internal/user"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// reference is a migrated database with Vietnam's wards and the default
// categories, as a fresh install has.
var reference = dbtest.Fixture{Name: "open311-reference", Load: func(ctx context.Context, d *db.DB) error {
	return app.New(app.Config{}, d, nil, nil).Migrate(ctx)
}}

// start is the test's fixed "now": Monday 2 March 2026, 09:00 in Vietnam.
var start = time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)

type server struct {
	*app.App
	srv     *httptest.Server
	clock   *clock.Manual
	key     string            // a working api_key
	token   map[string]string // staff API tokens by role
	logs    *bytes.Buffer
	reports int // reports made, for their reporters' phone numbers
}

func newServer(t *testing.T, d *db.DB) *server {
	t.Helper()
	return newServerWith(t, d, app.Config{Province: "74"})
}

// newServerWith is newServer with a configuration of its own.
func newServerWith(t *testing.T, d *db.DB, cfg app.Config) *server {
	t.Helper()
	ctx := context.Background()
	k, _ := secret.ParseKey(secret.NewKey())
	box, err := secret.New(k)
	if err != nil {
		t.Fatal(err)
	}
	m := clock.NewManual(start)
	s := &server{clock: m, token: map[string]string{}, logs: &bytes.Buffer{}}
	s.App = app.NewWithClock(cfg, d, box, nil, m.Clock())
	for _, acc := range []struct {
		name string
		role user.Role
	}{{"supervisor", user.Supervisor}, {"admin", user.Admin}} {
		u, err := s.Users.Create(ctx, user.System, user.NewUser{Email: acc.name + "@test.vn", Name: acc.name, Role: acc.role, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		if s.token[acc.name], _, err = s.Users.CreateToken(ctx, user.System, u.ID, "test", 0); err != nil {
			t.Fatal(err)
		}
	}
	if s.key, _, err = s.Open311Keys.Create(ctx, user.Actor{Origin: "cli"}, "FixMyStreet test"); err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewServer(s.Handler())
	t.Cleanup(s.srv.Close)
	return s
}

// get fetches path from the server; it returns the status, the content
// type and the body.
func (s *server) get(t *testing.T, path string) (int, string, []byte) {
	t.Helper()
	return s.do(t, http.MethodGet, path, "", nil)
}

func (s *server) do(t *testing.T, method, path, contentType string, body io.Reader) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header.Get("Content-Type"), b
}

// mustJSON gets path, wants status want and decodes the JSON body.
func (s *server) mustJSON(t *testing.T, path string, want int) any {
	t.Helper()
	code, ct, b := s.get(t, path)
	if code != want || ct != "application/json; charset=utf-8" {
		t.Fatalf("GET %s: %d %s, want %d JSON: %s", path, code, ct, want, b)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, b)
	}
	return v
}

// schemas compiles testdata/schema/NAME.json.
func schema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("testdata", "schema", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// mustValidate checks a JSON body against the named schema.
func mustValidate(t *testing.T, name string, body []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v: %s", name, err, body)
	}
	if err := schema(t, name).Validate(v); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, body)
	}
}

var (
	hostPort  = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	changeset = regexp.MustCompile(`(<changeset>|"changeset":")[^<"]*`)
)

// golden compares a body with testdata/golden/NAME, the test server's
// address and the changeset (when the fixture was built) made stable.
func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	body = hostPort.ReplaceAll(body, []byte("hotline.test"))
	body = changeset.ReplaceAll(body, []byte("${1}CHANGESET"))
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(body, want) {
		t.Errorf("%s differs from the golden file:\n got: %s\nwant: %s", name, body, want)
	}
}

// post sends a form, url-encoded.
func (s *server) post(t *testing.T, path string, form url.Values) (int, string, []byte) {
	t.Helper()
	return s.do(t, http.MethodPost, path, "application/x-www-form-urlencoded; charset=utf-8", strings.NewReader(form.Encode()))
}

// staff calls the staff API with a role's token.
func (s *server) staff(t *testing.T, role, method, path string, body any) map[string]any {
	t.Helper()
	buf, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, s.srv.URL+path, bytes.NewReader(buf))
	req.Header.Set("Authorization", "Bearer "+s.token[role])
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	_ = json.Unmarshal(raw, &out)
	return out
}
