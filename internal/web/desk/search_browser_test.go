package desk_test

import (
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// The inbox's search placeholder is read whole, on a desktop and on a
// phone, in both languages: it is not cut off by its box.
func TestBrowserInboxSearchPlaceholderFits(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	b := webtest.NewBrowser(t, c)
	b.LoginAs("operator")
	for _, lang := range []string{"vi", "en"} {
		for _, size := range [][2]int64{{1366, 768}, {390, 844}} {
			b.Viewport(size[0], size[1])
			b.Visit("/lang?to=" + lang + "&next=/console%3Ftab%3Dall%26q%3D")
			webtest.Eval[bool](b, `document.querySelector("details.filter-box").open = true`)
			if cut := b.CutPlaceholders(); len(cut) > 0 {
				t.Errorf("at %d px in %s the placeholder is cut off: %s", size[0], lang, strings.Join(cut, "; "))
			}
		}
	}
}
