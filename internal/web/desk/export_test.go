package desk_test

import (
	"encoding/csv"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

var (
	exportLink = regexp.MustCompile(`id="export-csv" href="([^"]+)"`)
	rowID      = regexp.MustCompile(`<tr[^>]* data-id="(\d+)"`)
)

// The inbox's export link exports what the inbox lists: the same tickets
// for the tab and the filters on top, as the signed-in user may see them.
func TestInboxExportLinkExportsWhatIsListed(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := newWorkspace(t, d)
		for i := range 6 {
			spec := ticketSpec{content: "Cống thoát nước bị tắc số " + strconv.Itoa(i)}
			if i%2 == 0 {
				spec.forward = "SXD"
			}
			mustTicket(t, c, spec)
		}
		for _, tt := range []struct{ who, page string }{
			{"operator", "/console?tab=all"},
			{"operator", "/console?tab=new"},
			{"operator", "/console?tab=all&state=forwarded&q=c%E1%BB%91ng"},
			{"sxd", "/console"},
		} {
			cl := c.Login(t, tt.who)
			status, body, _ := cl.Get(tt.page)
			m := exportLink.FindStringSubmatch(body)
			if status != http.StatusOK || m == nil {
				t.Fatalf("%s %s: %d, export link %v", tt.who, tt.page, status, m)
			}
			var listed []string
			for _, r := range rowID.FindAllStringSubmatch(body, -1) {
				listed = append(listed, r[1])
			}
			link := html.UnescapeString(m[1])
			status, file, _ := cl.Get(link + "&codes=true")
			recs, err := csv.NewReader(strings.NewReader(file)).ReadAll()
			if status != http.StatusOK || err != nil {
				t.Fatalf("%s %s: %d %v %s", tt.who, link, status, err, file)
			}
			var exported []string
			for _, r := range recs[1:] {
				exported = append(exported, r[0])
			}
			if !slices.Equal(exported, listed) || len(listed) == 0 {
				t.Errorf("%s %s lists %v, its export %s has %v", tt.who, tt.page, listed, link, exported)
			}
		}
		// A refused filter has no export link.
		status, body, _ := c.Login(t, "operator").Get("/console?tab=all&area=nowhere")
		if status != http.StatusBadRequest || strings.Contains(body, `id="export-csv"`) {
			t.Errorf("a refused filter: %d, export link shown %v", status, strings.Contains(body, `id="export-csv"`))
		}
	})
}
