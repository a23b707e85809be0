package admin_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/ami/amitest"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// An AMI account's page says, from the database (the same on every
// instance), which instance holds the session to the PBX, whether it is up
// (with the PBX's version) and since when, or why not.
func TestAdminAMIPage(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		ctx := context.Background()
		pbx := amitest.New(t, "hotline", "s3cret-ami")
		acct, err := c.Channels.Add(ctx, user.Actor{Origin: "cli"}, channel.AMI, "Tổng đài Asterisk", pbx.Settings())
		if err != nil {
			t.Fatal(err)
		}
		bad := pbx.Settings()
		bad["secret"] = "sai"
		refused, err := c.Channels.Add(ctx, user.Actor{Origin: "cli"}, channel.AMI, "Tổng đài sai", bad)
		if err != nil {
			t.Fatal(err)
		}
		admin := c.Login(t, "admin")
		page := func(id int64) string { return "/console/admin/channels/" + strconv.FormatInt(id, 10) }
		if status, body, _ := admin.Get(page(acct.ID)); status != http.StatusOK || !strings.Contains(body, `data-ami-state="off"`) ||
			!strings.Contains(body, "Tổng đài Asterisk (AMI)") || strings.Contains(body, "s3cret-ami") {
			t.Fatalf("the page of an account not connected (%d)", status)
		}
		c.AMI.Poll, c.AMI.Retry = 50*time.Millisecond, time.Minute
		run, stop := context.WithCancel(ctx)
		done := make(chan error)
		go func() { done <- c.AMI.Run(run) }()
		defer func() { stop(); <-done }()
		pbx.WaitLogin(t)
		deadline := time.Now().Add(30 * time.Second)
		for {
			_, ok, _ := admin.Get(page(acct.ID))
			_, no, _ := admin.Get(page(refused.ID))
			if strings.Contains(ok, `data-ami-state="connected"`) && strings.Contains(ok, "Asterisk Call Manager 9.0.0") &&
				strings.Contains(ok, c.AMI.Name()) && strings.Contains(no, c.AMI.Name()) &&
				strings.Contains(no, `data-ami-state="disconnected"`) && strings.Contains(no, "Authentication failed") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the pages do not show the sessions' states")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}
