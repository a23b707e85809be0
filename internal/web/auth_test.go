package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

func TestSignInOutAndThrottle(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		cl := c.Login(t, "operator")
		if status, body, _ := cl.Get("/console"); status != 200 || !strings.Contains(body, "Test operator") {
			t.Fatalf("inbox after sign-in: %d", status)
		}
		if status, _, loc := cl.Post("/logout", nil); status != http.StatusSeeOther || loc != "/login" {
			t.Fatalf("logout: %d %q", status, loc)
		}
		if status, _, loc := cl.Get("/console"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
			t.Fatalf("after logout: %d %q", status, loc)
		}
		// Wrong passwords: the sixth attempt is refused even with the right one.
		bad := c.Client(t)
		for i := 0; i < user.MaxAccountFailures; i++ {
			_, body, _ := bad.Get("/login")
			status, page, _ := bad.PostForm("/login", url.Values{"csrf": {webtest.FormCSRF(body)}, "email": {"sxd@test.vn"}, "password": {"wrong password!"}})
			if status != http.StatusUnauthorized || !strings.Contains(page, `role="alert"`) {
				t.Fatalf("wrong password %d: status %d", i+1, status)
			}
		}
		_, body, _ := bad.Get("/login")
		status, page, _ := bad.PostForm("/login", url.Values{"csrf": {webtest.FormCSRF(body)}, "email": {"sxd@test.vn"}, "password": {webtest.Password}})
		if status != http.StatusTooManyRequests || !strings.Contains(page, "15") {
			t.Fatalf("throttled sign-in: %d", status)
		}
	})
}

func TestLoginAndFormsNeedCSRF(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, webtest.Reference)
	c := webtest.NewConsole(t, d)
	anon := c.Client(t)
	anon.Get("/login")
	if status, _, _ := anon.PostForm("/login", url.Values{"csrf": {"forged"}, "email": {"operator@test.vn"}, "password": {webtest.Password}}); status != http.StatusForbidden {
		t.Fatalf("sign-in with a forged token: %d", status)
	}
	cl := c.Login(t, "operator")
	for _, path := range []string{"/logout", "/console/account/password", "/console/account/sessions/end-others"} {
		if status, _, _ := cl.PostForm(path, url.Values{"csrf": {"forged"}}); status != http.StatusForbidden {
			t.Errorf("POST %s with a forged token: %d, want 403", path, status)
		}
		if status, _, _ := cl.PostForm(path, url.Values{}); status != http.StatusForbidden {
			t.Errorf("POST %s without a token: %d, want 403", path, status)
		}
	}
}

func TestLanguageSwitch(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, webtest.Reference)
	c := webtest.NewConsole(t, d)
	cl := c.Login(t, "operator")
	_, vi, _ := cl.Get("/console")
	if !strings.Contains(vi, `lang="vi"`) || !strings.Contains(vi, "Hộp tiếp nhận") {
		t.Fatal("the console is not Vietnamese by default")
	}
	if status, _, loc := cl.Get("/lang?to=en&next=/console"); status != http.StatusSeeOther || loc != "/console" {
		t.Fatalf("switch: %d %q", status, loc)
	}
	_, en, _ := cl.Get("/console")
	if !strings.Contains(en, `lang="en"`) || !strings.Contains(en, "Inbox") || strings.Contains(en, "Hộp tiếp nhận") {
		t.Fatal("the console did not switch to English")
	}
	if _, _, loc := cl.Get("/lang?to=en&next=//evil.example"); loc != "/console" {
		t.Fatalf("open redirect: %q", loc)
	}
}

func TestPasswordChangeShowsErrorsBesideFields(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, webtest.Reference)
	c := webtest.NewConsole(t, d)
	cl := c.Login(t, "operator")
	status, body, _ := cl.Post("/console/account/password", url.Values{"current_password": {"nope"}, "new_password": {"a much longer pass"}, "confirm_password": {"a much longer pass"}})
	if status != http.StatusBadRequest || !strings.Contains(body, `id="err-current_password"`) {
		t.Fatalf("wrong current password: %d", status)
	}
	status, body, _ = cl.Post("/console/account/password", url.Values{"current_password": {webtest.Password}, "new_password": {"short"}, "confirm_password": {"short"}})
	if status != http.StatusBadRequest || !strings.Contains(body, `id="err-new_password"`) {
		t.Fatalf("short webtest.Password: %d", status)
	}
	status, _, loc := cl.Post("/console/account/password", url.Values{"current_password": {webtest.Password}, "new_password": {"a much longer pass"}, "confirm_password": {"a much longer pass"}})
	if status != http.StatusSeeOther || loc != "/console/account" {
		t.Fatalf("change: %d %q", status, loc)
	}
}
