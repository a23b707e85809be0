package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

var secretRe = regexp.MustCompile(`id="once-secret">([^<]+)<`)

// shownSecret returns the one-time secret shown on a page, or "".
func shownSecret(body string) string {
	m := secretRe.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// signIn signs in with any email and password and reports whether it
// worked.
func signIn(t *testing.T, c *webtest.Console, email, pw string) (*webtest.Client, bool) {
	t.Helper()
	cl := c.Client(t)
	_, body, _ := cl.Get("/login")
	status, _, loc := cl.PostForm("/login", url.Values{"csrf": {webtest.FormCSRF(body)}, "email": {email}, "password": {pw}, "next": {"/console"}})
	// A leader (viewer) lands on the figures, everyone else on the inbox.
	return cl, status == http.StatusSeeOther && (loc == "/console" || loc == "/console/reports")
}

func TestAdminCreatesUsers(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		admin := c.Login(t, "admin")
		ctx := context.Background()
		tests := []struct {
			name      string
			form      url.Values
			wantField string // the field with an error; "" when created
		}{
			{"admin", url.Values{"email": {"a1@test.vn"}, "name": {"Quản trị 2"}, "role": {"admin"}, "generate": {"1"}}, ""},
			{"supervisor", url.Values{"email": {"s1@test.vn"}, "name": {"Giám sát 2"}, "role": {"supervisor"}, "generate": {"1"}}, ""},
			{"operator with a typed password", url.Values{"email": {"o1@test.vn"}, "name": {"Tổng đài 3"}, "role": {"operator"},
				"password": {"a long enough password"}, "password_confirm": {"a long enough password"}}, ""},
			{"agency with its agency", url.Values{"email": {"g1@test.vn"}, "name": {"Cán bộ SXD"}, "role": {"agency"}, "agency": {"SXD"}, "generate": {"1"}}, ""},
			{"viewer, an agency chosen is ignored", url.Values{"email": {"v1@test.vn"}, "name": {"Lãnh đạo 2"}, "role": {"viewer"}, "agency": {"SXD"}, "generate": {"1"}}, ""},
			{"agency without an agency", url.Values{"email": {"g2@test.vn"}, "name": {"Cán bộ"}, "role": {"agency"}, "generate": {"1"}}, "agency"},
			{"agency with an unknown agency", url.Values{"email": {"g3@test.vn"}, "name": {"Cán bộ"}, "role": {"agency"}, "agency": {"NOPE"}, "generate": {"1"}}, "agency"},
			{"bad email", url.Values{"email": {"not an email"}, "name": {"X"}, "role": {"viewer"}, "generate": {"1"}}, "email"},
			{"email taken", url.Values{"email": {"operator@test.vn"}, "name": {"X"}, "role": {"viewer"}, "generate": {"1"}}, "email"},
			{"no name", url.Values{"email": {"n1@test.vn"}, "name": {" "}, "role": {"viewer"}, "generate": {"1"}}, "name"},
			{"unknown role", url.Values{"email": {"n2@test.vn"}, "name": {"X"}, "role": {"boss"}, "generate": {"1"}}, "role"},
			{"no password", url.Values{"email": {"n3@test.vn"}, "name": {"X"}, "role": {"viewer"}}, "password"},
			{"short password", url.Values{"email": {"n4@test.vn"}, "name": {"X"}, "role": {"viewer"}, "password": {"short"}, "password_confirm": {"short"}}, "password"},
			{"passwords differ", url.Values{"email": {"n5@test.vn"}, "name": {"X"}, "role": {"viewer"}, "password": {"a long enough password"}, "password_confirm": {"another long password"}}, "password_confirm"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				created := eventsBy(t, c, "user.create", c.Accounts["admin"])
				status, body, loc := admin.Post("/console/admin/users", tc.form)
				email := tc.form.Get("email")
				if tc.wantField != "" {
					if status != http.StatusBadRequest || fieldError(body, tc.wantField) == "" {
						t.Fatalf("status %d, error beside %s: %q", status, tc.wantField, fieldError(body, tc.wantField))
					}
					if !strings.Contains(body, `value="`+email+`"`) && tc.wantField != "email" {
						t.Error("the email typed was not kept")
					}
					if strings.Contains(body, "a long enough password") {
						t.Error("a rejected form shows the password back")
					}
					if eventsBy(t, c, "user.create", c.Accounts["admin"]) != created {
						t.Error("a rejected user was audited")
					}
					if u, err := c.Users.ByEmail(ctx, email); err == nil && u.Name != "Test operator" {
						t.Error("a rejected user was stored")
					}
					return
				}
				u, err := c.Users.ByEmail(ctx, email)
				if err != nil {
					t.Fatalf("status %d: %v", status, err)
				}
				if status != http.StatusSeeOther || loc != "/console/admin/users/"+itoa(u.ID) {
					t.Fatalf("created: %d → %q", status, loc)
				}
				if string(u.Role) != tc.form.Get("role") || (u.Role == user.Agency) != (u.AgencyID != 0) {
					t.Errorf("stored role %s, agency %d", u.Role, u.AgencyID)
				}
				if got := eventsBy(t, c, "user.create", c.Accounts["admin"]); got != created+1 {
					t.Errorf("user.create events: %d, want %d", got, created+1)
				}
				_, page, _ := admin.Get(loc)
				pw := shownSecret(page)
				if tc.form.Get("generate") == "1" {
					if pw == "" {
						t.Fatal("the generated password is not shown")
					}
				} else {
					if pw != "" {
						t.Fatal("a typed password is shown back")
					}
					pw = tc.form.Get("password")
				}
				if _, again, _ := admin.Get(loc); shownSecret(again) != "" {
					t.Error("the password is shown a second time")
				}
				if _, ok := signIn(t, c, email, pw); !ok {
					t.Error("the new user cannot sign in with the password")
				}
			})
		}
	})
}

func TestAdminUserFormShowsEveryMistake(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		admin := c.Login(t, "admin")
		status, body, _ := admin.Post("/console/admin/users", url.Values{"email": {"bad"}, "name": {""}, "role": {"agency"}, "password": {"short"}, "password_confirm": {"short"}})
		if status != http.StatusBadRequest {
			t.Fatalf("status %d", status)
		}
		for _, f := range []string{"email", "name", "agency", "password"} {
			if fieldError(body, f) == "" {
				t.Errorf("no error beside %s", f)
			}
		}
		if !strings.Contains(body, `aria-invalid="true" aria-describedby="err-email"`) {
			t.Error("the email field is not marked invalid")
		}
	})
}

func TestAdminEditsUsers(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		ctx := context.Background()
		admin := c.Login(t, "admin")
		op2 := c.Accounts["operator2"]
		path := "/console/admin/users/" + itoa(op2.ID)

		t.Run("deactivating ends the user's session and tokens", func(t *testing.T) {
			victim := c.Login(t, "operator2")
			secret, _, err := c.Users.CreateToken(ctx, user.System, op2.ID, "script", 0)
			if err != nil {
				t.Fatal(err)
			}
			status, _, loc := admin.Post(path, url.Values{"name": {"Test operator2"}, "role": {"operator"}, "locale": {"vi"}})
			if status != http.StatusSeeOther || loc != path {
				t.Fatalf("deactivate: %d %q", status, loc)
			}
			if status, _, loc := victim.Get("/console"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
				t.Errorf("the deactivated user's session still works: %d %q", status, loc)
			}
			if _, err := c.Users.ByToken(ctx, secret); err == nil {
				t.Error("the deactivated user's token still works")
			}
			if _, ok := signIn(t, c, "operator2@test.vn", webtest.Password); ok {
				t.Error("the deactivated user can sign in")
			}
			if eventsBy(t, c, "user.update", c.Accounts["admin"]) != 1 {
				t.Error("no user.update event")
			}
			_, list, _ := admin.Get("/console/admin/users?state=inactive")
			if !strings.Contains(list, "operator2@test.vn") || strings.Contains(list, "operator@test.vn") {
				t.Error("the inactive filter is wrong")
			}
		})
		t.Run("reactivating lets them sign in again", func(t *testing.T) {
			admin.Post(path, url.Values{"name": {"Test operator2"}, "role": {"operator"}, "locale": {"vi"}, "active": {"1"}})
			if _, ok := signIn(t, c, "operator2@test.vn", webtest.Password); !ok {
				t.Error("the reactivated user cannot sign in")
			}
		})
		t.Run("the admin cannot deactivate themself", func(t *testing.T) {
			self := "/console/admin/users/" + itoa(c.Accounts["admin"].ID)
			status, body, _ := admin.Post(self, url.Values{"name": {"Test admin"}, "role": {"admin"}, "locale": {"vi"}})
			if status != http.StatusBadRequest || fieldError(body, "active") == "" {
				t.Fatalf("self-deactivation: %d, error %q", status, fieldError(body, "active"))
			}
			if u, _ := c.Users.Get(ctx, c.Accounts["admin"].ID); !u.Active {
				t.Fatal("the admin deactivated themself")
			}
			if status, _, _ := admin.Get("/console/admin"); status != http.StatusOK {
				t.Error("the admin's session ended")
			}
		})
		t.Run("the admin cannot change their own role", func(t *testing.T) {
			self := "/console/admin/users/" + itoa(c.Accounts["admin"].ID)
			status, body, _ := admin.Post(self, url.Values{"name": {"Test admin"}, "role": {"viewer"}, "locale": {"vi"}, "active": {"1"}})
			if status != http.StatusBadRequest || fieldError(body, "role") == "" {
				t.Fatalf("own role: %d", status)
			}
		})
		t.Run("an agency user needs an agency", func(t *testing.T) {
			status, body, _ := admin.Post(path, url.Values{"name": {"Test operator2"}, "role": {"agency"}, "locale": {"vi"}, "active": {"1"}})
			if status != http.StatusBadRequest || fieldError(body, "agency") == "" {
				t.Fatalf("agency role without agency: %d", status)
			}
			status, _, _ = admin.Post(path, url.Values{"name": {"Cán bộ mới"}, "role": {"agency"}, "agency": {"UBND.TDM"}, "locale": {"en"}, "active": {"1"}})
			u, _ := c.Users.Get(ctx, op2.ID)
			tdm, _ := c.Agencies.ByCode(ctx, "UBND.TDM")
			if status != http.StatusSeeOther || u.Role != user.Agency || u.AgencyID != tdm.ID || u.Name != "Cán bộ mới" || u.Locale != "en" {
				t.Fatalf("edit: %d %+v", status, u)
			}
		})
		t.Run("reset webtest.Password, generated and typed", func(t *testing.T) {
			victim := c.Login(t, "sxd")
			sxd := "/console/admin/users/" + itoa(c.Accounts["sxd"].ID)
			status, _, _ := admin.Post(sxd+"/password", url.Values{"generate": {"1"}})
			if status != http.StatusSeeOther {
				t.Fatalf("reset: %d", status)
			}
			_, page, _ := admin.Get(sxd)
			pw := shownSecret(page)
			if pw == "" {
				t.Fatal("the new password is not shown")
			}
			if status, _, _ := victim.Get("/console"); status != http.StatusSeeOther {
				t.Error("the old session survived the reset")
			}
			if _, ok := signIn(t, c, "sxd@test.vn", pw); !ok {
				t.Error("the new password does not work")
			}
			status, body, _ := admin.Post(sxd+"/password", url.Values{"password": {"a typed password!"}, "password_confirm": {"a typed password?"}})
			if status != http.StatusBadRequest || fieldError(body, "password_confirm") == "" {
				t.Fatalf("mismatch: %d", status)
			}
			admin.Post(sxd+"/password", url.Values{"password": {"a typed password!"}, "password_confirm": {"a typed password!"}})
			if _, ok := signIn(t, c, "sxd@test.vn", "a typed password!"); !ok {
				t.Error("the typed password does not work")
			}
			if n := eventsBy(t, c, "user.password", c.Accounts["admin"]); n != 2 {
				t.Errorf("user.password events: %d, want 2", n)
			}
		})
		t.Run("API tokens: created once, listed, revoked", func(t *testing.T) {
			op := "/console/admin/users/" + itoa(c.Accounts["operator"].ID)
			status, body, _ := admin.Post(op+"/tokens", url.Values{"token_name": {""}, "token_expires": {"30"}})
			if status != http.StatusBadRequest || fieldError(body, "token_name") == "" {
				t.Fatalf("token without a name: %d", status)
			}
			status, _, _ = admin.Post(op+"/tokens", url.Values{"token_name": {"tổng đài IP"}, "token_expires": {"30"}})
			if status != http.StatusSeeOther {
				t.Fatalf("create token: %d", status)
			}
			_, page, _ := admin.Get(op)
			secret := shownSecret(page)
			if !strings.HasPrefix(secret, "hl_") || !strings.Contains(page, "tổng đài IP") {
				t.Fatalf("token page: secret %q", secret)
			}
			if _, again, _ := admin.Get(op); shownSecret(again) != "" {
				t.Error("the token is shown twice")
			}
			if u, err := c.Users.ByToken(ctx, secret); err != nil || u.ID != c.Accounts["operator"].ID {
				t.Fatalf("the token does not work: %v", err)
			}
			tokens, _ := c.Users.Tokens(ctx, c.Accounts["operator"].ID)
			if status, _, _ := admin.Post(op+"/tokens/"+itoa(tokens[0].ID)+"/revoke", nil); status != http.StatusSeeOther {
				t.Fatalf("revoke: %d", status)
			}
			if _, err := c.Users.ByToken(ctx, secret); err == nil {
				t.Error("the revoked token still works")
			}
			if eventsBy(t, c, "token.create", c.Accounts["admin"]) != 1 || eventsBy(t, c, "token.revoke", c.Accounts["admin"]) != 1 {
				t.Error("token events missing")
			}
		})
	})
}
