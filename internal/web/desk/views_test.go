package desk_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// An operator saves the inbox's filters under a name and finds them as
// their own tab, with its count; a name used twice is refused beside the
// field with the filter kept; another user does not see the tab; deleting
// it removes it.
func TestSavedViewsInTheInbox(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := newWorkspace(t, d)
		for range 3 {
			mustTicket(t, c, ticketSpec{category: "xay_dung_nha_o"})
		}
		mustTicket(t, c, ticketSpec{})
		op := c.Login(t, "operator")
		_, page, _ := op.Get("/console?tab=all&category=xay_dung_nha_o")
		m := regexp.MustCompile(`name="query" value="([^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatal("a filtered inbox offers no save form")
		}
		query := strings.ReplaceAll(m[1], "&amp;", "&")
		if _, bare, _ := op.Get("/console?tab=all"); strings.Contains(bare, `action="/console/views"`) {
			t.Fatal("a bare tab offers to be saved")
		}
		status, _, loc := op.Post("/console/views", url.Values{"name": {"Nhà ở"}, "query": {query}})
		if status != http.StatusSeeOther || !strings.Contains(loc, "category=xay_dung_nha_o") || !strings.Contains(loc, "view=") {
			t.Fatalf("save: %d to %q", status, loc)
		}
		_, page, _ = op.Get(loc)
		tab := regexp.MustCompile(`<a class="saved-view" href="[^"]*" aria-current="page" data-view="\d+"><span class="tab-name">Nhà ở</span> <span class="count">(\d+)</span>`).FindStringSubmatch(page)
		if tab == nil || tab[1] != "3" {
			t.Fatalf("the saved view's tab is not current with count 3: %v", tab)
		}
		if rows := strings.Count(page, `<tr data-id="`); rows != 3 {
			t.Fatalf("the saved view lists %d tickets, want 3", rows)
		}
		if strings.Contains(page, `action="/console/views"`) {
			t.Fatal("a saved view offers to be saved again")
		}

		status, page, _ = op.Post("/console/views", url.Values{"name": {"Nhà ở"}, "query": {query}})
		if status != http.StatusConflict || !strings.Contains(page, `id="err-view-name"`) || !strings.Contains(page, "Bạn đã có một thẻ mang tên này.") ||
			!strings.Contains(page, `value="Nhà ở"`) {
			t.Fatalf("a name used twice: %d, the error and the typed name not beside the field", status)
		}

		if _, other, _ := c.Login(t, "operator2").Get("/console"); strings.Contains(other, "Nhà ở") {
			t.Fatal("another operator sees the view")
		}
		_, page, _ = op.Get(loc)
		id := regexp.MustCompile(`action="/console/views/(\d+)/delete"`).FindStringSubmatch(page)
		if id == nil {
			t.Fatal("the current saved view has no delete button")
		}
		if status, _, _ := c.Login(t, "operator2").Post("/console/views/"+id[1]+"/delete", nil); status != http.StatusNotFound {
			t.Fatalf("another operator deletes the view: %d, want 404", status)
		}
		if status, _, _ := op.Post("/console/views/"+id[1]+"/delete", nil); status != http.StatusSeeOther {
			t.Fatalf("delete: %d", status)
		}
		if _, page, _ = op.Get("/console"); strings.Contains(page, "saved-view") {
			t.Fatal("the deleted view is still a tab")
		}
	})
}
