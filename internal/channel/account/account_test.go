package account_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/account"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/secret"
	"github.com/hotline-1022/hotline/internal/user"
)

// Last inbound is kept to the second: webhooks within a second of the
// recorded one leave the row alone, so that they do not queue on its lock.
func TestInboundIsKeptToTheSecond(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		k, _ := secret.ParseKey(secret.NewKey())
		box, err := secret.New(k)
		if err != nil {
			t.Fatal(err)
		}
		s := account.NewStore(d, box, time.Now)
		a, err := s.Add(ctx, user.Actor{Origin: "cli"}, channel.Viber, "Bot", map[string]string{"auth_token": "x", "sender_name": "1022"})
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
		for _, step := range []struct {
			at, want time.Time
		}{
			{t0, t0},                             // the first
			{t0.Add(400 * time.Millisecond), t0}, // within the second: unchanged
			{t0.Add(999 * time.Millisecond), t0}, // still within
			{t0.Add(1500 * time.Millisecond), t0.Add(1500 * time.Millisecond)},
			{t0.Add(time.Hour), t0.Add(time.Hour)}, // much later
		} {
			// Once as a webhook that read the account before does, once as
			// one that read it long ago: the row decides.
			before, err := s.Get(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, last := range []time.Time{before.LastInbound, {}} {
				if err := d.Tx(ctx, func(tx *sql.Tx) error { return account.Inbound(ctx, tx, a.ID, step.at, last) }); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.Get(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !got.LastInbound.Equal(step.want) {
				t.Errorf("after an inbound at %s: last inbound %s, want %s", step.at.Format(time.StampMilli), got.LastInbound.Format(time.StampMilli), step.want.Format(time.StampMilli))
			}
		}
	})
}
