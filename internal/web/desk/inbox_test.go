package desk_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// An agency's inbox reads the reporters of its page in one lookup, not one
// per row, and shows none of their names; so does a live row.
func TestAgencyInboxReadsReportersOnce(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := newWorkspace(t, d)
		var last int64
		for i := range 30 {
			name := fmt.Sprintf("Phạm Thị Hoa%d", i)
			last = mustTicket(t, c, ticketSpec{content: "Tôi là " + name + ", cống bị tắc", forward: "SXD",
				contact: &contact.Input{Name: name, Phone: fmt.Sprintf("0913%06d", i)}}).ID
		}
		sxd := c.Login(t, "sxd")
		for _, path := range []string{"/console", fmt.Sprintf("/console/rows/%d", last)} {
			before := c.Contacts.Lookups()
			status, body, _ := sxd.Get(path)
			if status != http.StatusOK {
				t.Fatalf("GET %s: %d", path, status)
			}
			if n := c.Contacts.Lookups() - before; n != 1 {
				t.Errorf("GET %s read contacts %d times; want 1", path, n)
			}
			if regexp.MustCompile(`Phạm Thị|Hoa\d`).MatchString(body) || !strings.Contains(body, "cống bị tắc") {
				t.Errorf("GET %s is not scrubbed as it should be", path)
			}
		}
	})
}
