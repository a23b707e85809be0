package admin_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// An admin creates an Open311 key (shown once, in the reader's
// language), sees it listed and revokes it; the key works until then,
// and both steps are audited under the admin's name.
func TestAdminManagesOpen311Keys(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		ctx := context.Background()
		admin := c.Login(t, "admin")
		status, body, _ := admin.Post("/console/admin/open311", url.Values{"name": {"  "}})
		if status != http.StatusBadRequest || fieldError(body, "name") == "" {
			t.Fatalf("a key without a name: %d", status)
		}
		if status, _, _ := admin.Post("/console/admin/open311", url.Values{"name": {"FixMyStreet Bình Dương"}}); status != http.StatusSeeOther {
			t.Fatalf("create: %d", status)
		}
		_, page, _ := admin.Get("/console/admin/open311")
		secret := shownSecret(page)
		if !strings.HasPrefix(secret, "o311_") || !strings.Contains(page, "FixMyStreet Bình Dương") || !strings.Contains(page, "Khóa Open311") {
			t.Fatalf("keys page: secret %q", secret)
		}
		if _, again, _ := admin.Get("/console/admin/open311"); shownSecret(again) != "" {
			t.Error("the key is shown twice")
		}
		key, err := c.Open311Keys.Check(ctx, secret)
		if err != nil {
			t.Fatalf("the key does not work: %v", err)
		}
		if status, _, _ := admin.Post("/console/admin/open311/"+itoa(key.ID)+"/revoke", nil); status != http.StatusSeeOther {
			t.Fatalf("revoke: %d", status)
		}
		if _, err := c.Open311Keys.Check(ctx, secret); errs.CodeOf(err) != errs.Forbidden {
			t.Errorf("the revoked key: %v", err)
		}
		if status, _, _ := admin.Post("/console/admin/open311/"+itoa(key.ID)+"/revoke", nil); status != http.StatusConflict {
			t.Errorf("revoking twice: %d", status)
		}
		if eventsBy(t, c, "open311.key_create", c.Accounts["admin"]) != 1 || eventsBy(t, c, "open311.key_revoke", c.Accounts["admin"]) != 1 {
			t.Error("key events missing from the audit log")
		}
		if _, _, err := c.Open311Keys.Create(ctx, c.Actor("supervisor"), "x"); !errors.Is(err, errs.E(errs.Forbidden, "")) {
			t.Errorf("a supervisor created a key: %v", err)
		}
	})
}
