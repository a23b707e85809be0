package calls_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/call"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// A missed call is on the log and the call-back list with the number for
// the desk and masked for a viewer; logging the call-back empties the list.
func TestCallLogAndCallbackList(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		ctx := context.Background()
		acct, err := c.Channels.Add(ctx, user.Actor{Origin: "cli"}, channel.CTI, "Tổng đài", nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range []call.Event{{Type: call.NewCall}, {Type: call.Hangup, Cause: "noAnswer"}} {
			ev.CallID, ev.From, ev.To, ev.Direction = "1.1", "84912345678", "842743822022", call.In
			if _, err := c.Calls.Record(ctx, acct.ID, ev); err != nil {
				t.Fatal(err)
			}
		}
		op := c.Login(t, "operator")
		if st, body, _ := op.Get("/console/calls?tab=callbacks"); st != http.StatusOK || !strings.Contains(body, "84912345678") || !strings.Contains(body, "Không trả lời") {
			t.Fatalf("call-back list: %d %s", st, body)
		}
		vw := c.Login(t, "viewer")
		if st, body, _ := vw.Get("/console/calls"); st != http.StatusOK || strings.Contains(body, "84912345678") || strings.Contains(body, "callback-form") {
			t.Fatalf("viewer sees the number or the form: %d", st)
		}
		p, _ := c.Calls.List(ctx, c.Actor("operator"), call.Filter{Callbacks: true})
		if len(p.Calls) != 1 {
			t.Fatalf("call-backs %d", len(p.Calls))
		}
		st, _, loc := op.Post("/console/calls/"+itoa(p.Calls[0].ID)+"/callback", map[string][]string{"note": {"đã gọi lại"}})
		if st != http.StatusSeeOther || loc != "/console/calls?tab=callbacks" {
			t.Fatalf("log call-back: %d %s", st, loc)
		}
		if p, _ := c.Calls.List(ctx, c.Actor("operator"), call.Filter{Callbacks: true}); len(p.Calls) != 0 {
			t.Fatal("the call-back is still owed")
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
