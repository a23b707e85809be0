// Package webtest is the console's test harness, shared by the tests of
// internal/web and its rooms: a real hotline (the app's own wiring) on a
// real database, and a cookie-keeping HTTP client that signs in and
// submits forms with their CSRF token, as a browser does. Browser tests
// in Chromium (browser.go) build on the same console.
package webtest

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
	"time"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/app"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/secret"
	"github.com/hotline-1022/hotline/internal/user"
)

// Reference is a database with every province and ward, the default
// categories and the holidays.
var Reference = dbtest.Fixture{Name: "web-reference", Load: func(ctx context.Context, d *db.DB) error {
	return app.New(app.Config{}, d, nil, nil).Migrate(ctx)
}}

// Password is every test account's password.
const Password = "correct horse battery"

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

// Console is a running hotline for tests.
type Console struct {
	*app.App
	Server   *httptest.Server
	Accounts map[string]user.User // the test accounts by name
}

// NewConsole starts hotline on d with two agencies and one account per
// role.
func NewConsole(t testing.TB, d *db.DB) *Console {
	t.Helper()
	return newConsole(t, d, app.Config{Province: "79"}, clock.New(time.Now))
}

// NewConsoleWith is NewConsole with the given configuration, for a test
// that needs a data directory.
func NewConsoleWith(t testing.TB, d *db.DB, cfg app.Config) *Console {
	t.Helper()
	return newConsole(t, d, cfg, clock.New(time.Now))
}

// NewConsoleAt is NewConsole on the clock c, for pages that depend on the
// hour or the day.
func NewConsoleAt(t testing.TB, d *db.DB, c clock.Clock) *Console {
	t.Helper()
	return newConsole(t, d, app.Config{Province: "79"}, c)
}

func newConsole(t testing.TB, d *db.DB, cfg app.Config, c clock.Clock) *Console {
	t.Helper()
	ctx := context.Background()
	k, _ := secret.ParseKey(secret.NewKey())
	box, err := secret.New(k)
	if err != nil {
		t.Fatal(err)
	}
	a := app.NewWithClock(cfg, d, box, slog.New(slog.DiscardHandler), c)
	con := &Console{App: a, Accounts: map[string]user.User{}}
	for _, ag := range []agency.Agency{
		{Code: "SXD", Name: "Sở Xây dựng", ValidFrom: "2025-07-01"},
		{Code: "UBND.TDM", Name: "UBND phường Thủ Dầu Một", Kind: agency.KindWard, AreaCode: "25747", ValidFrom: "2025-07-01"},
	} {
		if _, err := a.Agencies.Create(ctx, user.System, ag); err != nil {
			t.Fatal(err)
		}
	}
	for _, acc := range accounts {
		u, err := a.Users.Create(ctx, user.System, user.NewUser{Email: acc.name + "@test.vn", Name: "Test " + acc.name, Role: acc.role, AgencyCode: acc.agency, Password: Password})
		if err != nil {
			t.Fatal(err)
		}
		con.Accounts[acc.name] = u
	}
	con.Server = httptest.NewServer(a.Handler())
	t.Cleanup(con.Server.Close)
	return con
}

// Client is a cookie-keeping HTTP client that does not follow redirects,
// so tests can check where a form sends the browser.
type Client struct {
	T    testing.TB
	HTTP *http.Client
	CSRF string // the session's token, once signed in
	c    *Console
}

// Client returns a client with no session.
func (c *Console) Client(t testing.TB) *Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &Client{T: t, c: c, HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Login signs in as an account and returns the client.
func (c *Console) Login(t testing.TB, who string) *Client {
	t.Helper()
	cl := c.Client(t)
	status, body, _ := cl.Get("/login")
	if status != 200 {
		t.Fatalf("GET /login: %d", status)
	}
	status, _, loc := cl.PostForm("/login", url.Values{"csrf": {FormCSRF(body)}, "email": {who + "@test.vn"}, "password": {Password}, "next": {"/console"}})
	want := "/console"
	if c.Accounts[who].Role == user.Viewer {
		want = "/console/reports" // a leader lands on the figures
	}
	if status != http.StatusSeeOther || loc != want {
		t.Fatalf("sign in as %s: %d → %q", who, status, loc)
	}
	if status, body, _ = cl.Get("/console"); status != 200 {
		t.Fatalf("GET /console as %s: %d", who, status)
	}
	cl.CSRF = pageCSRF(body)
	if cl.CSRF == "" {
		t.Fatal("no CSRF token on the console page")
	}
	return cl
}

var (
	formCSRFRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	pageCSRFRe = regexp.MustCompile(`data-csrf="([^"]+)"`)
)

// FormCSRF is the CSRF token of the first form on a page.
func FormCSRF(body string) string {
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

// Do sends a request: status, body, Location.
func (cl *Client) Do(req *http.Request) (int, string, string) {
	cl.T.Helper()
	res, err := cl.HTTP.Do(req)
	if err != nil {
		cl.T.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header.Get("Location")
}

// Get fetches a page: status, body, Location.
func (cl *Client) Get(path string) (int, string, string) {
	cl.T.Helper()
	req, err := http.NewRequest("GET", cl.URL(path), nil)
	if err != nil {
		cl.T.Fatal(err)
	}
	return cl.Do(req)
}

// PostForm submits a form exactly as given (no CSRF token added).
func (cl *Client) PostForm(path string, form url.Values) (int, string, string) {
	cl.T.Helper()
	req, err := http.NewRequest("POST", cl.URL(path), strings.NewReader(form.Encode()))
	if err != nil {
		cl.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return cl.Do(req)
}

// Post submits a form with the session's CSRF token, as the console's
// own forms do.
func (cl *Client) Post(path string, form url.Values) (int, string, string) {
	cl.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", cl.CSRF)
	return cl.PostForm(path, form)
}

// URL is the address of a path on the client's console.
func (cl *Client) URL(path string) string { return cl.c.Server.URL + path }

// Actor is a test account as the domain sees it.
func (c *Console) Actor(name string) user.Actor { return c.Accounts[name].Actor("127.0.0.1") }
