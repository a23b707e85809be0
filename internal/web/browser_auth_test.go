package web_test

import (
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

const loginSubmit = `form[action="/login"] button[type=submit]`

func TestBrowserSignIn(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	b := webtest.NewBrowser(t, c)

	// The console sends a stranger to the sign-in page, and back after it.
	b.Visit("/console?tab=all")
	if u := b.CurrentURL(); u.Path != "/login" || u.Query().Get("next") != "/console?tab=all" {
		t.Fatalf("an anonymous visit to the console landed on %s, want /login?next=/console?tab=all", u)
	}
	if got := b.Lang(); got != "vi" {
		t.Errorf("the sign-in page is in %q, want vi", got)
	}

	// A wrong password: the translated error, announced, beside the form;
	// the email stays, the password does not.
	b.Fill("Thư điện tử", "operator@test.vn")
	b.Fill("Mật khẩu", "not the password")
	if status := b.ClickToLoad(loginSubmit); status != 401 {
		t.Errorf("a wrong password answered HTTP %d, want 401", status)
	}
	b.WaitText(`[role="alert"]`, c.Catalog.T(i18n.VI, "auth.bad_credentials"))
	if u := b.CurrentURL(); u.Path != "/login" {
		t.Fatalf("a wrong password led to %s", u)
	}
	if n := b.Count("header .who"); n != 0 {
		t.Fatal("a wrong password signed the user in")
	}
	if got := webtest.Eval[string](b, `document.getElementById("email").value`); got != "operator@test.vn" {
		t.Errorf("the email field holds %q after a wrong webtest.Password, want it kept", got)
	}
	if got := webtest.Eval[string](b, `document.getElementById("password").value`); got != "" {
		t.Errorf("the password field holds %q after a wrong webtest.Password, want it empty", got)
	}
	if got := webtest.Eval[string](b, `document.getElementById("email").getAttribute("aria-describedby") || ""`); got == "" ||
		webtest.Eval[string](b, `document.getElementById(`+webtest.JSString(got)+`)?.getAttribute("role") || ""`) != "alert" {
		t.Errorf("the email field is not described by the error (aria-describedby=%q)", got)
	}

	// The right password: the console, as asked for before, with the
	// user's name in the header.
	b.Fill("Mật khẩu", webtest.Password)
	if status := b.ClickToLoad(loginSubmit); status != 200 {
		t.Fatalf("signing in answered HTTP %d on %s", status, b.CurrentURL())
	}
	if u := b.CurrentURL(); u.Path != "/console" || u.Query().Get("tab") != "all" {
		t.Errorf("signed in to %s, want /console?tab=all", u)
	}
	b.WaitText("header .who", "Test operator")
	b.WaitText("h1", "Hộp tiếp nhận")

	// Signing out returns to the sign-in page with a notice, and the
	// console is closed again.
	b.ClickToLoad(`form[action="/logout"] button[type=submit]`)
	if u := b.CurrentURL(); u.Path != "/login" {
		t.Fatalf("signed out to %s, want /login", u)
	}
	b.WaitText(`[role="status"]`, c.Catalog.T(i18n.VI, "login.signed_out"))
	if n := b.Count("header .who"); n != 0 {
		t.Error("the header still names the user after signing out")
	}
	b.Visit("/console")
	if u := b.CurrentURL(); u.Path != "/login" {
		t.Errorf("after signing out, /console showed %s, want the sign-in page", u)
	}
}

func TestBrowserSignInThrottled(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	b := webtest.NewBrowser(t, c)
	b.Visit("/login")
	wrong := c.Catalog.T(i18n.VI, "auth.bad_credentials")
	// The promise to the user: five wrong passwords lock the account for
	// 15 minutes (not user.MaxAccountFailures, so that changing it fails
	// this test).
	for i := 1; i <= 5; i++ {
		b.Fill("email", "sxd@test.vn")
		b.Fill("password", "wrong password "+strings.Repeat("!", i))
		if status := b.ClickToLoad(loginSubmit); status != 401 {
			t.Fatalf("wrong password %d answered HTTP %d, want 401", i, status)
		}
		b.WaitText(`[role="alert"]`, wrong)
	}
	// The sixth attempt is refused even with the right password.
	b.Fill("email", "sxd@test.vn")
	b.Fill("password", webtest.Password)
	if status := b.ClickToLoad(loginSubmit); status != 429 {
		t.Fatalf("the sixth attempt answered HTTP %d, want 429 (throttled), on %s", status, b.CurrentURL())
	}
	msg := b.WaitText(`[role="alert"]`, c.Catalog.T(i18n.VI, "auth.throttled", "minutes", "15"))
	if !strings.Contains(msg, "15 phút") {
		t.Errorf("the throttling message %q does not say when to try again (15 minutes)", msg)
	}
	if u := b.CurrentURL(); u.Path != "/login" || b.Count("header .who") != 0 {
		t.Fatalf("a throttled sign-in with the right password went through to %s", u)
	}
	b.Visit("/console")
	if u := b.CurrentURL(); u.Path != "/login" {
		t.Errorf("a throttled sign-in left a session: /console showed %s", u)
	}
}
