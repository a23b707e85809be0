package portal_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// TestMain stops the browser the browser tests share.
func TestMain(m *testing.M) { webtest.Main(m) }

var (
	csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	keyRe  = regexp.MustCompile(`name="key" value="([^"]+)"`)
	codeRe = regexp.MustCompile(`id="tracking-code">([^<]+)<`)
)

func mustMatch(t *testing.T, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in:\n%s", re, body)
	}
	return m[1]
}

// postMultipart sends the submit form as a browser does, with a photo.
func postMultipart(t *testing.T, cl *webtest.Client, path string, form url.Values, photo []byte) (int, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, vs := range form {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	name := "cong.png"
	if photo == nil {
		name = "" // as a browser sends a file input left empty
	}
	fw, _ := w.CreateFormFile("photo", name)
	fw.Write(photo)
	w.Close()
	req, _ := http.NewRequest("POST", cl.URL(path), &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	status, body, _ := cl.Do(req)
	return status, body
}

func mustPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func countTickets(t *testing.T, c *webtest.Console) int {
	t.Helper()
	var n int
	if err := c.DB.R().QueryRowContext(context.Background(), `SELECT count(*) FROM tickets`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPortalSubmitTrackRateReopen(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		c.Blobs.Dir = t.TempDir()
		cl := c.Client(t)
		vi := func(key string) string { return c.Catalog.T(i18n.VI, key) }

		status, form, _ := cl.Get("/submit")
		if status != 200 || !strings.Contains(form, `enctype="multipart/form-data"`) || !strings.Contains(form, `value="25747"`) {
			t.Fatalf("GET /submit: %d", status)
		}
		csrf, key := mustMatch(t, csrfRe, form), mustMatch(t, keyRe, form)

		// Missing fields: each message beside its field, what was typed kept.
		bad := url.Values{"csrf": {csrf}, "key": {key}, "address": {"Số 12 Yersin"}, "area": {"25747"}}
		status, body := postMultipart(t, cl, "/submit", bad, mustPNG(t))
		if status != 400 {
			t.Fatalf("incomplete form: %d", status)
		}
		kept := regexp.MustCompile(`name="kept" value="([0-9a-f]{64})"`).FindStringSubmatch(body)
		if kept == nil || !strings.Contains(body, `id="photo-kept"`) {
			t.Fatal("the photo of the incomplete form was not kept")
		}
		for _, f := range []string{"content", "phone", "consent"} {
			if !strings.Contains(body, `id="`+f+`-error" role="alert"`) {
				t.Errorf("no error beside %s", f)
			}
		}
		if !strings.Contains(body, vi("public.consent_required")) || !strings.Contains(body, `value="Số 12 Yersin"`) ||
			!strings.Contains(body, `value="25747" selected`) || !strings.Contains(body, `value="`+key+`"`) {
			t.Fatalf("the form came back without its message or what was typed")
		}
		if n := countTickets(t, c); n != 0 {
			t.Fatalf("an incomplete form wrote %d tickets", n)
		}

		good := url.Values{"csrf": {csrf}, "key": {key}, "kind": {"report"}, "category": {"ha_tang_giao_thong"}, "area": {"25747"},
			"content": {"Cống trước số 12 Yersin bị tắc."}, "name": {"Phạm Văn Đức"}, "phone": {"0918 222 456"}, "consent": {"1"}}
		// A script fills the hidden honeypot field: refused, nothing written.
		trap := url.Values{"website": {"http://spam.example"}}
		for k, v := range good {
			trap[k] = v
		}
		if status, body := postMultipart(t, cl, "/submit", trap, nil); status != 400 || !strings.Contains(body, vi("portal.honeypot")) {
			t.Fatalf("the honeypot: %d", status)
		}
		// The photo kept from the first try goes with the report.
		good.Set("kept", kept[1])
		good.Set("kept_name", "cong.png")
		status, body = postMultipart(t, cl, "/submit", good, nil)
		if status != 200 {
			t.Fatalf("submit: %d\n%s", status, body)
		}
		code := mustMatch(t, codeRe, body)
		if strings.Contains(body, "Phạm Văn Đức") || strings.Contains(body, "222") {
			t.Fatal("the confirmation repeats the reporter's identity")
		}
		// A double submit (the same form again) is the same ticket.
		if _, again := postMultipart(t, cl, "/submit", good, nil); mustMatch(t, codeRe, again) != code {
			t.Fatal("a double submit made a second ticket")
		}
		tk, err := c.Tickets.GetByCode(context.Background(), c.Actor("operator"), code)
		if err != nil || tk.Channel != ticket.Web || countTickets(t, c) != 1 {
			t.Fatalf("ticket %+v, %v; %d tickets", tk.Channel, err, countTickets(t, c))
		}
		var files int
		c.DB.R().QueryRowContext(context.Background(), `SELECT count(*) FROM attachments WHERE ticket_id = $1`, tk.ID).Scan(&files)
		if files != 1 {
			t.Fatalf("%d attachments, want the photo", files)
		}

		// Track: a wrong proof is the form again with the one message.
		status, body, _ = cl.PostForm("/track", url.Values{"csrf": {csrf}, "code": {code}, "proof": {"1111"}})
		if status != 404 || !strings.Contains(body, vi("public.track_not_found")) || !strings.Contains(body, `value="`+code+`"`) {
			t.Fatalf("wrong proof: %d", status)
		}
		status, body, _ = cl.PostForm("/track", url.Values{"csrf": {csrf}, "code": {code}, "proof": {"2456"}})
		if status != 200 || !strings.Contains(body, vi("portal.state.received")) || !strings.Contains(body, "Cống trước số 12 Yersin") {
			t.Fatalf("track: %d\n%s", status, body)
		}
		if strings.Contains(body, `action="/track/rate"`) || strings.Contains(body, `action="/track/reopen"`) {
			t.Fatal("rate and reopen offered before the answer")
		}
		// Without the form's token nothing happens.
		if status, _, _ := cl.PostForm("/track", url.Values{"code": {code}, "proof": {"2456"}}); status != 403 {
			t.Fatalf("track without the token: %d", status)
		}

		c.Act(t, "operator", tk.ID, ticket.Reply, ticket.Input{Text: "Đã nạo vét cống ngày 4/12."})
		_, body, _ = cl.PostForm("/track", url.Values{"csrf": {csrf}, "code": {code}, "proof": {"2456"}})
		if !strings.Contains(body, "Đã nạo vét cống") || !strings.Contains(body, `action="/track/rate"`) || !strings.Contains(body, `action="/track/reopen"`) {
			t.Fatal("after the answer, the page lacks it or its forms")
		}
		status, body, _ = cl.PostForm("/track/rate", url.Values{"csrf": {csrf}, "code": {code}, "proof": {"2456"}, "comment": {"Nhanh"}})
		if status != 400 || !strings.Contains(body, `id="rating-error"`) || !strings.Contains(body, `>Nhanh</textarea>`) {
			t.Fatalf("rating without a choice: %d", status)
		}
		status, body, _ = cl.PostForm("/track/rate", url.Values{"csrf": {csrf}, "code": {code}, "proof": {"2456"}, "rating": {"5"}})
		if status != 200 || !strings.Contains(body, vi("portal.rated")) || strings.Contains(body, `action="/track/rate"`) {
			t.Fatalf("rate: %d", status)
		}
		status, body, _ = cl.PostForm("/track/reopen", url.Values{"csrf": {csrf}, "code": {code}, "proof": {"2456"}})
		if status != 400 || !strings.Contains(body, vi("portal.reason_required")) {
			t.Fatalf("reopen without a reason: %d", status)
		}
		status, body, _ = cl.PostForm("/track/reopen", url.Values{"csrf": {csrf}, "code": {code}, "proof": {"2456"}, "reason": {"Vẫn còn tắc"}})
		if status != 200 || !strings.Contains(body, vi("portal.reopened")) || !strings.Contains(body, vi("portal.event.reopen")) {
			t.Fatalf("reopen: %d", status)
		}
	})
}

func TestPortalOwnsTheRootAndAPublic404(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		visitor := c.Client(t)
		status, body, _ := visitor.Get("/")
		if status != 200 || !strings.Contains(body, c.Catalog.T(i18n.VI, "portal.home_heading")) || !strings.Contains(body, `href="tel:1022"`) {
			t.Fatalf("GET /: %d", status)
		}
		status, _, loc := visitor.Get("/lang?to=en&next=/")
		if status != 303 || loc != "/" {
			t.Fatalf("language switch: %d %s", status, loc)
		}
		if _, body, _ = visitor.Get("/"); !strings.Contains(body, c.Catalog.T(i18n.EN, "portal.home_heading")) || !strings.Contains(body, `lang="en"`) {
			t.Fatal("the home page is not in English after the switch")
		}
		status, body, _ = visitor.Get("/no/such/page")
		if status != 404 || !strings.Contains(body, c.Catalog.T(i18n.EN, "portal.not_found")) || !strings.Contains(body, `href="/"`) ||
			!strings.Contains(body, "/static/portal.css") {
			t.Fatalf("a visitor's 404: %d\n%s", status, body)
		}
		if status, _, loc := visitor.Get("/console"); status != 303 || !strings.HasPrefix(loc, "/login") {
			t.Fatalf("the console for a visitor: %d %s", status, loc)
		}
		staff := c.Login(t, "operator")
		status, body, _ = staff.Get("/no/such/page")
		if status != 404 || strings.Contains(body, "/static/portal.css") || !strings.Contains(body, "/static/app.css") {
			t.Fatalf("signed-in staff's 404 is not the console's: %d", status)
		}
		if status, _, _ := staff.Get("/console"); status != 200 {
			t.Fatalf("the console: %d", status)
		}
		if status, body, _ := visitor.Get("/answers/999999"); status != 404 || !strings.Contains(body, "/static/portal.css") {
			t.Fatalf("an unpublished answer: %d", status)
		}
	})
}

func TestPortalAnswersSearchWithoutDiacritics(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		tk := c.CreateTicket(t, "operator", "Đèn đường trước trường Tiểu học Phú Hòa không sáng.")
		c.Act(t, "operator", tk.ID, ticket.Reply, ticket.Input{Text: "Điện lực đã thay bóng đèn."})
		c.Act(t, "supervisor", tk.ID, ticket.Publish, ticket.Input{PublicTitle: "Đèn đường không sáng", PublicContent: "Đèn đường trước trường học không sáng.",
			PublicAnswer: "Điện lực đã thay bóng đèn."})
		other := c.CreateTicket(t, "operator", "Hỏi về lịch tiêm chủng.")
		c.Act(t, "operator", other.ID, ticket.Reply, ticket.Input{Text: "Lịch tiêm ở trạm y tế phường."})
		c.Act(t, "supervisor", other.ID, ticket.Publish, ticket.Input{PublicTitle: "Lịch tiêm chủng", PublicContent: "Hỏi lịch tiêm.", PublicAnswer: "Lịch tiêm ở trạm y tế phường."})
		cl := c.Client(t)
		status, body, _ := cl.Get("/answers?q=den+duong")
		if status != 200 || !strings.Contains(body, "Đèn đường không sáng") || strings.Contains(body, "Lịch tiêm chủng") {
			t.Fatalf("search: %d\n%s", status, body)
		}
		if strings.Contains(body, "Nguyễn Thị Lan") || strings.Contains(body, "Tiểu học Phú Hòa") {
			t.Fatal("the list shows what was not published")
		}
		link := regexp.MustCompile(`href="(/answers/\d+)"`).FindStringSubmatch(body)
		if link == nil {
			t.Fatal("no link to the answer")
		}
		if status, body, _ := cl.Get(link[1]); status != 200 || !strings.Contains(body, "Điện lực đã thay bóng đèn.") {
			t.Fatalf("the answer's page: %d", status)
		}
		if _, body, _ := cl.Get("/answers"); !strings.Contains(body, "Lịch tiêm chủng") || !strings.Contains(body, "Đèn đường không sáng") {
			t.Fatal("the whole list lacks an answer")
		}
		// The days of receipt, in Vietnam, and the ward.
		today, _ := time.ParseInLocation(time.DateOnly, c.Clock.Today(), i18n.Location)
		day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }
		for _, tt := range []struct {
			query string
			found bool
		}{
			{"from=" + day(0) + "&to=" + day(0), true},
			{"from=" + day(1), false},
			{"to=" + day(-1), false},
			{"area=25747", false},
		} {
			_, body, _ := cl.Get("/answers?" + tt.query)
			if strings.Contains(body, "Lịch tiêm chủng") != tt.found {
				t.Errorf("/answers?%s: found %v, want %v", tt.query, !tt.found, tt.found)
			}
		}
		status, body, _ = cl.Get("/answers?from=2026-13-01")
		if status != 400 || !strings.Contains(body, `id="from-error"`) || !strings.Contains(body, `value="2026-13-01"`) {
			t.Fatalf("a bad day: %d", status)
		}
	})
}
