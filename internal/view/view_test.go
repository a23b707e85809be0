package view_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/view"
)

var users = dbtest.Fixture{Name: "view", Load: func(ctx context.Context, d *db.DB) error {
	_, err := d.W().ExecContext(ctx, `INSERT INTO users (id, email, name, role, created_at, updated_at) VALUES
		(1, 'a@x.vn', 'A', 'operator', $1, $1), (2, 'b@x.vn', 'B', 'operator', $1, $1)`, time.Now().UTC())
	return err
}}

func TestSavedViews(t *testing.T) {
	dbtest.EachWith(t, users, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := view.NewStore(d, time.Now)
		q := url.Values{"tab": {"all"}, "category": {"dat_dai"}, "cursor": {"abc"}, "area": {""}, "view": {"9"}}
		v, err := s.Save(ctx, 1, "  Đất   đai ", q)
		if err != nil {
			t.Fatal(err)
		}
		if v.Name != "Đất đai" || v.Query.Encode() != "category=dat_dai&tab=all" {
			t.Fatalf("saved %q with %q; want the name tidied and the paging, view and empty values dropped", v.Name, v.Query.Encode())
		}
		for _, c := range []struct {
			name, label string
			q           url.Values
			code        errs.Code
		}{
			{"no name", " ", q, errs.Invalid},
			{"a long name", strings.Repeat("x", view.MaxName+1), q, errs.Invalid},
			{"no filter", "Trống", url.Values{"cursor": {"x"}}, errs.Invalid},
			{"a name taken", "Đất đai", url.Values{"state": {"received"}}, errs.Conflict},
			{"a huge filter", "Lớn", url.Values{"q": {strings.Repeat("a", view.MaxQuery)}}, errs.Invalid},
		} {
			if _, err := s.Save(ctx, 1, c.label, c.q); errs.CodeOf(err) != c.code || errs.As(err).Field != "name" {
				t.Errorf("%s: %v, want %s on the name", c.name, err, c.code)
			}
		}
		// Another user may use the same name; each sees only their own.
		if _, err := s.Save(ctx, 2, "Đất đai", url.Values{"state": {"received"}}); err != nil {
			t.Fatal(err)
		}
		mine, err := s.List(ctx, 1)
		if err != nil || len(mine) != 1 || mine[0].ID != v.ID || mine[0].Query.Get("category") != "dat_dai" {
			t.Fatalf("list of user 1: %+v, %v", mine, err)
		}
		for i := 1; i < view.MaxPerUser; i++ {
			if _, err := s.Save(ctx, 1, "V"+strings.Repeat("i", i), url.Values{"state": {"received"}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Save(ctx, 1, "Một nữa", url.Values{"state": {"received"}}); errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("view %d: %v, want refused", view.MaxPerUser+1, err)
		}
		if err := s.Delete(ctx, 2, v.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("another user's delete: %v, want not found", err)
		}
		if err := s.Delete(ctx, 1, v.ID); err != nil {
			t.Fatal(err)
		}
		if mine, _ := s.List(ctx, 1); len(mine) != view.MaxPerUser-1 {
			t.Fatalf("after delete user 1 has %d views", len(mine))
		}
	})
}
