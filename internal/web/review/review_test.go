package review_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// create records a phone call as the operator.
func create(t *testing.T, c *webtest.Console, n ticket.NewTicket) ticket.Ticket {
	t.Helper()
	n.Channel = ticket.Phone
	if n.Content == "" {
		n.Content = "Ống nước trước số 5 Bạch Đằng bị vỡ, nước chảy tràn ra đường."
	}
	cr, err := c.Tickets.Create(context.Background(), c.Actor("operator"), n)
	if err != nil {
		t.Fatal(err)
	}
	return cr.Ticket
}

// do takes an action as one of the test accounts.
func do(t *testing.T, c *webtest.Console, who string, id int64, a ticket.Action, in ticket.Input) ticket.Ticket {
	t.Helper()
	tk, err := c.Tickets.Do(context.Background(), c.Actor(who), id, a, in)
	if err != nil {
		t.Fatalf("%s %s: %v", who, a, err)
	}
	return tk
}

// get reads a ticket as the operator.
func get(t *testing.T, c *webtest.Console, id int64) ticket.Ticket {
	t.Helper()
	tk, err := c.Tickets.Get(context.Background(), c.Actor("operator"), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// answered is a ticket forwarded to SXD and answered there.
func answered(t *testing.T, c *webtest.Console, answer string) ticket.Ticket {
	t.Helper()
	tk := create(t, c, ticket.NewTicket{})
	do(t, c, "operator", tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
	return do(t, c, "sxd", tk.ID, ticket.AnswerAction, ticket.Input{Text: answer})
}

func path(id int64, action string) string {
	return "/console/review/tickets/" + strconv.FormatInt(id, 10) + "/" + action
}

// fieldError finds the error beside a ticket's form field.
func fieldError(body string, id int64, field string) string {
	m := regexp.MustCompile(`<p class="field-error" id="err-` + strconv.FormatInt(id, 10) + `\.` + field + `">([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestReviewApproveAndSendBack(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		sup := c.Login(t, "supervisor")
		first := answered(t, c, "Đã cử đội sửa chữa đến thay ống nước.")
		second := answered(t, c, "Đơn vị cấp nước sẽ khắc phục trong ngày.")

		status, body, _ := sup.Get("/console/review")
		if status != 200 {
			t.Fatalf("GET /console/review: %d", status)
		}
		if !strings.Contains(body, `aria-current="page">Chờ duyệt kết quả <span class="rv-count some">2</span>`) {
			t.Error("the approval tab is not open with its count")
		}
		for _, want := range []string{first.Code, second.Code, "Đã cử đội sửa chữa", "Ống nước trước số 5", "Sở Xây dựng", path(first.ID, "approve"), path(first.ID, "send-back")} {
			if !strings.Contains(body, want) {
				t.Errorf("the approval list lacks %q", want)
			}
		}
		if strings.Index(body, second.Code) > strings.Index(body, first.Code) {
			t.Error("the newest answer is not first")
		}

		t.Run("approve", func(t *testing.T) {
			status, _, loc := sup.Post(path(first.ID, "approve"), url.Values{"cursor": {""}})
			if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/review?tab=approve") {
				t.Fatalf("approve: %d → %q", status, loc)
			}
			if st := get(t, c, first.ID).State; st != ticket.Approved {
				t.Fatalf("state %s, want approved", st)
			}
			_, page, _ := sup.Get(loc)
			if !strings.Contains(page, "Đã duyệt kết quả trả lời") || strings.Contains(page, first.Code) {
				t.Error("no message, or the approved answer is still listed")
			}
		})
		t.Run("send back without a reason", func(t *testing.T) {
			status, body, _ := sup.Post(path(second.ID, "send-back"), url.Values{"reason": {"  "}})
			if status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", status)
			}
			if msg := fieldError(body, second.ID, "reason"); !strings.Contains(msg, "Vui lòng nhập") {
				t.Fatalf("no error beside the reason: %q", msg)
			}
			if st := get(t, c, second.ID).State; st != ticket.Answered {
				t.Fatalf("state %s, want still answered", st)
			}
		})
		t.Run("send back with a reason", func(t *testing.T) {
			status, _, _ := sup.Post(path(second.ID, "send-back"), url.Values{"reason": {"Cần ghi rõ thời gian hoàn thành."}})
			if status != http.StatusSeeOther {
				t.Fatalf("status %d", status)
			}
			if st := get(t, c, second.ID).State; st != ticket.Accepted {
				t.Fatalf("state %s, want accepted", st)
			}
		})
		t.Run("a decision taken twice", func(t *testing.T) {
			status, body, _ := sup.Post(path(first.ID, "approve"), nil)
			if status != http.StatusConflict || !strings.Contains(body, `role="alert"`) || !strings.Contains(body, "Không thể thực hiện") {
				t.Fatalf("approve again: %d", status)
			}
		})
	})
}

func TestReviewExtension(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		sup := c.Login(t, "supervisor")
		mk := func(reason string) (ticket.Ticket, time.Time) {
			tk := create(t, c, ticket.NewTicket{})
			tk = do(t, c, "operator", tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
			until := tk.Deadline.Add(48 * time.Hour).Truncate(time.Second)
			do(t, c, "sxd", tk.ID, ticket.RequestExtension, ticket.Input{Until: until, Reason: reason})
			return tk, until
		}
		grant, until := mk("Cần khảo sát hiện trường cùng công ty cấp nước.")
		deny, _ := mk("Chờ ý kiến của phường.")

		_, body, _ := sup.Get("/console/review?tab=extension")
		for _, want := range []string{grant.Code, deny.Code, "Cần khảo sát hiện trường", "Sở Xây dựng", path(grant.ID, "grant-extension"), path(deny.ID, "deny-extension")} {
			if !strings.Contains(body, want) {
				t.Errorf("the extension list lacks %q", want)
			}
		}
		if !strings.Contains(body, `>Xin gia hạn <span class="rv-count some">2</span>`) {
			t.Error("no count on the extension tab")
		}
		t.Run("grant moves the deadline", func(t *testing.T) {
			status, _, loc := sup.Post(path(grant.ID, "grant-extension"), nil)
			if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/review?tab=extension") {
				t.Fatalf("grant: %d → %q", status, loc)
			}
			if got := get(t, c, grant.ID).Deadline; !got.Equal(until) {
				t.Fatalf("deadline %v, want %v", got, until)
			}
		})
		t.Run("deny needs a reason", func(t *testing.T) {
			status, body, _ := sup.Post(path(deny.ID, "deny-extension"), url.Values{})
			if status != http.StatusBadRequest || fieldError(body, deny.ID, "reason") == "" {
				t.Fatalf("deny without a reason: %d", status)
			}
			status, _, _ = sup.Post(path(deny.ID, "deny-extension"), url.Values{"reason": {"Thời hạn hiện tại đủ để xử lý."}})
			if status != http.StatusSeeOther {
				t.Fatalf("deny: %d", status)
			}
			det, err := c.Tickets.Detail(context.Background(), c.Actor("operator"), deny.ID)
			if err != nil {
				t.Fatal(err)
			}
			if a := det.Assignments[len(det.Assignments)-1]; a.ExtState != "denied" || !get(t, c, deny.ID).Deadline.Equal(deny.Deadline) {
				t.Fatalf("ext state %q", a.ExtState)
			}
		})
		if _, body, _ := sup.Get("/console/review?tab=extension"); strings.Contains(body, grant.Code) || strings.Contains(body, deny.Code) {
			t.Error("decided requests are still listed")
		}
	})
}

func TestReviewOverdueAndReassign(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		sup := c.Login(t, "supervisor")
		// Received six hours ago: the deadline (5 h by default) has passed.
		late := create(t, c, ticket.NewTicket{ReceivedAt: time.Now().Add(-6 * time.Hour), Content: "Cây đổ chắn ngang đường Nguyễn Trãi."})
		late = do(t, c, "operator", late.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
		desk := create(t, c, ticket.NewTicket{ReceivedAt: time.Now().Add(-7 * time.Hour)})
		fresh := create(t, c, ticket.NewTicket{})
		if late.SLA(time.Now()) != "overdue" {
			t.Fatalf("the ticket is %s, not overdue", late.SLA(time.Now()))
		}
		_, body, _ := sup.Get("/console/review?tab=deadline")
		if !strings.Contains(body, late.Code) || !strings.Contains(body, desk.Code) || strings.Contains(body, fresh.Code) {
			t.Fatal("the overdue list is wrong")
		}
		if strings.Index(body, desk.Code) > strings.Index(body, late.Code) {
			t.Error("not sorted by deadline")
		}
		if !strings.Contains(body, path(late.ID, "reassign")) || strings.Contains(body, path(desk.ID, "reassign")) {
			t.Error("reassign is offered for the wrong tickets")
		}
		if !strings.Contains(body, `href="/console/tickets/`+strconv.FormatInt(desk.ID, 10)+`"`) {
			t.Error("no link to the workspace for a ticket without an agency")
		}
		if !strings.Contains(body, "Quá hạn: 2") {
			t.Error("no overdue count")
		}
		t.Run("reassign without an agency", func(t *testing.T) {
			status, body, _ := sup.Post(path(late.ID, "reassign"), url.Values{"agency": {""}, "note": {"Thử"}})
			if status != http.StatusBadRequest || fieldError(body, late.ID, "agency") == "" {
				t.Fatalf("%d", status)
			}
			if !strings.Contains(body, `value="Thử"`) {
				t.Error("the note was not kept")
			}
		})
		t.Run("reassign", func(t *testing.T) {
			status, _, loc := sup.Post(path(late.ID, "reassign"), url.Values{"agency": {"UBND.TDM"}, "note": {"Thuộc địa bàn phường"}})
			if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/review?tab=deadline") {
				t.Fatalf("reassign: %d → %q", status, loc)
			}
			if tk := get(t, c, late.ID); tk.AgencyCode != "UBND.TDM" || tk.State != ticket.Forwarded {
				t.Fatalf("agency %q state %s", tk.AgencyCode, tk.State)
			}
		})
	})
}

func TestReviewPublish(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		sup := c.Login(t, "supervisor")
		tk := create(t, c, ticket.NewTicket{Contact: contact.Input{Name: "Trần Thị Bích", Phone: "0903 123 456"},
			Content: "Tôi là Trần Thị Bích, số 0903 123 456. Rác không được thu gom ở hẻm 42 Lê Lợi."})
		do(t, c, "operator", tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
		do(t, c, "sxd", tk.ID, ticket.AnswerAction, ticket.Input{Text: "Đã thu gom rác, cảm ơn chị Bích."})
		do(t, c, "supervisor", tk.ID, ticket.Approve, ticket.Input{})
		do(t, c, "operator", tk.ID, ticket.Reply, ticket.Input{})

		_, body, _ := sup.Get("/console/review?tab=publish")
		if !strings.Contains(body, tk.Code) || !strings.Contains(body, path(tk.ID, "publish")) {
			t.Fatal("the ticket is not ready to publish")
		}
		form := body[strings.Index(body, path(tk.ID, "publish")):]
		form = form[:strings.Index(form, "</form>")]
		if strings.Contains(form, "0903 123 456") || strings.Contains(form, "Trần Thị Bích") || !strings.Contains(form, "Tôi là ***, số ***. Rác") {
			t.Fatalf("the preview is not anonymised:\n%s", form)
		}
		status, _, loc := sup.Post(path(tk.ID, "publish"), url.Values{"public_title": {"Rác không được thu gom"},
			"public_content": {"Người dân (0903 123 456) phản ánh rác không được thu gom ở hẻm 42 Lê Lợi."},
			"public_answer":  {"Đã thu gom rác."}})
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/review?tab=publish") {
			t.Fatalf("publish: %d → %q", status, loc)
		}
		got := get(t, c, tk.ID)
		if got.PublishedAt.IsZero() || got.PublicTitle != "Rác không được thu gom" || got.PublicContent != "Người dân (***) phản ánh rác không được thu gom ở hẻm 42 Lê Lợi." || got.PublicAnswer != "Đã thu gom rác." {
			t.Fatalf("published %v: %q / %q / %q", got.PublishedAt, got.PublicTitle, got.PublicContent, got.PublicAnswer)
		}
		if _, body, _ := sup.Get("/console/review?tab=publish"); strings.Contains(body, tk.Code) {
			t.Error("a published ticket is still listed")
		}
	})
}

func TestReviewReturned(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		tk := create(t, c, ticket.NewTicket{})
		do(t, c, "operator", tk.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
		do(t, c, "sxd", tk.ID, ticket.Return, ticket.Input{Reason: "Không thuộc thẩm quyền của Sở, đề nghị chuyển phường."})
		_, body, _ := c.Login(t, "supervisor").Get("/console/review?tab=returned")
		for _, want := range []string{tk.Code, "Không thuộc thẩm quyền của Sở", "Sở Xây dựng trả lại lúc", `/console/tickets/` + strconv.FormatInt(tk.ID, 10) + `#act-forward`} {
			if !strings.Contains(body, want) {
				t.Errorf("the returned list lacks %q", want)
			}
		}
	})
}

func TestReviewPaging(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, webtest.Reference)
	c := webtest.NewConsole(t, d)
	var codes []string
	for i := 0; i < 52; i++ {
		codes = append(codes, create(t, c, ticket.NewTicket{ReceivedAt: time.Now().Add(-time.Duration(6*60+i) * time.Minute)}).Code)
	}
	sup := c.Login(t, "supervisor")
	_, first, _ := sup.Get("/console/review?tab=deadline")
	m := regexp.MustCompile(`href="(/console/review\?cursor=[^"]+)" rel="next"`).FindStringSubmatch(first)
	if m == nil {
		t.Fatal("no link to the next page")
	}
	_, second, _ := sup.Get(strings.ReplaceAll(m[1], "&amp;", "&"))
	// Oldest deadline first: the two received last are on page 2.
	for i, code := range codes {
		onFirst, onSecond := strings.Contains(first, code), strings.Contains(second, code)
		if want := i < 2; onSecond != want || onFirst == want {
			t.Errorf("ticket %d: first page %v, second %v", i, onFirst, onSecond)
		}
	}
	if !strings.Contains(first, "/console?tab=overdue") {
		t.Error("no link to the inbox")
	}
	if status, _, _ := sup.Get("/console/review?tab=deadline&cursor=garbage"); status != http.StatusBadRequest {
		t.Errorf("a bad cursor: %d", status)
	}
}

func TestReviewAccess(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		answered := answered(t, c, "Đã xử lý xong.")
		routes := []string{"approve", "send-back", "grant-extension", "deny-extension", "reassign", "publish"}
		for _, who := range []string{"operator", "sxd", "viewer"} {
			t.Run(who, func(t *testing.T) {
				cl := c.Login(t, who)
				if status, _, _ := cl.Get("/console/review"); status != http.StatusForbidden {
					t.Errorf("GET /console/review: %d, want 403", status)
				}
				for _, a := range routes {
					if status, _, _ := cl.Post(path(answered.ID, a), url.Values{"reason": {"x"}, "agency": {"UBND.TDM"}}); status != http.StatusForbidden {
						t.Errorf("POST %s: %d, want 403", a, status)
					}
				}
			})
		}
		t.Run("admin, in English", func(t *testing.T) {
			admin := c.Login(t, "admin")
			admin.Get("/lang?to=en&next=/console/review")
			status, body, _ := admin.Get("/console/review")
			if status != 200 || !strings.Contains(body, "Answers to approve") || !strings.Contains(body, "Send back") || strings.Contains(body, "Chờ duyệt") {
				t.Errorf("GET /console/review in English: %d", status)
			}
		})
		t.Run("without a CSRF token", func(t *testing.T) {
			sup := c.Login(t, "supervisor")
			for _, a := range routes {
				for _, form := range []url.Values{{"reason": {"x"}}, {"csrf": {"forged"}, "reason": {"x"}}} {
					if status, _, _ := sup.PostForm(path(answered.ID, a), form); status != http.StatusForbidden {
						t.Errorf("POST %s: %d, want 403", a, status)
					}
				}
			}
			if tk := get(t, c, answered.ID); tk.State != ticket.Answered || !tk.UpdatedAt.Equal(answered.UpdatedAt) {
				t.Errorf("the ticket changed: %s", tk.State)
			}
		})
		t.Run("unknown ticket and action", func(t *testing.T) {
			sup := c.Login(t, "supervisor")
			if status, _, _ := sup.Post("/console/review/tickets/999999/approve", nil); status != http.StatusNotFound {
				t.Errorf("unknown ticket: %d", status)
			}
			if status, _, _ := sup.Post(path(answered.ID, "close"), nil); status != http.StatusNotFound {
				t.Errorf("an action the page does not take: %d", status)
			}
		})
	})
}
