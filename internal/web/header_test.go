package web_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// whoText is the header's account link as a reader sees it: its text
// without tags, spaces collapsed.
func whoText(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<a [^>]*class="who">(.*?)</a>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page has no account link in its header")
	}
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(m[1], "")
	return strings.Join(strings.Fields(text), " ")
}

// The header names the user once: name, agency when there is one, role,
// separated by dots, in the page's language.
func TestHeaderShowsTheUserOnce(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		for _, tc := range []struct{ who, lang, want string }{
			{"sxd", "vi", "Test sxd · Sở Xây dựng · Cán bộ xử lý"},
			{"sxd", "en", "Test sxd · Sở Xây dựng · Agency officer"},
			{"operator", "vi", "Test operator · Tổng đài viên"},
			{"admin", "en", "Test admin · Administrator"},
		} {
			cl := c.Login(t, tc.who)
			cl.Get("/lang?to=" + tc.lang)
			status, body, _ := cl.Get("/console/account")
			if status != 200 {
				t.Fatalf("%s: account page %d", tc.who, status)
			}
			if got := whoText(t, body); got != tc.want {
				t.Errorf("%s in %s: header shows %q, want %q", tc.who, tc.lang, got, tc.want)
			}
		}
	})
}
