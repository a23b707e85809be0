package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/loadtest"
	"github.com/hotline-1022/hotline/internal/user"
)

// The load tool's webhook mode, against the real router: every event it
// counts was signed well enough to be stored, and returning citizens join
// their tickets rather than open new ones.
func TestLoadtestPostsSignedZaloWebhooks(t *testing.T) {
	dbtest.EachWith(t, reference, func(t *testing.T, d *db.DB) {
		ta := newTestApp(t, d)
		ctx := context.Background()
		acct, err := ta.Channels.Add(ctx, user.Actor{Origin: "cli"}, channel.Zalo, "OA 1022",
			map[string]string{"app_id": "4318092617320125813", "oa_secret": "oa-secret-lt", "access_token": "access-lt", "api_base": "http://127.0.0.1:9"})
		if err != nil {
			t.Fatal(err)
		}
		res, err := loadtest.Run(ctx, loadtest.Config{Target: ta.srv.URL, Concurrency: 3, Duration: 800 * time.Millisecond, Seed: 7,
			Zalo: &loadtest.Zalo{Channel: acct.ID, AppID: "4318092617320125813", OASecret: "oa-secret-lt", Returning: 60}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Requests < 6 || res.Errors != 0 || res.Status[200] != res.Requests || len(res.Notes) != 0 || !res.Webhooks {
			t.Fatalf("result %+v", res)
		}
		var messages, tickets int
		if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE channel = 'zalo' AND kind = 'inbound'`).Scan(&messages); err != nil {
			t.Fatal(err)
		}
		if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE channel_account_id = $1`, acct.ID).Scan(&tickets); err != nil {
			t.Fatal(err)
		}
		if messages != res.Requests+res.Abandoned && messages != res.Requests {
			t.Errorf("%d messages stored for %d events counted", messages, res.Requests)
		}
		if tickets < 3 || tickets >= messages {
			t.Errorf("%d tickets for %d messages: returning citizens should join theirs", tickets, messages)
		}
		// A wrong secret is refused, and the run says so.
		bad, err := loadtest.Run(ctx, loadtest.Config{Target: ta.srv.URL, Concurrency: 1, Duration: 200 * time.Millisecond,
			Zalo: &loadtest.Zalo{Channel: acct.ID, AppID: "4318092617320125813", OASecret: "not-it"}})
		if err != nil || bad.Requests == 0 || bad.Errors != bad.Requests || bad.Status[401] != bad.Requests {
			t.Fatalf("with a wrong secret: %+v %v", bad, err)
		}
	})
}
