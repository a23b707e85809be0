package desk_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/reply"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// A refused form comes back with the error beside its field, what the
// user typed, and nothing written.
func TestWorkspaceErrorsBesideTheField(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := newWorkspace(t, d)
		tests := []struct {
			name   string
			who    string
			spec   ticketSpec
			action string
			form   url.Values
			status int
			field  string // the error's element id
			kept   string // a typed value that must come back
		}{
			{"refuse without a reason", "operator", ticketSpec{}, "refuse", url.Values{"reason": {"  "}}, 400, "err-refuse-reason", ""},
			{"note without text", "operator", ticketSpec{}, "note", url.Values{"text": {""}}, 400, "err-note-text", ""},
			{"reply without text", "operator", ticketSpec{}, "reply", url.Values{"text": {""}}, 400, "err-reply-text", ""},
			{"classify with an unknown ward", "operator", ticketSpec{}, "classify",
				url.Values{"category": {"xay_dung_nha_o"}, "area": {"phường không có thật"}, "title": {"Tiêu đề mới đã gõ"}}, 400, "err-classify-area", "Tiêu đề mới đã gõ"},
			{"classify without a category", "operator", ticketSpec{}, "classify", url.Values{"category": {""}}, 400, "err-classify-category", ""},
			{"classify and forward to an unknown agency", "operator", ticketSpec{}, "forward",
				url.Values{"category": {"xay_dung_nha_o"}, "area": {"25747"}, "agency": {"KHONG.CO"}, "note": {"Ghi chú đã gõ"}}, 400, "err-forward-agency", "Ghi chú đã gõ"},
			{"forward to an unknown agency", "operator", ticketSpec{}, "forward", url.Values{"agency": {"KHONG.CO"}, "note": {"Ghi chú đã gõ"}}, 400, "err-forward-agency", "Ghi chú đã gõ"},
			{"return without a reason", "sxd", ticketSpec{forward: "SXD", accept: true}, "return", url.Values{"reason": {""}}, 400, "err-return-reason", ""},
			{"extension with a bad date", "sxd", ticketSpec{forward: "SXD", accept: true}, "request-extension",
				url.Values{"until": {"ngày mai"}, "reason": {"Cần khảo sát thêm"}}, 400, "err-request-extension-until", "Cần khảo sát thêm"},
			{"extension in the past", "sxd", ticketSpec{forward: "SXD", accept: true}, "request-extension",
				url.Values{"until": {"2020-01-01T08:00"}, "reason": {"Cần khảo sát thêm"}}, 400, "err-request-extension-until", "2020-01-01T08:00"},
			{"merge into nothing", "operator", ticketSpec{}, "merge", url.Values{"into": {"ZZZZZ-ZZZZZ"}}, 400, "err-merge-into", "ZZZZZ-ZZZZZ"},
			{"rate before a reply", "operator", ticketSpec{}, "rate", url.Values{"rating": {"5"}}, 409, "", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tk := mustTicket(t, c, tt.spec)
				before := mustDetail(t, c, tk.ID)
				cl := c.Login(t, tt.who)
				status, page, _ := cl.Post(path(tk, tt.action), tt.form)
				if status != tt.status {
					t.Fatalf("status %d, want %d (%s)", status, tt.status, errorText(page))
				}
				if tt.field != "" && !regexp.MustCompile(`aria-describedby="`+tt.field+`[" ]`).MatchString(page) {
					t.Errorf("no error beside the field %s: %s", tt.field, errorText(page))
				}
				if tt.field != "" && !strings.Contains(page, `<p class="field-error" id="`+tt.field+`">`) {
					t.Errorf("no error message %s", tt.field)
				}
				if tt.field == "" && !strings.Contains(page, `role="alert"`) {
					t.Error("no error shown")
				}
				if tt.kept != "" && !strings.Contains(page, tt.kept) {
					t.Errorf("the typed value %q is lost", tt.kept)
				}
				after := mustDetail(t, c, tk.ID)
				if len(after.Timeline) != len(before.Timeline) || after.Ticket.State != before.Ticket.State {
					t.Fatal("a refused form wrote something")
				}
			})
		}
	})
}

// Only accepted file types are stored; anything else is refused with a
// clear error and nothing stored.
func TestWorkspaceUploadsAreChecked(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := newWorkspace(t, d)
		tests := []struct {
			name  string
			files []upload
			want  string
		}{
			{"html", []upload{{"trang.html", "text/html", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")}}, "không đúng định dạng cho phép"},
			{"html named like an image", []upload{{"anh.png", "image/png", []byte("<html><body onload=alert(1)>")}}, "không đúng định dạng cho phép"},
			{"exe", []upload{{"setup.exe", "application/octet-stream", append([]byte("MZ\x90\x00"), make([]byte, 300)...)}}, "không đúng định dạng cho phép"},
			{"a good file with a bad one", []upload{{"a.png", "image/png", pngFile}, {"b.exe", "application/x-msdownload", []byte("MZ\x90\x00rest")}}, "“b.exe”"},
			{"six files", []upload{{"1.png", "", pngFile}, {"2.png", "", pngFile}, {"3.png", "", pngFile}, {"4.png", "", pngFile}, {"5.png", "", pngFile}, {"6.png", "", pngFile}}, "tối đa 5 tệp"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tk := mustTicket(t, c, ticketSpec{forward: "SXD", accept: true})
				cl := c.Login(t, "sxd")
				status, page, _ := postMultipart(cl, path(tk, "answer"), url.Values{"text": {"Kết quả đã gõ"}}, tt.files)
				if status != http.StatusBadRequest || !strings.Contains(page, `id="err-answer-files"`) || !strings.Contains(page, tt.want) {
					t.Fatalf("status %d: %s", status, errorText(page))
				}
				if !strings.Contains(page, "Kết quả đã gõ") {
					t.Error("the typed answer is lost")
				}
				if got := mustDetail(t, c, tk.ID).Ticket.State; got != ticket.Accepted {
					t.Fatalf("state %s: the answer went through", got)
				}
				if files, _ := c.Tickets.Attachments(context.Background(), c.Actor("supervisor"), tk.ID); len(files) != 0 {
					t.Fatalf("%d attachment rows", len(files))
				}
				if n := storedFiles(t, c.Blobs.Dir); n != 0 {
					t.Fatalf("%d files stored", n)
				}
			})
		}
	})
}

func storedFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	_ = filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// Roles: a viewer reads but never acts; an agency may not classify.
func TestWorkspaceRoles(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := newWorkspace(t, d)
		tk := mustTicket(t, c, ticketSpec{forward: "SXD"})
		before := len(mustDetail(t, c, tk.ID).Timeline)
		viewer := c.Login(t, "viewer")
		status, page, _ := viewer.Get(path(tk, ""))
		if status != 200 || strings.Contains(page, `id="form-note"`) || strings.Contains(page, "<form method=\"post\" action=\"/console/tickets/") {
			t.Fatalf("viewer page: %d, with forms: %v", status, strings.Contains(page, "form-note"))
		}
		tests := []struct {
			name, who, action string
		}{
			{"viewer notes", "viewer", "note"},
			{"viewer replies", "viewer", "reply"},
			{"agency classifies", "sxd", "classify"},
			{"agency publishes", "sxd", "publish"},
			{"operator reassigns", "operator", "reassign"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				status, _, _ := c.Login(t, tt.who).Post(path(tk, tt.action), url.Values{"text": {"x"}, "category": {"xay_dung_nha_o"}, "agency": {"UBND.TDM"}})
				if status != http.StatusForbidden {
					t.Fatalf("status %d, want 403", status)
				}
			})
		}
		if after := len(mustDetail(t, c, tk.ID).Timeline); after != before {
			t.Fatal("a forbidden action wrote something")
		}
	})
}

// The collision warning: a second operator sees the first one, the
// heartbeat answers with the viewers, and leaving clears it.
func TestWorkspacePresence(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := newWorkspace(t, d)
		tk := mustTicket(t, c, ticketSpec{})
		one := c.Login(t, "operator")
		two := c.Login(t, "operator2")
		hidden := regexp.MustCompile(`id="ws-presence"[^>]* hidden>`)
		_, page, _ := one.Get(path(tk, ""))
		if !hidden.MatchString(page) {
			t.Fatal("alone, yet warned")
		}
		_, page, _ = two.Get(path(tk, ""))
		if hidden.MatchString(page) || !strings.Contains(page, ">Test operator cũng đang mở phản ánh này.</p>") {
			t.Fatal("no collision warning")
		}
		req, _ := http.NewRequest("POST", c.Server.URL+path(tk, "presence"), strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", one.CSRF)
		status, body, _ := one.Do(req)
		if status != 200 || !strings.Contains(body, `"name":"Test operator"`) || !strings.Contains(body, `"name":"Test operator2"`) {
			t.Fatalf("heartbeat: %d %s", status, body)
		}
		// sendBeacon: the token in the body.
		if status, _, _ := two.Post(path(tk, "presence"), url.Values{"left": {"1"}}); status != http.StatusNoContent {
			t.Fatalf("leave: %d", status)
		}
		if got := viewersOf(c, tk); len(got) != 1 || got[0] != "Test operator" {
			t.Fatalf("viewers after leaving: %v", got)
		}
	})
}

// Merge suggests the reporter's other open tickets and similar ones, and
// merges into the one picked.
func TestWorkspaceMergeSuggestions(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := newWorkspace(t, d)
		other := contact.Input{Name: "Trần Văn Bình", Phone: "0912000111"}
		sameReporter := mustTicket(t, c, ticketSpec{content: "Cây xanh đổ chắn lối đi trước trường học."})
		similar := mustTicket(t, c, ticketSpec{content: "Ngập nước nghiêm trọng đường Nguyễn Trãi sau mưa", contact: &other})
		closed := mustTicket(t, c, ticketSpec{content: "Ngập nước nghiêm trọng đường Nguyễn Trãi hôm qua", contact: &other})
		if _, err := c.Tickets.Do(context.Background(), c.Actor("operator"), closed.ID, ticket.Refuse, ticket.Input{Reason: "Trùng"}); err != nil {
			t.Fatal(err)
		}
		tk := mustTicket(t, c, ticketSpec{content: "Ngập nước nghiêm trọng đường Nguyễn Trãi, xe không đi được"})
		op := c.Login(t, "operator")
		_, page, _ := op.Get(path(tk, ""))
		for _, want := range []string{`name="pick" value="` + sameReporter.Code + `"`, `name="pick" value="` + similar.Code + `"`} {
			if !strings.Contains(page, want) {
				t.Errorf("merge suggestions lack %s", want)
			}
		}
		if strings.Contains(page, `name="pick" value="`+closed.Code+`"`) || strings.Contains(page, `name="pick" value="`+tk.Code+`"`) {
			t.Error("a refused ticket or the ticket itself is suggested")
		}
		status, page, loc := op.Post(path(tk, "merge"), url.Values{"into": {""}, "pick": {similar.Code}})
		mustRedirectBack(t, "merge", tk, status, page, loc)
		if got := mustDetail(t, c, tk.ID).Ticket; got.State != ticket.Merged || got.MergedInto != similar.ID {
			t.Fatalf("after merge: %s into %d", got.State, got.MergedInto)
		}
	})
}

// The reply composer offers templates filled in for the ticket.
func TestWorkspaceReplyTemplates(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, webtest.Reference)
	c := newWorkspace(t, d)
	tk := mustTicket(t, c, ticketSpec{})
	if _, err := c.Replies.Save(context.Background(), c.Actor("admin"), replyTemplate("Cảm ơn", "Cảm ơn ông/bà. Mã phản ánh: {code}.")); err != nil {
		t.Fatal(err)
	}
	_, page, _ := c.Login(t, "operator").Get(path(tk, ""))
	if !strings.Contains(page, `data-body="Cảm ơn ông/bà. Mã phản ánh: `+tk.Code+`."`) {
		t.Fatal("the template is not filled in on the page")
	}
}

// An extension is asked for in Vietnam time and stored in UTC.
func TestWorkspaceExtensionInLocalTime(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, webtest.Reference)
	c := newWorkspace(t, d)
	tk := mustTicket(t, c, ticketSpec{forward: "SXD", accept: true})
	local := tk.Deadline.Add(48 * 3600e9).In(i18n.Location).Truncate(60e9)
	status, page, loc := c.Login(t, "sxd").Post(path(tk, "request-extension"),
		url.Values{"until": {local.Format("2006-01-02T15:04")}, "reason": {"Cần phối hợp với phường"}})
	mustRedirectBack(t, "request-extension", tk, status, page, loc)
	det := mustDetail(t, c, tk.ID)
	asg := det.Assignments[len(det.Assignments)-1]
	if !asg.ExtUntil.Equal(local) || asg.ExtState != "requested" {
		t.Fatalf("extension until %v (%s), want %v", asg.ExtUntil, asg.ExtState, local.UTC())
	}
	_, page, _ = c.Login(t, "supervisor").Get(path(tk, ""))
	if !strings.Contains(page, "Cần phối hợp với phường") || !strings.Contains(page, `id="form-grant-extension"`) {
		t.Fatal("the supervisor does not see the request")
	}
}

func replyTemplate(name, body string) reply.Template {
	return reply.Template{Name: name, Body: body, Active: true}
}

var (
	tagRe    = regexp.MustCompile(`(?s)<[^>]*>`)
	rawKeyRe = regexp.MustCompile(`\b(?:ws|event|action|state|channel|priority|kind|sla|ticket|error|field|delivery)\.[a-z][a-z_\-.]*[a-z]`)
)

// Every event of a long ticket life is shown in words, in Vietnamese and
// in English, to every role: no catalogue key shows through.
func TestWorkspaceShowsEveryEventInBothLanguages(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, webtest.Reference)
	c := newWorkspace(t, d)
	ctx := context.Background()
	do := func(who string, tk ticket.Ticket, a ticket.Action, in ticket.Input) {
		t.Helper()
		if _, err := c.Tickets.Do(ctx, c.Actor(who), tk.ID, a, in); err != nil {
			t.Fatalf("%s by %s: %v", a, who, err)
		}
	}
	life := mustTicket(t, c, ticketSpec{share: true})
	do("operator", life, ticket.Classify, ticket.Input{Category: "xay_dung_nha_o", Area: "25747", Priority: "high"})
	do("operator", life, ticket.Forward, ticket.Input{Agency: "SXD", Note: "Nhờ kiểm tra"})
	do("sxd", life, ticket.Accept, ticket.Input{})
	until := mustDetail(t, c, life.ID).Ticket.Deadline.Add(24 * 3600e9)
	do("sxd", life, ticket.RequestExtension, ticket.Input{Until: until, Reason: "Cần khảo sát"})
	do("supervisor", life, ticket.DenyExtension, ticket.Input{Reason: "Không đủ lý do"})
	do("sxd", life, ticket.RequestExtension, ticket.Input{Until: until, Reason: "Cần khảo sát thêm"})
	do("supervisor", life, ticket.GrantExtension, ticket.Input{})
	do("sxd", life, ticket.Note, ticket.Input{Text: "Đã liên hệ phường"})
	do("sxd", life, ticket.AnswerAction, ticket.Input{Text: "Đã xử lý."})
	do("supervisor", life, ticket.SendBack, ticket.Input{Reason: "Thiếu biên bản"})
	do("sxd", life, ticket.AnswerAction, ticket.Input{Text: "Đã xử lý, có biên bản."})
	do("supervisor", life, ticket.Approve, ticket.Input{})
	do("operator", life, ticket.Reply, ticket.Input{})
	do("operator", life, ticket.Rate, ticket.Input{Rating: 4, Comment: "Nhanh"})
	do("supervisor", life, ticket.Publish, ticket.Input{})
	do("supervisor", life, ticket.Unpublish, ticket.Input{})
	do("operator", life, ticket.Close, ticket.Input{})
	do("operator", life, ticket.Reopen, ticket.Input{Reason: "Người dân chưa hài lòng"})
	do("supervisor", life, ticket.Take, ticket.Input{})
	do("supervisor", life, ticket.Forward, ticket.Input{Agency: "SXD"})
	do("supervisor", life, ticket.Reassign, ticket.Input{Agency: "UBND.TDM", Note: "Thuộc phường"})
	do("tdm", life, ticket.Return, ticket.Input{Reason: "Không thuộc thẩm quyền"})
	dup := mustTicket(t, c, ticketSpec{})
	do("operator", dup, ticket.Merge, ticket.Input{Into: life.Code})
	refused := mustTicket(t, c, ticketSpec{})
	do("operator", refused, ticket.Refuse, ticket.Input{Reason: "Quấy rối"})
	if _, _, err := c.Tickets.Sweep(ctx, ticket.SLARunner); err != nil {
		t.Fatal(err)
	}
	events := map[string]bool{}
	for _, m := range mustDetail(t, c, life.ID).Timeline {
		events[m.Event] = true
	}
	if len(events) < 20 {
		t.Fatalf("only %d kinds of entries: the test would prove little", len(events))
	}
	for _, who := range []string{"operator", "supervisor", "viewer", "admin"} {
		cl := c.Login(t, who)
		for _, lang := range []string{"vi", "en"} {
			cl.Get("/lang?to=" + lang + "&next=/console")
			for _, tk := range []ticket.Ticket{life, dup, refused} {
				status, page, _ := cl.Get(path(tk, ""))
				if status != 200 {
					t.Fatalf("%s, %s, %s: %d", who, lang, tk.Code, status)
				}
				if keys := rawKeyRe.FindAllString(tagRe.ReplaceAllString(page, " "), -1); len(keys) > 0 {
					t.Errorf("%s, %s, %s: catalogue keys on the page: %v", who, lang, tk.Code, keys)
				}
			}
		}
	}
}

// An agency that returns a ticket can no longer see it: the form sends it
// back to its queue, with the message, rather than to a missing page.
func TestWorkspaceReturnGoesToTheQueue(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, webtest.Reference)
	c := newWorkspace(t, d)
	tk := mustTicket(t, c, ticketSpec{forward: "SXD", accept: true})
	ag := c.Login(t, "sxd")
	status, _, loc := ag.Post(path(tk, "return"), url.Values{"reason": {"Không thuộc thẩm quyền của Sở"}})
	if status != http.StatusSeeOther || loc != "/console" {
		t.Fatalf("return: %d → %q", status, loc)
	}
	if _, page, _ := ag.Get("/console"); !strings.Contains(page, "Đã trả lại phản ánh cho tổng đài.") {
		t.Fatal("no message in the queue")
	}
	if status, _, _ := ag.Get(path(tk, "")); status != http.StatusNotFound {
		t.Fatalf("the returned ticket: %d", status)
	}
}
