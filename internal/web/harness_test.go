package web_test

// A test harness for the console: a real hotline (the app's own wiring)
// on a real database, and a cookie-keeping HTTP client that signs in and
// submits forms with their CSRF token, as a browser does. Browser tests
// in Chromium build on the same console.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/secret"
	"github.com/hotline-1022/hotline/internal/user"
)

// reference is a database with every province and ward, the default
// categories and the holidays.
var reference = dbtest.Fixture{Name: "web-reference", Load: func(ctx context.Context, d *db.DB) error {
	return app.New(app.Config{}, d, nil, nil).Migrate(ctx)
}}

// password is every test account's password.
const password = "correct horse battery"

// accounts are the test staff: name → role and agency. Their email is
// name@test.vn.
var accounts = []struct {
	name   string
	role   user.Role
	agency string
}{
	{"operator", user.Operator, ""}, {"operator2", user.Operator, ""}, {"supervisor", user.Supervisor, ""},
	{"sxd", user.Agency, "SXD"}, {"tdm", user.Agency, "UBND.TDM"}, {"viewer", user.Viewer, ""}, {"admin", user.Admin, ""},
}

// console is a running hotline for tests.
type console struct {
	*app.App
	srv   *httptest.Server
	users map[string]user.User
}

// newConsole starts hotline on d with two agencies and one account per
// role.
func newConsole(t testing.TB, d *db.DB) *console {
	t.Helper()
	ctx := context.Background()
	k, _ := secret.ParseKey(secret.NewKey())
	box, err := secret.New(k)
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(app.Config{Province: "79"}, d, box, slog.New(slog.DiscardHandler))
	c := &console{App: a, users: map[string]user.User{}}
	for _, ag := range []agency.Agency{
		{Code: "SXD", Name: "Sở Xây dựng", ValidFrom: "2025-07-01"},
		{Code: "UBND.TDM", Name: "UBND phường Thủ Dầu Một", Kind: agency.KindWard, AreaCode: "25747", ValidFrom: "2025-07-01"},
	} {
		if _, err := a.Agencies.Create(ctx, user.System, ag); err != nil {
			t.Fatal(err)
		}
	}
	for _, acc := range accounts {
		u, err := a.Users.Create(ctx, user.System, user.NewUser{Email: acc.name + "@test.vn", Name: "Test " + acc.name, Role: acc.role, AgencyCode: acc.agency, Password: password})
		if err != nil {
			t.Fatal(err)
		}
		c.users[acc.name] = u
	}
	c.srv = httptest.NewServer(a.Handler())
	t.Cleanup(c.srv.Close)
	return c
}

// client is a cookie-keeping HTTP client that does not follow redirects,
// so tests can check where a form sends the browser.
type client struct {
	t    testing.TB
	c    *console
	http *http.Client
	csrf string
}

func (c *console) client(t testing.TB) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &client{t: t, c: c, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// login signs in as an account and returns the client.
func (c *console) login(t testing.TB, who string) *client {
	t.Helper()
	cl := c.client(t)
	status, body, _ := cl.get("/login")
	if status != 200 {
		t.Fatalf("GET /login: %d", status)
	}
	status, _, loc := cl.postForm("/login", url.Values{"csrf": {formCSRF(body)}, "email": {who + "@test.vn"}, "password": {password}, "next": {"/console"}})
	if status != http.StatusSeeOther || loc != "/console" {
		t.Fatalf("sign in as %s: %d → %q", who, status, loc)
	}
	if status, body, _ = cl.get("/console"); status != 200 {
		t.Fatalf("GET /console as %s: %d", who, status)
	}
	cl.csrf = pageCSRF(body)
	if cl.csrf == "" {
		t.Fatal("no CSRF token on the console page")
	}
	return cl
}

var (
	formCSRFRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	pageCSRFRe = regexp.MustCompile(`data-csrf="([^"]+)"`)
)

func formCSRF(body string) string {
	m := formCSRFRe.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func pageCSRF(body string) string {
	m := pageCSRFRe.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func (cl *client) do(req *http.Request) (int, string, string) {
	cl.t.Helper()
	res, err := cl.http.Do(req)
	if err != nil {
		cl.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header.Get("Location")
}

// get fetches a page: status, body, Location.
func (cl *client) get(path string) (int, string, string) {
	cl.t.Helper()
	req, err := http.NewRequest("GET", cl.c.srv.URL+path, nil)
	if err != nil {
		cl.t.Fatal(err)
	}
	return cl.do(req)
}

// postForm submits a form exactly as given (no CSRF token added).
func (cl *client) postForm(path string, form url.Values) (int, string, string) {
	cl.t.Helper()
	req, err := http.NewRequest("POST", cl.c.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		cl.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return cl.do(req)
}

// post submits a form with the session's CSRF token, as the console's
// own forms do.
func (cl *client) post(path string, form url.Values) (int, string, string) {
	cl.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", cl.csrf)
	return cl.postForm(path, form)
}
