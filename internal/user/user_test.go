package user_test

import (
	"context"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

var agencyFixture = dbtest.Fixture{Name: "user-agency", Load: func(ctx context.Context, d *db.DB) error {
	now := time.Now().UTC()
	_, err := d.W().ExecContext(ctx, `INSERT INTO agencies (code, name, valid_from, created_at, updated_at) VALUES ('SXD', 'Sở Xây dựng', '2025-07-01', $1, $1)`, now)
	return err
}}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func mustCreate(t *testing.T, s *user.Store, in user.NewUser) user.User {
	t.Helper()
	u, err := s.Create(context.Background(), user.Actor{Origin: "cli"}, in)
	if err != nil {
		t.Fatalf("create %s: %v", in.Email, err)
	}
	return u
}

func auditCount(t *testing.T, d *db.DB, action string) int {
	t.Helper()
	var n int
	if err := d.R().QueryRowContext(context.Background(), `SELECT count(*) FROM audit_events WHERE action = $1`, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCreateValidates(t *testing.T) {
	dbtest.EachWith(t, agencyFixture, func(t *testing.T, d *db.DB) {
		s := user.NewStore(d, time.Now)
		mustCreate(t, s, user.NewUser{Email: "Op@Example.org", Name: "Operator One", Role: user.Operator, Password: "correct horse"})
		tests := []struct {
			name  string
			in    user.NewUser
			code  errs.Code
			field string
		}{
			{"duplicate email, other case", user.NewUser{Email: "op@example.org", Name: "X", Role: user.Operator, Password: "correct horse"}, errs.Conflict, "email"},
			{"bad email", user.NewUser{Email: "not-an-email", Name: "X", Role: user.Operator, Password: "correct horse"}, errs.Invalid, "email"},
			{"no name", user.NewUser{Email: "a@example.org", Name: "  ", Role: user.Operator, Password: "correct horse"}, errs.Invalid, "name"},
			{"unknown role", user.NewUser{Email: "a@example.org", Name: "A", Role: "god", Password: "correct horse"}, errs.Invalid, "role"},
			{"short password", user.NewUser{Email: "a@example.org", Name: "A", Role: user.Operator, Password: "short"}, errs.Invalid, "password"},
			{"agency role without agency", user.NewUser{Email: "a@example.org", Name: "A", Role: user.Agency, Password: "correct horse"}, errs.Invalid, "agency"},
			{"unknown agency", user.NewUser{Email: "a@example.org", Name: "A", Role: user.Agency, AgencyCode: "NOPE", Password: "correct horse"}, errs.NotFound, "agency"},
			{"agency on operator", user.NewUser{Email: "a@example.org", Name: "A", Role: user.Operator, AgencyCode: "SXD", Password: "correct horse"}, errs.Invalid, "agency"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.Create(context.Background(), user.System, tt.in)
				e := errs.As(err)
				if e.Code != tt.code || e.Field != tt.field {
					t.Fatalf("got %v; want code %s field %s", err, tt.code, tt.field)
				}
			})
		}
		u := mustCreate(t, s, user.NewUser{Email: "h@sxd.gov.vn", Name: "Handler", Role: user.Agency, AgencyCode: "sxd", Password: "correct horse"})
		if u.AgencyID == 0 || u.Role != user.Agency {
			t.Fatalf("agency user: %+v", u)
		}
		if n := auditCount(t, d, "user.create"); n != 2 {
			t.Fatalf("user.create audit events: %d, want 2", n)
		}
	})
}

func TestAuthenticate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := user.NewStore(d, time.Now)
		u := mustCreate(t, s, user.NewUser{Email: "sup@example.org", Name: "Sup", Role: user.Supervisor, Password: "correct horse"})
		if got, err := s.Authenticate(ctx, " SUP@example.org ", "correct horse"); err != nil || got.ID != u.ID {
			t.Fatalf("Authenticate = %+v, %v", got, err)
		}
		for _, tc := range []struct{ email, pw string }{{"sup@example.org", "wrong horse"}, {"nobody@example.org", "correct horse"}} {
			if _, err := s.Authenticate(ctx, tc.email, tc.pw); errs.CodeOf(err) != errs.Unauthorized {
				t.Errorf("Authenticate(%s) = %v; want unauthorized", tc.email, err)
			}
		}
		inactive := false
		if _, err := s.Update(ctx, user.System, u.ID, user.Change{Active: &inactive}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "sup@example.org", "correct horse"); errs.CodeOf(err) != errs.Unauthorized {
			t.Errorf("inactive user signed in: %v", err)
		}
	})
}

func TestTokens(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)}
		s := user.NewStore(d, c.now)
		u := mustCreate(t, s, user.NewUser{Email: "op@example.org", Name: "Op", Role: user.Operator, Password: "correct horse"})
		forever, _, err := s.CreateToken(ctx, user.System, u.ID, "cli", 0)
		if err != nil {
			t.Fatal(err)
		}
		short, tok, err := s.CreateToken(ctx, user.System, u.ID, "short", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.ByToken(ctx, short); err != nil || got.ID != u.ID {
			t.Fatalf("ByToken = %+v, %v", got, err)
		}
		c.t = c.t.Add(2 * time.Hour)
		tests := []struct {
			name, token string
			key         string
		}{
			{"expired", short, "auth.token_expired"},
			{"unknown", "hl_" + "x", "auth.token_invalid"},
			{"no prefix", "abc", "auth.token_invalid"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.ByToken(ctx, tt.token)
				if e := errs.As(err); e.Code != errs.Unauthorized || e.Key != tt.key {
					t.Fatalf("ByToken = %v; want unauthorized %s", err, tt.key)
				}
			})
		}
		if _, err := s.ByToken(ctx, forever); err != nil {
			t.Fatalf("non-expiring token: %v", err)
		}
		if err := s.RevokeToken(ctx, user.System, u.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		list, err := s.Tokens(ctx, u.ID)
		if err != nil || len(list) != 2 || !list[0].Revoked {
			t.Fatalf("Tokens = %+v, %v", list, err)
		}
	})
}

func TestSessionsAndDeactivation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)}
		s := user.NewStore(d, c.now)
		u := mustCreate(t, s, user.NewUser{Email: "op@example.org", Name: "Op", Role: user.Operator, Password: "correct horse"})
		a, sa, err := s.CreateSession(ctx, u, "10.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := s.CreateSession(ctx, u, "10.0.0.2", "test")
		if err != nil {
			t.Fatal(err)
		}
		if got, ss, err := s.BySession(ctx, a); err != nil || got.ID != u.ID || ss.CSRF == "" {
			t.Fatalf("BySession = %+v, %+v, %v", got, ss, err)
		}
		if err := s.EndOtherSessions(ctx, u.Actor(""), u.ID, sa.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.BySession(ctx, b); errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("other session still valid: %v", err)
		}
		c.t = c.t.Add(user.IdleTimeout + time.Minute)
		if _, _, err := s.BySession(ctx, a); errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("idle session still valid: %v", err)
		}
		c.t = c.t.Add(-user.IdleTimeout)
		tokenSecret, _, err := s.CreateToken(ctx, user.System, u.ID, "x", 0)
		if err != nil {
			t.Fatal(err)
		}
		c2, _, err := s.CreateSession(ctx, u, "10.0.0.3", "test")
		if err != nil {
			t.Fatal(err)
		}
		off := false
		if _, err := s.Update(ctx, user.System, u.ID, user.Change{Active: &off}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.BySession(ctx, c2); errs.CodeOf(err) != errs.Unauthorized {
			t.Errorf("deactivated user's session valid: %v", err)
		}
		if _, err := s.ByToken(ctx, tokenSecret); errs.CodeOf(err) != errs.Unauthorized {
			t.Errorf("deactivated user's token valid: %v", err)
		}
	})
}

func TestThrottle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := &clock{time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)}
		s := user.NewStore(d, c.now)
		for i := 0; i < user.MaxAccountFailures; i++ {
			if err := s.CheckThrottle(ctx, "a@example.org", "10.0.0.1"); err != nil {
				t.Fatalf("attempt %d throttled early: %v", i+1, err)
			}
			if err := s.RecordFailure(ctx, "a@example.org", "10.0.0.1"); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.CheckThrottle(ctx, "a@example.org", "10.0.0.9"); errs.CodeOf(err) != errs.RateLimited {
			t.Fatalf("account not throttled from another address: %v", err)
		}
		if err := s.CheckThrottle(ctx, "b@example.org", "10.0.0.1"); err != nil {
			t.Fatalf("other account throttled by a few failures on this address: %v", err)
		}
		c.t = c.t.Add(user.ThrottleWindow + time.Second)
		if err := s.CheckThrottle(ctx, "a@example.org", "10.0.0.1"); err != nil {
			t.Fatalf("still throttled after the window: %v", err)
		}
	})
}

func TestSetPassword(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := user.NewStore(d, time.Now)
		u := mustCreate(t, s, user.NewUser{Email: "op@example.org", Name: "Op", Role: user.Operator, Password: "correct horse"})
		if err := s.SetPassword(ctx, u.Actor(""), u.ID, "wrong", "battery staple", 0); errs.As(err).Field != "current_password" {
			t.Fatalf("wrong current password: %v", err)
		}
		if err := s.SetPassword(ctx, u.Actor(""), u.ID, "correct horse", "battery staple", 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "op@example.org", "battery staple"); err != nil {
			t.Fatalf("new password rejected: %v", err)
		}
	})
}
