package admin_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// phoneWidth is the narrowest phone the console is made for, in CSS pixels.
const phoneWidth = 390

// Every console and admin page, as the role that works on it, fits a
// 390 px phone: nothing makes the reader scroll sideways, and no
// placeholder is cut off. A page that overflows is named with the
// elements that stick out.
func TestBrowserEveryPageFitsAPhone(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	f := mustFixture(t, c)
	ctx := context.Background()
	acct, err := c.Channels.Add(ctx, c.Actor("admin"), channel.Viber, "Viber 1022", map[string]string{"auth_token": "a-secret-token-for-tests", "sender_name": "Tổng đài 1022"})
	if err != nil {
		t.Fatal(err)
	}
	mine := c.CreateTicket(t, "operator", "Đèn đường trước số 12 Lê Lợi bị hỏng ba hôm nay, khu vực rất tối, người dân đi lại khó khăn")
	sent := c.CreateTicket(t, "operator", "Rác thải ùn ứ ở chợ Thủ Dầu Một từ sáng thứ hai")
	c.Act(t, "operator", sent.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
	c.Act(t, "sxd", sent.ID, ticket.Accept, ticket.Input{})
	ticketPage := func(tk ticket.Ticket) string { return "/console/tickets/" + itoa(tk.ID) }

	var adminPages []string
	for _, p := range f.pages() {
		if !strings.HasSuffix(p, ".csv") {
			adminPages = append(adminPages, p)
		}
	}
	adminPages = append(adminPages, "/console/admin/channels/"+itoa(acct.ID), "/console/account",
		"/console/admin/calendars", "/console/admin/calendars/new")
	desk := []string{"/console", "/console?tab=new", "/console?tab=todo", "/console?tab=overdue", "/console?tab=all",
		"/console/new", ticketPage(mine), ticketPage(sent), "/console/calls", "/console/account"}
	byRole := []struct {
		who   string
		pages []string
	}{
		{"operator", desk},
		{"sxd", []string{"/console", "/console?tab=all", ticketPage(sent), "/console/calls", "/console/account", "/console/notifications"}},
		{"supervisor", []string{"/console/review", "/console/review?tab=deadline", "/console", ticketPage(sent), "/console/reports"}},
		{"viewer", []string{"/console", ticketPage(sent), "/console/calls", "/console/reports/monthly", "/console/reports"}},
		{"admin", adminPages},
	}
	b := webtest.NewBrowser(t, c)
	b.Viewport(phoneWidth, 844)
	for _, role := range byRole {
		b.Visit("/login")
		b.LoginAs(role.who)
		for _, lang := range []string{"vi", "en"} {
			for _, p := range role.pages {
				next := strings.NewReplacer("?", "%3F", "&", "%26", "=", "%3D").Replace(p)
				if status := b.Visit("/lang?to=" + lang + "&next=" + next); status != 200 {
					t.Errorf("%s %s (%s): HTTP %d", role.who, p, lang, status)
					continue
				}
				if w := b.PageWidth(); w > phoneWidth {
					t.Errorf("%s %s (%s) is %d px wide at %d px: %s", role.who, p, lang, w, phoneWidth, strings.Join(b.WiderThan(phoneWidth), ", "))
				}
				if role.who == "operator" && p == "/console" {
					// The tabs stay on one line and scroll, however many there are.
					if lines := webtest.Eval[int](b, `new Set([...document.querySelectorAll("nav.tabs > a")].map(a => a.offsetTop)).size`); lines != 1 {
						t.Errorf("the inbox tabs (%s) take %d lines at %d px", lang, lines, phoneWidth)
					}
					if o := webtest.Eval[string](b, `getComputedStyle(document.querySelector("nav.tabs")).overflowX`); o != "auto" {
						t.Errorf("the inbox tabs (%s) do not scroll: overflow-x %s", lang, o)
					}
				}
				if cut := b.CutPlaceholders(); len(cut) > 0 {
					t.Errorf("%s %s (%s) cuts off placeholders: %s", role.who, p, lang, strings.Join(cut, "; "))
				}
			}
		}
		b.Visit("/lang?to=vi&next=/console")
		if status := b.ClickToLoad(`form[action="/logout"] button`); status != 200 {
			t.Fatalf("sign out %s: %d", role.who, status)
		}
	}
}
