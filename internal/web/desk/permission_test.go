package desk_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

var actionFormRe = regexp.MustCompile(`action="/console/tickets/\d+/([a-z-]+)"`)

// For every role and (state, condition), the console's workspace shows a
// form or button for exactly the actions ticket.Allowed offers, and the
// API's allowed_actions is exactly that list: one source of truth, seen
// through both HTTP surfaces.
func TestPermissionsOneSourceOfTruth(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := newWorkspace(t, d)
		ctx := context.Background()
		do := func(who string, id int64, a ticket.Action, in ticket.Input) {
			t.Helper()
			if _, err := c.Tickets.Do(ctx, c.Actor(who), id, a, in); err != nil {
				t.Fatalf("%s by %s: %v", a, who, err)
			}
		}
		extend := func(id int64) {
			do("sxd", id, ticket.RequestExtension, ticket.Input{Until: c.Now().Add(20 * 24 * time.Hour), Reason: "Cần khảo sát"})
		}
		fwd := func() int64 { return mustTicket(t, c, ticketSpec{forward: "SXD"}).ID }
		answered := func() int64 {
			id := fwd()
			do("sxd", id, ticket.AnswerAction, ticket.Input{Text: "Đã sửa."})
			return id
		}
		replied := func() int64 {
			id := answered()
			do("operator2", id, ticket.Approve, ticket.Input{})
			do("operator", id, ticket.Reply, ticket.Input{})
			return id
		}
		states := map[string]func() int64{
			"received": func() int64 { return mustTicket(t, c, ticketSpec{}).ID },
			"received, owned": func() int64 {
				id := mustTicket(t, c, ticketSpec{}).ID
				do("operator", id, ticket.Take, ticket.Input{})
				return id
			},
			"forwarded":                    fwd,
			"forwarded, extension pending": func() int64 { id := fwd(); extend(id); return id },
			"accepted, extension pending": func() int64 {
				id := fwd()
				do("sxd", id, ticket.Accept, ticket.Input{})
				extend(id)
				return id
			},
			"answered": answered,
			"approved": func() int64 { id := answered(); do("operator2", id, ticket.Approve, ticket.Input{}); return id },
			"replied":  replied,
			"closed, published": func() int64 {
				id := replied()
				do("operator", id, ticket.Close, ticket.Input{})
				do("supervisor", id, ticket.Publish, ticket.Input{})
				return id
			},
			"refused": func() int64 {
				id := mustTicket(t, c, ticketSpec{})
				do("operator", id.ID, ticket.Refuse, ticket.Input{Reason: "Quấy rối"})
				return id.ID
			},
		}
		tokens := map[string]string{}
		consoles := map[string]*webtest.Client{}
		for name, acc := range c.Accounts {
			secret, _, err := c.Users.CreateToken(ctx, user.System, acc.ID, "walk", 0)
			if err != nil {
				t.Fatal(err)
			}
			tokens[name] = secret
			consoles[name] = c.Login(t, name)
		}
		for state, build := range states {
			id := build()
			tk, err := c.Tickets.Get(ctx, user.System, id)
			if err != nil {
				t.Fatal(err)
			}
			for name := range c.Accounts {
				want := ticket.Allowed(c.Actor(name), tk)
				// The API.
				req, _ := http.NewRequest("GET", c.Server.URL+"/api/v1/tickets/"+strconv.FormatInt(id, 10), nil)
				req.Header.Set("Authorization", "Bearer "+tokens[name])
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var body struct {
					AllowedActions []ticket.Action `json:"allowed_actions"`
				}
				err = json.NewDecoder(res.Body).Decode(&body)
				res.Body.Close()
				switch {
				case res.StatusCode == http.StatusNotFound && len(want) == 0:
				case err != nil || res.StatusCode != 200:
					t.Fatalf("%s: API for %s: %d %v", state, name, res.StatusCode, err)
				case !slices.Equal(body.AllowedActions, want) && !(len(want) == 0 && len(body.AllowedActions) == 0):
					t.Fatalf("%s: API offers %s %v, Allowed %v", state, name, body.AllowedActions, want)
				}
				// The console.
				status, page, _ := consoles[name].Get(path(tk, ""))
				if status == http.StatusNotFound && len(want) == 0 {
					continue
				}
				if status != 200 {
					t.Fatalf("%s: workspace for %s: %d", state, name, status)
				}
				var shown []ticket.Action
				for _, m := range actionFormRe.FindAllStringSubmatch(page, -1) {
					a := ticket.Action(m[1])
					if slices.Contains(ticket.Actions(), a) && !slices.Contains(shown, a) {
						shown = append(shown, a)
					}
				}
				slices.Sort(shown)
				if !slices.Equal(shown, want) && !(len(want) == 0 && len(shown) == 0) {
					t.Fatalf("%s: the console shows %s %v, Allowed %v", state, name, shown, want)
				}
			}
		}
	})
}
