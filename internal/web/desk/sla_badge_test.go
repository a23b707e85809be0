package desk_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

var slaBadge = regexp.MustCompile(`(?s)<span class="sla sla-[a-z_]+"[^>]*>(.*?)</span></span>`)

// badgeText is the first SLA badge on a page as a reader sees it.
func badgeText(t *testing.T, page string) string {
	t.Helper()
	m := slaBadge.FindStringSubmatch(page + "</span>")
	if m == nil {
		t.Fatal("the page has no SLA badge")
	}
	return strings.Join(strings.Fields(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(m[1], "")), " ")
}

// The SLA badge reads as one phrase in every state and both languages: the
// label says the state, the rest says how long, without saying "late"
// twice ("Quá hạn 12 ngày", not "Quá hạn quá 12 ngày").
func TestSLABadgeReadsAsOnePhrase(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		at := clock.NewManual(time.Date(2026, 5, 4, 1, 0, 0, 0, time.UTC))
		c := webtest.NewConsoleAt(t, d, at.Clock())
		open := c.CreateTicket(t, "operator", "Đèn đường trước chợ bị hỏng")
		onTime := c.CreateTicket(t, "operator", "Hỏi thủ tục cấp lại căn cước")
		c.Act(t, "operator", onTime.ID, ticket.Reply, ticket.Input{Text: "Đã hướng dẫn", InPerson: true})
		late := c.CreateTicket(t, "operator", "Rác thải ùn ứ ở chợ")
		badge := func(tk ticket.Ticket, lang string) string {
			t.Helper()
			op := c.Login(t, "operator") // on the moved clock, an older session may have run out
			op.Get("/lang?to=" + lang)
			status, page, _ := op.Get("/console/tickets/" + strconv.FormatInt(tk.ID, 10))
			if status != 200 {
				t.Fatalf("ticket page: %d", status)
			}
			return badgeText(t, page)
		}
		check := func(what string, tk ticket.Ticket, vi, en string) {
			t.Helper()
			if got := badge(tk, "vi"); got != vi {
				t.Errorf("%s in Vietnamese: %q, want %q", what, got, vi)
			}
			if got := badge(tk, "en"); got != en {
				t.Errorf("%s in English: %q, want %q", what, got, en)
			}
		}
		at.Set(open.Deadline.Add(-2 * time.Hour).Add(-10 * time.Minute))
		if open.WarnAt.Before(at.Now()) {
			t.Fatalf("the warning comes at %s, before %s: the test expects a 5-hour target", open.WarnAt, at.Now())
		}
		check("on time", open, "Trong hạn còn 2 giờ 10 phút", "On time 2 h 10 min left")
		at.Set(open.Deadline.Add(-30 * time.Minute))
		check("at risk", open, "Sắp đến hạn còn 30 phút", "Due soon 30 min left")
		at.Set(open.Deadline.Add(12*24*time.Hour + 3*time.Hour))
		check("overdue", open, "Quá hạn 12 ngày 3 giờ", "Overdue by 12 d 3 h")
		check("answered in time", onTime, "Đúng hạn", "Met deadline")
		c.Act(t, "operator", late.ID, ticket.Reply, ticket.Input{Text: "Đã báo công ty môi trường", InPerson: true})
		check("answered late", late, "Trễ hạn", "Missed deadline")
	})
}

// The countdown the page keeps running uses the catalogue's words too: a
// ticket whose deadline passed while the page was open reads "Quá hạn …"
// once, in the page's language.
func TestBrowserSLACountdownSaysLateOnce(t *testing.T) {
	start := time.Now().Add(-13 * 24 * time.Hour)
	at := clock.NewManual(start)
	c := webtest.NewConsoleAt(t, dbtest.Open(t, db.SQLite, webtest.Reference), at.Clock())
	tk := c.CreateTicket(t, "operator", "Đèn đường trước chợ bị hỏng")
	at.Set(time.Now())
	b := webtest.NewBrowser(t, c)
	b.LoginAs("operator")
	for _, tc := range []struct{ lang, want string }{{"vi", "Quá hạn 12 ngày"}, {"en", "Overdue by 12 d"}} {
		b.Visit("/lang?to=" + tc.lang + "&next=/console/tickets/" + strconv.FormatInt(tk.ID, 10))
		// The script rewrote the time on load, with the catalogue's phrase.
		got := webtest.Eval[string](b, `document.querySelector(".sla[data-deadline]").textContent.replace(/\s+/g, " ").trim()`)
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("the running countdown in %s reads %q, want %q…", tc.lang, got, tc.want)
		}
	}
}
