package admin_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// The pages that name an email address call it "Thư điện tử" in
// Vietnamese and "Email" in English, the same word on every page.
func TestPagesUseOneWordForEmail(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		admin := c.Login(t, "admin")
		other := map[string]*regexp.Regexp{"vi": regexp.MustCompile(`(?i)\be-?mail\b`), "en": regexp.MustCompile(`(?i)\be-mail\b|thư điện tử`)}
		word := map[string]string{"vi": "Thư điện tử", "en": "Email"}
		for _, lang := range []string{"vi", "en"} {
			admin.Get("/lang?to=" + lang)
			for _, path := range []string{"/console/admin/users", "/console/admin/users/new", "/console/admin/agencies/new", "/console/account"} {
				status, page, _ := admin.Get(path)
				if status != 200 {
					t.Fatalf("%s: %d", path, status)
				}
				text := webtest.VisibleText(page)
				if w := other[lang].FindString(text); w != "" {
					t.Errorf("%s in %s says %q", path, lang, w)
				}
				if !strings.Contains(strings.ToLower(text), strings.ToLower(word[lang])) {
					t.Errorf("%s in %s does not say %q", path, lang, word[lang])
				}
			}
		}
	})
}
