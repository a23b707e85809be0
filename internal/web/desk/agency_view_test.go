package desk_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// ownerCell is the text of a ticket's "Người phụ trách" cell in a list.
func ownerCell(t *testing.T, page string, id int64) string {
	t.Helper()
	row := regexp.MustCompile(`(?s)<tr data-id="` + strconv.FormatInt(id, 10) + `".*?</tr>`).FindString(page)
	cell := regexp.MustCompile(`(?s)<td class="owner">(.*?)(<form|</td>)`).FindStringSubmatch(row)
	if cell == nil {
		t.Fatalf("ticket %d has no owner cell in the list", id)
	}
	return webtest.VisibleText(cell[1])
}

// wsOwner is the "Người phụ trách" of a ticket's page.
func wsOwner(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<dt>Người phụ trách</dt><dd>(.*?)</dd>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the ticket page has no Người phụ trách")
	}
	return webtest.VisibleText(m[1])
}

// An agency's queue speaks of the agency's work: its title, heading and
// screen-reader caption name the queue, its status filter offers only the
// states an agency's ticket can be in, and "Người phụ trách" (and "Tôi
// phụ trách") is the agency's handler, not the operator who forwarded it.
func TestAgencyQueueSpeaksOfTheAgency(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		taken := c.CreateTicket(t, "operator", "Đèn đường trước chợ bị hỏng")
		c.Act(t, "operator", taken.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
		c.Act(t, "sxd", taken.ID, ticket.Accept, ticket.Input{})
		waiting := c.CreateTicket(t, "operator", "Cống thoát nước bị tắc")
		c.Act(t, "operator", waiting.ID, ticket.Forward, ticket.Input{Agency: "SXD"})

		sxd := c.Login(t, "sxd")
		_, page, _ := sxd.Get("/console?tab=all")
		queue := "Phản ánh chuyển đến đơn vị"
		for what, re := range map[string]string{"title": `<title>(.*?)</title>`, "heading": `(?s)<h1>(.*?)</h1>`, "caption": `<caption class="sr-only">(.*?)</caption>`} {
			m := regexp.MustCompile(re).FindStringSubmatch(page)
			if m == nil || !strings.Contains(m[1], queue) || strings.Contains(m[1], "Hộp tiếp nhận") {
				t.Errorf("the agency's %s is %q, want the queue's name %q", what, m, queue)
			}
		}
		sel := regexp.MustCompile(`(?s)<select id="f-state".*?</select>`).FindString(page)
		var offered []string
		for _, m := range regexp.MustCompile(`<option value="([a-z]+)"`).FindAllStringSubmatch(sel, -1) {
			offered = append(offered, m[1])
		}
		if got, want := strings.Join(offered, ","), "forwarded,accepted,answered,approved,replied,closed"; got != want {
			t.Errorf("the agency's status filter offers %s, want %s", got, want)
		}
		if strings.Contains(page, `<div class="meta">Sở Xây dựng</div>`) {
			t.Error("every row of the agency's own queue names the agency")
		}
		if got := ownerCell(t, page, taken.ID); got != "Test sxd" {
			t.Errorf("the accepted ticket's handler in the queue is %q, want Test sxd", got)
		}
		if got := ownerCell(t, page, waiting.ID); got != "Chưa giao" {
			t.Errorf("the waiting ticket's handler in the queue is %q, want none", got)
		}
		_, mine, _ := sxd.Get("/console?tab=all&mine=1")
		if !strings.Contains(mine, `data-id="`+strconv.FormatInt(taken.ID, 10)+`"`) || strings.Contains(mine, `data-id="`+strconv.FormatInt(waiting.ID, 10)+`"`) {
			t.Error(`"Tôi phụ trách" does not show exactly the tickets the handler took up`)
		}
		_, ws, _ := sxd.Get("/console/tickets/" + strconv.FormatInt(taken.ID, 10))
		if got := wsOwner(t, ws); got != "Test sxd" {
			t.Errorf("the agency sees %q as the ticket's handler, want Test sxd", got)
		}
		_, ws, _ = sxd.Get("/console/tickets/" + strconv.FormatInt(waiting.ID, 10))
		if got := wsOwner(t, ws); got != "Chưa giao" {
			t.Errorf("the agency sees %q as the waiting ticket's handler, want none", got)
		}
		// The desk still sees its own owner, and its own words.
		op := c.Login(t, "operator")
		_, ws, _ = op.Get("/console/tickets/" + strconv.FormatInt(taken.ID, 10))
		if got := wsOwner(t, ws); got != "Test operator" {
			t.Errorf("the operator sees %q as the ticket's owner, want Test operator", got)
		}
		_, page, _ = op.Get("/console?tab=all")
		if !strings.Contains(page, "<title>Hộp tiếp nhận") || strings.Count(regexp.MustCompile(`(?s)<select id="f-state".*?</select>`).FindString(page), "<option value=\"") != len(ticket.States)+1 {
			t.Error("the operator's inbox lost its title or its states")
		}
	})
}
