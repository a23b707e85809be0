package desk_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/routing"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// The reporter of the workspace tests. Their details must never reach an
// agency's page unless revealed.
const (
	reporterName  = "Nguyễn Thị Thu Trang"
	reporterPhone = "0987654321"
	reporterEmail = "thutrang.nguyen@example.vn"
)

// personalData are the forms the reporter's identity could take on a page.
var personalData = []string{reporterName, "Thu Trang", reporterPhone, "0987 654 321", "+84987654321", "987654321", reporterEmail}

// A PNG header is enough for the type check.
var pngFile = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 200)...)

// newWorkspace is a console whose attachments go to a temporary directory.
func newWorkspace(t *testing.T, d *db.DB) *webtest.Console {
	t.Helper()
	c := webtest.NewConsole(t, d)
	c.Blobs.Dir = t.TempDir()
	return c
}

// ticketSpec describes a ticket to create for a test.
type ticketSpec struct {
	content  string
	share    bool
	forward  string // an agency code to forward to
	accept   bool
	category string
	area     string
	contact  *contact.Input
}

// mustTicket creates a ticket as the operator, moved along as spec says.
func mustTicket(t *testing.T, c *webtest.Console, spec ticketSpec) ticket.Ticket {
	t.Helper()
	ctx := context.Background()
	if spec.content == "" {
		spec.content = "Đèn đường trước số 12 Lê Lợi bị hỏng ba ngày nay. Chị Thu Trang, gọi lại số 0987654321."
	}
	in := contact.Input{Name: reporterName, Phone: reporterPhone, Email: reporterEmail}
	if spec.contact != nil {
		in = *spec.contact
	}
	cr, err := c.Tickets.Create(ctx, c.Actor("operator"), ticket.NewTicket{Channel: ticket.Phone, Content: spec.content,
		Category: spec.category, Area: spec.area, Contact: in, ShareIdentity: spec.share})
	if err != nil {
		t.Fatal(err)
	}
	tk := cr.Ticket
	if spec.forward != "" {
		if tk, err = c.Tickets.Do(ctx, c.Actor("operator"), tk.ID, ticket.Forward, ticket.Input{Agency: spec.forward}); err != nil {
			t.Fatal(err)
		}
	}
	if spec.accept {
		who := map[string]string{"SXD": "sxd", "UBND.TDM": "tdm"}[spec.forward]
		if tk, err = c.Tickets.Do(ctx, c.Actor(who), tk.ID, ticket.Accept, ticket.Input{}); err != nil {
			t.Fatal(err)
		}
	}
	return tk
}

// mustDetail reads a ticket as the supervisor.
func mustDetail(t *testing.T, c *webtest.Console, id int64) ticket.Detail {
	t.Helper()
	d, err := c.Tickets.Detail(context.Background(), c.Actor("supervisor"), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func path(tk ticket.Ticket, action string) string {
	p := fmt.Sprintf("/console/tickets/%d", tk.ID)
	if action != "" {
		p += "/" + action
	}
	return p
}

// upload is a file in a multipart form.
type upload struct {
	name, contentType string
	body              []byte
}

// postMultipart submits a multipart form with the session's CSRF token
// first, as a browser sends the console's forms.
func postMultipart(cl *webtest.Client, p string, fields url.Values, files []upload) (int, string, string) {
	cl.T.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("csrf", cl.CSRF)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="files"; filename=%q`, f.name))
		h.Set("Content-Type", f.contentType)
		w, _ := mw.CreatePart(h)
		_, _ = w.Write(f.body)
	}
	_ = mw.Close()
	req, err := http.NewRequest("POST", cl.URL(p), &b)
	if err != nil {
		cl.T.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return cl.Do(req)
}

// getFull fetches a path and returns the response headers too.
func getFull(cl *webtest.Client, p string) (*http.Response, string) {
	cl.T.Helper()
	res, err := cl.HTTP.Get(cl.URL(p))
	if err != nil {
		cl.T.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(res.Body)
	return res, b.String()
}

// mustRedirectBack checks a successful form: 303 back to the ticket.
func mustRedirectBack(t *testing.T, what string, tk ticket.Ticket, status int, body, loc string) {
	t.Helper()
	if status != http.StatusSeeOther || loc != path(tk, "") {
		t.Fatalf("%s: %d → %q\n%s", what, status, loc, errorText(body))
	}
}

var alertRe = regexp.MustCompile(`(?s)class="(?:field-error[^"]*|ws-error)"[^>]*>(.*?)</p>`)

// errorText pulls the error messages out of a page, for failure output.
func errorText(body string) string {
	var out []string
	for _, m := range alertRe.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return strings.Join(out, " | ")
}

var attachmentRe = regexp.MustCompile(`href="(/console/attachments/\d+)"`)

// The whole agency path through the forms: classify, forward with the
// routing suggestion, accept, answer with a file, approve, reply, close.
func TestWorkspaceAgencyPath(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := newWorkspace(t, d)
		ctx := context.Background()
		sxd, err := c.Agencies.ByCode(ctx, "SXD")
		if err != nil {
			t.Fatal(err)
		}
		cat, err := c.Categories.ByCode(ctx, "xay_dung_nha_o")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Routes.Save(ctx, d.W(), routing.Rule{CategoryID: cat.ID, AreaCode: "79", AgencyID: sxd.ID}); err != nil {
			t.Fatal(err)
		}
		tk := mustTicket(t, c, ticketSpec{content: "Công trình xây dựng không phép trên đường Lê Lợi gây bụi.", share: true})

		op := c.Login(t, "operator")
		status, page, _ := op.Get(path(tk, ""))
		if status != 200 || !strings.Contains(page, tk.Code) || !strings.Contains(page, `id="form-classify"`) {
			t.Fatalf("operator page: %d", status)
		}
		// The tracking code works as well as the id.
		if status, _, _ := op.Get("/console/tickets/" + tk.Code); status != 200 {
			t.Fatalf("page by code: %d", status)
		}
		status, page, loc := op.Post(path(tk, "classify"), url.Values{"kind": {"report"}, "category": {"xay_dung_nha_o"},
			"area": {"25747"}, "priority": {"high"}, "title": {"Xây dựng không phép gây bụi"}, "address": {"Số 5 Lê Lợi"}})
		mustRedirectBack(t, "classify", tk, status, page, loc)
		_, page, _ = op.Get(path(tk, ""))
		for _, want := range []string{"Đã lưu phân loại.", "Xây dựng không phép gây bụi", "Số 5 Lê Lợi", "Phường Thủ Dầu Một",
			`<option value="SXD" selected>`, "Gợi ý theo quy tắc phân công: Sở Xây dựng."} {
			if !strings.Contains(page, want) {
				t.Errorf("after classify, the page lacks %q", want)
			}
		}
		status, page, loc = op.Post(path(tk, "forward"), url.Values{"agency": {"SXD"}, "note": {"Nhờ đơn vị kiểm tra gấp."}})
		mustRedirectBack(t, "forward", tk, status, page, loc)

		ag := c.Login(t, "sxd")
		_, page, _ = ag.Get(path(tk, ""))
		if !strings.Contains(page, "Nhờ đơn vị kiểm tra gấp.") || !strings.Contains(page, `action="/console/tickets/`+fmt.Sprint(tk.ID)+`/accept"`) {
			t.Fatal("the agency does not see the note and the accept button")
		}
		status, page, loc = ag.Post(path(tk, "accept"), nil)
		mustRedirectBack(t, "accept", tk, status, page, loc)
		status, page, loc = postMultipart(ag, path(tk, "answer"), url.Values{"text": {"Đã lập biên bản và đình chỉ thi công."}},
			[]upload{{name: "biên bản hiện trường.png", contentType: "image/png", body: pngFile}})
		mustRedirectBack(t, "answer", tk, status, page, loc)
		_, page, _ = ag.Get(path(tk, ""))
		m := attachmentRe.FindStringSubmatch(page)
		if m == nil || !strings.Contains(page, "biên bản hiện trường.png") {
			t.Fatal("the attachment is not in the timeline")
		}
		res, body := getFull(ag, m[1])
		if res.StatusCode != 200 || body != string(pngFile) {
			t.Fatalf("download: %d", res.StatusCode)
		}
		if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
			t.Errorf("Content-Disposition = %q", cd)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Content-Type") != "image/png" {
			t.Errorf("download headers: %v", res.Header)
		}
		files, err := c.Tickets.Attachments(ctx, c.Actor("supervisor"), tk.ID)
		if err != nil || len(files) != 1 || files[0].MessageID == 0 || files[0].CreatedBy != c.Accounts["sxd"].ID || files[0].Size != int64(len(pngFile)) {
			t.Fatalf("attachment rows: %+v %v", files, err)
		}

		sup := c.Login(t, "supervisor")
		status, page, loc = sup.Post(path(tk, "approve"), nil)
		mustRedirectBack(t, "approve", tk, status, page, loc)

		_, page, _ = op.Get(path(tk, ""))
		if !strings.Contains(page, `id="reply-text"`) || !strings.Contains(page, ">Đã lập biên bản và đình chỉ thi công.</textarea>") {
			t.Fatal("the reply composer is not filled with the approved answer")
		}
		reply := "Kính gửi ông/bà, Sở Xây dựng đã lập biên bản và đình chỉ thi công."
		status, page, loc = op.Post(path(tk, "reply"), url.Values{"text": {reply}})
		mustRedirectBack(t, "reply", tk, status, page, loc)
		_, page, _ = op.Get(path(tk, ""))
		if !strings.Contains(page, "Trả lời người dân qua") || !strings.Contains(page, reply) || !strings.Contains(page, "Chờ gọi báo cho người dân") {
			t.Fatal("the reply is not in the timeline waiting on the call-back list (a phone ticket, no mailbox)")
		}
		status, page, loc = op.Post(path(tk, "close"), nil)
		mustRedirectBack(t, "close", tk, status, page, loc)
		if got := mustDetail(t, c, tk.ID).Ticket.State; got != ticket.Closed {
			t.Fatalf("state = %s, want closed", got)
		}
	})
}

// An agency sees only its own tickets: everything about another agency's
// ticket is 404, exactly like a ticket that does not exist.
func TestWorkspaceForeignAgencyGets404(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := newWorkspace(t, d)
		tk := mustTicket(t, c, ticketSpec{forward: "SXD", accept: true, share: true})
		own := c.Login(t, "sxd")
		status, page, loc := postMultipart(own, path(tk, "answer"), url.Values{"text": {"Đã xử lý."}}, []upload{{name: "a.png", contentType: "image/png", body: pngFile}})
		mustRedirectBack(t, "answer", tk, status, page, loc)
		_, page, _ = own.Get(path(tk, ""))
		att := attachmentRe.FindStringSubmatch(page)
		if att == nil {
			t.Fatal("no attachment link")
		}
		before := len(mustDetail(t, c, tk.ID).Timeline)

		foreign := c.Login(t, "tdm")
		// The pages differ only in the language switch's link back.
		same := regexp.MustCompile(`next=[^"]*`)
		_, missing, _ := foreign.Get("/console/tickets/999999")
		missing = same.ReplaceAllString(missing, "")
		paths := []string{path(tk, ""), "/console/tickets/" + tk.Code}
		for _, p := range paths {
			status, body, _ := foreign.Get(p)
			if body = same.ReplaceAllString(body, ""); status != http.StatusNotFound || body != missing {
				t.Errorf("GET %s: %d (same page as a missing ticket: %v)", p, status, body == missing)
			}
		}
		if status, _, _ := foreign.Get(att[1]); status != http.StatusNotFound {
			t.Errorf("attachment: %d", status)
		}
		for _, a := range append(ticket.Actions(), "reveal", "presence") {
			status, _, _ := foreign.Post(path(tk, string(a)), url.Values{"reason": {"x"}, "text": {"x"}, "agency": {"UBND.TDM"}})
			if status != http.StatusNotFound {
				t.Errorf("POST %s: %d, want 404", a, status)
			}
		}
		if after := len(mustDetail(t, c, tk.ID).Timeline); after != before {
			t.Fatalf("a foreign agency wrote %d timeline entries", after-before)
		}
	})
}

// Agency pages carry no personal data until a reveal with a reason, which
// the audit log records with the actor.
func TestWorkspaceRevealIsAuditedAndOnce(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := newWorkspace(t, d)
		ctx := context.Background()
		tk := mustTicket(t, c, ticketSpec{forward: "SXD", share: true})
		ag := c.Login(t, "sxd")
		mustNoPersonalData := func(what, page string) {
			t.Helper()
			for _, s := range personalData {
				if strings.Contains(page, s) {
					t.Errorf("%s contains %q", what, s)
				}
			}
		}
		reveals := func() []audit.Event {
			evs, err := c.Audit.List(ctx, audit.Filter{Action: "contact.reveal", TicketID: tk.ID})
			if err != nil {
				t.Fatal(err)
			}
			return evs
		}
		status, page, _ := ag.Get(path(tk, ""))
		if status != 200 || !strings.Contains(page, `id="form-reveal"`) {
			t.Fatalf("agency page: %d, reveal form: %v", status, strings.Contains(page, `id="form-reveal"`))
		}
		mustNoPersonalData("the agency page", page)

		status, page, _ = ag.Post(path(tk, "reveal"), url.Values{"reason": {"  "}})
		if status != http.StatusBadRequest || !strings.Contains(page, `id="err-reveal-reason"`) || !strings.Contains(page, `aria-invalid="true"`) {
			t.Fatalf("reveal without a reason: %d", status)
		}
		mustNoPersonalData("the refused reveal", page)
		if n := len(reveals()); n != 0 {
			t.Fatalf("%d reveals audited for a refused reveal", n)
		}

		status, page, _ = ag.Post(path(tk, "reveal"), url.Values{"reason": {"Cần liên hệ để hẹn kiểm tra hiện trường"}})
		if status != 200 {
			t.Fatalf("reveal: %d %s", status, errorText(page))
		}
		for _, want := range []string{reporterName, "0987 654 321", reporterEmail} {
			if !strings.Contains(page, want) {
				t.Errorf("the revealed page lacks %q", want)
			}
		}
		evs := reveals()
		if len(evs) != 1 || evs[0].ActorID != c.Accounts["sxd"].ID || evs[0].Detail["reason"] != "Cần liên hệ để hẹn kiểm tra hiện trường" {
			t.Fatalf("audit: %+v", evs)
		}
		_, page, _ = ag.Get(path(tk, ""))
		mustNoPersonalData("the page after a reveal", page)

		// A reporter who keeps their identity: no "Show", and a POST fails.
		secret := mustTicket(t, c, ticketSpec{forward: "SXD", share: false})
		_, page, _ = ag.Get(path(secret, ""))
		if strings.Contains(page, `id="form-reveal"`) || !strings.Contains(page, "đề nghị giữ bí mật") {
			t.Fatal("a confidential reporter is offered for reveal")
		}
		mustNoPersonalData("the confidential reporter's page", page)
		if status, page, _ := ag.Post(path(secret, "reveal"), url.Values{"reason": {"Cần liên hệ"}}); status != http.StatusForbidden {
			t.Fatalf("reveal of a confidential reporter: %d", status)
		} else {
			mustNoPersonalData("the refused confidential reveal", page)
		}

		// Viewers see masks and no "Show"; the hotline desk sees everything.
		_, page, _ = c.Login(t, "viewer").Get(path(tk, ""))
		mustNoPersonalData("the viewer's page", page)
		if strings.Contains(page, `id="form-reveal"`) {
			t.Error("a viewer is offered a reveal")
		}
		_, page, _ = c.Login(t, "operator").Get(path(tk, ""))
		for _, want := range []string{reporterName, "0987 654 321", reporterEmail} {
			if !strings.Contains(page, want) {
				t.Errorf("the operator's page lacks %q", want)
			}
		}
	})
}

// Every POST route of the workspace refuses a request without the
// session's CSRF token, and writes nothing.
func TestWorkspacePostsNeedCSRF(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := newWorkspace(t, d)
		ctx := context.Background()
		tk := mustTicket(t, c, ticketSpec{})
		before := len(mustDetail(t, c, tk.ID).Timeline)
		auditBefore, _ := c.Audit.List(ctx, audit.Filter{TicketID: tk.ID, Limit: 200})
		cl := c.Login(t, "operator")
		for _, a := range append(ticket.Actions(), "reveal", "presence") {
			form := url.Values{"reason": {"x"}, "text": {"x"}, "category": {"xay_dung_nha_o"}, "agency": {"SXD"}, "rating": {"5"}}
			if status, _, _ := cl.PostForm(path(tk, string(a)), form); status != http.StatusForbidden {
				t.Errorf("POST %s without a token: %d, want 403", a, status)
			}
			form.Set("csrf", "forged")
			if status, _, _ := cl.PostForm(path(tk, string(a)), form); status != http.StatusForbidden {
				t.Errorf("POST %s with a forged token: %d, want 403", a, status)
			}
		}
		if len(viewersOf(c, tk)) != 0 {
			t.Fatal("presence recorded without a token")
		}
		if status, _, _ := postMultipart(cl, path(tk, "note"), nil, nil); status == http.StatusForbidden {
			t.Fatal("the multipart helper does not send the token: the test proves nothing")
		}
		cl.CSRF = "forged"
		if status, _, _ := postMultipart(cl, path(tk, "answer"), url.Values{"text": {"x"}}, []upload{{name: "a.png", contentType: "image/png", body: pngFile}}); status != http.StatusForbidden {
			t.Errorf("multipart answer with a forged token: %d", status)
		}
		if after := len(mustDetail(t, c, tk.ID).Timeline); after != before {
			t.Fatalf("%d timeline entries written without a token", after-before)
		}
		auditAfter, _ := c.Audit.List(ctx, audit.Filter{TicketID: tk.ID, Limit: 200})
		if len(auditAfter) != len(auditBefore) {
			t.Fatalf("%d audit events written without a token", len(auditAfter)-len(auditBefore))
		}
	})
}

func viewersOf(c *webtest.Console, tk ticket.Ticket) []string {
	var out []string
	for _, v := range c.Live.Viewers(tk.ID) {
		out = append(out, v.Name)
	}
	return out
}
