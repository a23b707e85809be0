package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/user"
)

func TestSignInOutAndThrottle(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		c := newConsole(t, d)
		cl := c.login(t, "operator")
		if status, body, _ := cl.get("/console"); status != 200 || !strings.Contains(body, "Test operator") {
			t.Fatalf("inbox after sign-in: %d", status)
		}
		if status, _, loc := cl.post("/logout", nil); status != http.StatusSeeOther || loc != "/login" {
			t.Fatalf("logout: %d %q", status, loc)
		}
		if status, _, loc := cl.get("/console"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
			t.Fatalf("after logout: %d %q", status, loc)
		}
		// Wrong passwords: the sixth attempt is refused even with the right one.
		bad := c.client(t)
		for i := 0; i < user.MaxAccountFailures; i++ {
			_, body, _ := bad.get("/login")
			status, page, _ := bad.postForm("/login", url.Values{"csrf": {formCSRF(body)}, "email": {"sxd@test.vn"}, "password": {"wrong password!"}})
			if status != http.StatusUnauthorized || !strings.Contains(page, `role="alert"`) {
				t.Fatalf("wrong password %d: status %d", i+1, status)
			}
		}
		_, body, _ := bad.get("/login")
		status, page, _ := bad.postForm("/login", url.Values{"csrf": {formCSRF(body)}, "email": {"sxd@test.vn"}, "password": {password}})
		if status != http.StatusTooManyRequests || !strings.Contains(page, "15") {
			t.Fatalf("throttled sign-in: %d", status)
		}
	})
}

func TestLoginAndFormsNeedCSRF(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, reference)
	c := newConsole(t, d)
	anon := c.client(t)
	anon.get("/login")
	if status, _, _ := anon.postForm("/login", url.Values{"csrf": {"forged"}, "email": {"operator@test.vn"}, "password": {password}}); status != http.StatusForbidden {
		t.Fatalf("sign-in with a forged token: %d", status)
	}
	cl := c.login(t, "operator")
	for _, path := range []string{"/logout", "/console/account/password", "/console/account/sessions/end-others"} {
		if status, _, _ := cl.postForm(path, url.Values{"csrf": {"forged"}}); status != http.StatusForbidden {
			t.Errorf("POST %s with a forged token: %d, want 403", path, status)
		}
		if status, _, _ := cl.postForm(path, url.Values{}); status != http.StatusForbidden {
			t.Errorf("POST %s without a token: %d, want 403", path, status)
		}
	}
}

func TestLanguageSwitch(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, reference)
	c := newConsole(t, d)
	cl := c.login(t, "operator")
	_, vi, _ := cl.get("/console")
	if !strings.Contains(vi, `lang="vi"`) || !strings.Contains(vi, "Hộp tiếp nhận") {
		t.Fatal("the console is not Vietnamese by default")
	}
	if status, _, loc := cl.get("/lang?to=en&next=/console"); status != http.StatusSeeOther || loc != "/console" {
		t.Fatalf("switch: %d %q", status, loc)
	}
	_, en, _ := cl.get("/console")
	if !strings.Contains(en, `lang="en"`) || !strings.Contains(en, "Inbox") || strings.Contains(en, "Hộp tiếp nhận") {
		t.Fatal("the console did not switch to English")
	}
	if _, _, loc := cl.get("/lang?to=en&next=//evil.example"); loc != "/console" {
		t.Fatalf("open redirect: %q", loc)
	}
}

func TestPasswordChangeShowsErrorsBesideFields(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, reference)
	c := newConsole(t, d)
	cl := c.login(t, "operator")
	status, body, _ := cl.post("/console/account/password", url.Values{"current_password": {"nope"}, "new_password": {"a much longer pass"}, "confirm_password": {"a much longer pass"}})
	if status != http.StatusBadRequest || !strings.Contains(body, `id="err-current_password"`) {
		t.Fatalf("wrong current password: %d", status)
	}
	status, body, _ = cl.post("/console/account/password", url.Values{"current_password": {password}, "new_password": {"short"}, "confirm_password": {"short"}})
	if status != http.StatusBadRequest || !strings.Contains(body, `id="err-new_password"`) {
		t.Fatalf("short password: %d", status)
	}
	status, _, loc := cl.post("/console/account/password", url.Values{"current_password": {password}, "new_password": {"a much longer pass"}, "confirm_password": {"a much longer pass"}})
	if status != http.StatusSeeOther || loc != "/console/account" {
		t.Fatalf("change: %d %q", status, loc)
	}
}
