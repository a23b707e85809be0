package desk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/routing"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// categoryCode returns the code of an active category.
func categoryCode(t *testing.T, c *webtest.Console) string {
	t.Helper()
	cats, err := c.Categories.List(context.Background(), false)
	if err != nil || len(cats) == 0 {
		t.Fatalf("no categories: %v", err)
	}
	return cats[0].Code
}

// ticketCount is how many tickets exist.
func ticketCount(t *testing.T, c *webtest.Console) int {
	t.Helper()
	var n int
	if err := c.DB.R().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM tickets`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// rowCounts counts what an intake writes: tickets, reporters, timeline
// entries, assignments and audit events.
func rowCounts(t *testing.T, c *webtest.Console) string {
	t.Helper()
	var out []string
	for _, table := range []string{"tickets", "contacts", "messages", "assignments", "audit_events"} {
		var n int
		if err := c.DB.R().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %d", table, n))
	}
	return strings.Join(out, ", ")
}

var ticketPathRe = regexp.MustCompile(`^/console/tickets/(\d+)$`)

// recorded reads the new ticket from where the form sent the browser.
func recorded(t *testing.T, c *webtest.Console, status int, loc string) ticket.Ticket {
	t.Helper()
	m := ticketPathRe.FindStringSubmatch(loc)
	if status != http.StatusSeeOther || m == nil {
		t.Fatalf("record a call: %d → %q, want 303 to the ticket", status, loc)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	tk, err := c.Tickets.Get(context.Background(), c.Actor("operator"), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// flash is the one-time message the client carries to its next page.
func flash(cl *webtest.Client) string {
	u, _ := url.Parse(cl.URL("/"))
	for _, ck := range cl.HTTP.Jar.Cookies(u) {
		if ck.Name == "hotline_flash" {
			return ck.Value
		}
	}
	return ""
}

// call is a filled-in call-taker form.
func call(fields ...string) url.Values {
	v := url.Values{"phone": {"0912 345 678"}, "name": {"Nguyễn Văn An"}, "area": {"25747"},
		"address": {"Trước số 12 Lê Lợi"}, "kind": {"report"}, "priority": {"normal"},
		"content": {"Đèn đường trước số 12 Lê Lợi bị hỏng ba ngày nay, buổi tối rất tối."}}
	for i := 0; i+1 < len(fields); i += 2 {
		v.Set(fields[i], fields[i+1])
	}
	return v
}

func TestRecordCall(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := webtest.NewConsole(t, d)
		op := c.Login(t, "operator")
		cat := categoryCode(t, c)

		status, body, _ := op.Get("/console/new")
		if status != 200 || !strings.Contains(body, `id="phone"`) || !strings.Contains(body, "autofocus") || !strings.Contains(body, `name="nonce"`) {
			t.Fatalf("GET /console/new: %d", status)
		}
		for _, want := range []string{`value="` + cat + `"`, `value="SXD"`, `value="UBND.TDM"`, `data-ward-picker`, `/static/intake.js`} {
			if !strings.Contains(body, want) {
				t.Errorf("the form lacks %s", want)
			}
		}

		t.Run("recorded, classified, to its workspace with the code", func(t *testing.T) {
			status, _, loc := op.Post("/console/new", call("category", cat, "share", "1"))
			tk := recorded(t, c, status, loc)
			if tk.Channel != ticket.Phone || tk.State != ticket.Classified || tk.CategoryCode != cat || tk.AreaCode != "25747" || !tk.ShareIdentity {
				t.Errorf("ticket: channel %s, state %s, category %q, area %q, share %v", tk.Channel, tk.State, tk.CategoryCode, tk.AreaCode, tk.ShareIdentity)
			}
			if tk.Address != "Trước số 12 Lê Lợi" || !strings.HasPrefix(tk.Content, "Đèn đường") {
				t.Errorf("ticket text: %q / %q", tk.Address, tk.Content)
			}
			rep, err := c.Tickets.Reporter(ctx, c.Actor("operator"), tk)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Contact.Phone != "+84912345678" || rep.Contact.Name != "Nguyễn Văn An" {
				t.Errorf("contact: %q %q, want +84912345678 and the name", rep.Contact.Phone, rep.Contact.Name)
			}
			if f := flash(op); f != "intake.recorded_code|code="+tk.Code {
				t.Errorf("flash %q, want intake.recorded_code with the code", f)
			}
			// The workspace shows the tracking code with the message (when
			// the workspace is there to show it).
			if status, page, _ := op.Get(loc); status == 200 && (!strings.Contains(page, tk.Code) || !strings.Contains(page, "Đã ghi nhận cuộc gọi")) {
				t.Errorf("the workspace does not show the code %s with the message", tk.Code)
			}
		})

		t.Run("forwarded now", func(t *testing.T) {
			status, _, loc := op.Post("/console/new", call("category", cat, "agency", "SXD", "note", "Nhờ kiểm tra gấp"))
			tk := recorded(t, c, status, loc)
			if tk.State != ticket.Forwarded || tk.AgencyCode != "SXD" {
				t.Fatalf("state %s, agency %q; want forwarded to SXD", tk.State, tk.AgencyCode)
			}
			det, err := c.Tickets.Detail(ctx, c.Actor("operator"), tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(det.Assignments) != 1 || det.Assignments[0].Note != "Nhờ kiểm tra gấp" {
				t.Errorf("assignments: %+v", det.Assignments)
			}
		})

		t.Run("forwarded without a category", func(t *testing.T) {
			status, _, loc := op.Post("/console/new", call("area", "", "agency", "UBND.TDM"))
			tk := recorded(t, c, status, loc)
			if tk.State != ticket.Forwarded || tk.AgencyCode != "UBND.TDM" || tk.CategoryID != 0 {
				t.Fatalf("state %s, agency %q, category %d", tk.State, tk.AgencyCode, tk.CategoryID)
			}
		})

		t.Run("a ward typed by name", func(t *testing.T) {
			status, _, loc := op.Post("/console/new", call("area", "thu dau mot"))
			if tk := recorded(t, c, status, loc); tk.AreaCode != "25747" || tk.State != ticket.Received {
				t.Fatalf("area %q state %s, want 25747 and received", tk.AreaCode, tk.State)
			}
		})

		t.Run("save and record another shows the code on a fresh form", func(t *testing.T) {
			status, _, loc := op.Post("/console/new", call("next", "another", "phone", "028 3822 1022"))
			if status != http.StatusSeeOther || loc != "/console/new" {
				t.Fatalf("another: %d → %q", status, loc)
			}
			pg, err := c.Tickets.List(ctx, c.Actor("operator"), ticket.Filter{Limit: 1})
			if err != nil || len(pg.Tickets) != 1 {
				t.Fatal(err)
			}
			code := pg.Tickets[0].Code
			_, body, _ := op.Get("/console/new")
			if !strings.Contains(body, `class="flash"`) || !strings.Contains(body, code) {
				t.Fatalf("the fresh form does not show the code %s", code)
			}
			if strings.Contains(body, "028 3822 1022") || strings.Contains(body, "Nguyễn Văn An") {
				t.Error("the fresh form is not empty")
			}
			if _, again, _ := op.Get("/console/new"); strings.Contains(again, code) {
				t.Error("the code is shown a second time")
			}
		})

		t.Run("a double submit records one call", func(t *testing.T) {
			form := call("nonce", "0123456789abcdef01234567")
			_, _, first := op.Post("/console/new", form)
			n := ticketCount(t, c)
			_, _, second := op.Post("/console/new", form)
			if first != second || ticketCount(t, c) != n {
				t.Fatalf("two tickets: %q, %q", first, second)
			}
		})
	})
}

func TestRecordCallRejected(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		op := c.Login(t, "operator")
		cat := categoryCode(t, c)
		long := strings.Repeat("ẩ", ticket.MaxContent+1)
		fields := []string{"phone", "name", "area", "address", "category", "kind", "priority", "content", "agency", "note"}
		// UBND.TDM merged away: a form opened before still offers it.
		if _, err := d.W().ExecContext(context.Background(), `UPDATE agencies SET valid_to = '2025-08-01' WHERE code = 'UBND.TDM'`); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, field, message string
			form                 url.Values
		}{
			{"no content", "content", "Vui lòng nhập nội dung phản ánh", call("content", "  \n ")},
			{"content too long", "content", "10000", call("content", long)},
			{"bad phone", "phone", "Số điện thoại không hợp lệ", call("phone", "12ab")},
			{"unknown ward", "area", "99999", call("area", "99999")},
			{"a province is not a ward", "area", "79", call("area", "79")},
			{"ward name without a match", "area", "danh sách gợi ý", call("area", "khong co phuong nay")},
			{"unknown category", "category", "khong_co", call("category", "khong_co")},
			{"unknown kind", "kind", "", call("kind", "nonsense")},
			{"unknown priority", "priority", "", call("priority", "asap")},
			{"unknown agency", "agency", "NOPE", call("agency", "NOPE")},
			{"retired agency", "agency", "UBND.TDM", call("agency", "UBND.TDM")},
			{"note too long", "note", "2000", call("agency", "SXD", "note", strings.Repeat("ạ", ticket.MaxReason+1))},
			{"address too long", "address", "500", call("address", strings.Repeat("a", 501))},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := rowCounts(t, c)
				tc.form.Set("category", cat)
				if tc.field == "category" {
					tc.form.Set("category", "khong_co")
				}
				status, body, _ := op.Post("/console/new", tc.form)
				if status != http.StatusBadRequest {
					t.Fatalf("status %d, want 400", status)
				}
				// The domain refused it at the end, after the ticket, the
				// caller and the classification: none of them was kept.
				if after := rowCounts(t, c); after != before {
					t.Fatalf("rows written: %s, then %s", before, after)
				}
				m := regexp.MustCompile(`<p class="field-error" id="err-` + tc.field + `">([^<]*)</p>`).FindStringSubmatch(body)
				if m == nil || !strings.Contains(m[1], tc.message) {
					t.Fatalf("no error beside %s containing %q", tc.field, tc.message)
				}
				if !strings.Contains(body, `id="`+tc.field+`"`) || !regexp.MustCompile(`id="`+tc.field+`"[^>]*aria-invalid="true"`).MatchString(body) {
					t.Errorf("the %s field is not marked invalid", tc.field)
				}
				for _, other := range fields {
					if other != tc.field && strings.Contains(body, `id="err-`+other+`"`) {
						t.Errorf("an error beside %s too", other)
					}
				}
				if tc.field != "name" && !strings.Contains(body, `value="Nguyễn Văn An"`) {
					t.Error("the typed name was not kept")
				}
				if tc.field != "content" && !strings.Contains(body, "Đèn đường trước số 12 Lê Lợi bị hỏng") {
					t.Error("the typed content was not kept")
				}
				if !strings.Contains(body, `role="alert"`) {
					t.Error("no summary for screen readers")
				}
			})
		}
	})
}

func TestCallerLookup(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		op := c.Login(t, "operator")
		status, _, loc := op.Post("/console/new", call("agency", "SXD"))
		tk := recorded(t, c, status, loc)
		type history struct {
			Valid   bool
			Name    string
			Tickets []struct{ Code, State, Agency, URL string }
		}
		for _, tc := range []struct {
			name, phone string
			valid       bool
			codes       []string
		}{
			{"the same number typed another way", "+84 91 234 5678", true, []string{tk.Code}},
			{"the number as stored", "0912345678", true, []string{tk.Code}},
			{"a number that never called", "0987 654 321", true, nil},
			{"not a number", "12ab", false, nil},
			{"a service short code", "1022", false, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, body, _ := op.Get("/console/new/caller?" + url.Values{"phone": {tc.phone}}.Encode())
				if status != 200 {
					t.Fatalf("status %d", status)
				}
				var h history
				if err := json.Unmarshal([]byte(body), &h); err != nil {
					t.Fatal(err)
				}
				if h.Valid != tc.valid || len(h.Tickets) != len(tc.codes) {
					t.Fatalf("valid %v, %d tickets; want %v, %d", h.Valid, len(h.Tickets), tc.valid, len(tc.codes))
				}
				for i, code := range tc.codes {
					got := h.Tickets[i]
					if got.Code != code || got.Agency != "Sở Xây dựng" || got.URL != loc || got.State != "forwarded" {
						t.Errorf("ticket %d: %+v", i, got)
					}
				}
				if len(tc.codes) > 0 && h.Name != "Nguyễn Văn An" {
					t.Errorf("name %q", h.Name)
				}
				if len(tc.codes) == 0 && (h.Name != "" || strings.Contains(body, "Nguyễn")) {
					t.Error("a stranger's lookup names someone")
				}
			})
		}
	})
}

func TestRoutingSuggestion(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := webtest.NewConsole(t, d)
		cat, err := c.Categories.ByCode(ctx, categoryCode(t, c))
		if err != nil {
			t.Fatal(err)
		}
		sxd, _ := c.Agencies.ByCode(ctx, "SXD")
		tdm, _ := c.Agencies.ByCode(ctx, "UBND.TDM")
		for _, r := range []routing.Rule{{CategoryID: cat.ID, AgencyID: sxd.ID}, {CategoryID: cat.ID, AreaCode: "25747", AgencyID: tdm.ID, AutoForward: true}} {
			if _, err := c.Routes.Save(ctx, d.W(), r); err != nil {
				t.Fatal(err)
			}
		}
		op := c.Login(t, "operator")
		for _, tc := range []struct {
			name, category, area, agency string
			auto                         bool
		}{
			{"category and ward", cat.Code, "25747", "UBND.TDM", true},
			{"category in another ward", cat.Code, "25942", "SXD", false},
			{"category alone", cat.Code, "", "SXD", false},
			{"no rule", "", "25747", "", false},
			{"unknown category", "khong_co", "25747", "", false},
			{"nothing chosen", "", "", "", false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, body, _ := op.Get("/console/new/suggest?" + url.Values{"category": {tc.category}, "area": {tc.area}}.Encode())
				var s struct {
					Agency string
					Auto   bool
				}
				if err := json.Unmarshal([]byte(body), &s); status != 200 || err != nil {
					t.Fatalf("%d %v", status, err)
				}
				if s.Agency != tc.agency || s.Auto != tc.auto {
					t.Errorf("got %+v, want %s auto=%v", s, tc.agency, tc.auto)
				}
			})
		}
		t.Run("a rule that forwarded on its own is not forwarded twice", func(t *testing.T) {
			status, _, loc := op.Post("/console/new", call("category", cat.Code, "agency", "UBND.TDM"))
			tk := recorded(t, c, status, loc)
			det, err := c.Tickets.Detail(ctx, c.Actor("operator"), tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tk.State != ticket.Forwarded || tk.AgencyCode != "UBND.TDM" || len(det.Assignments) != 1 {
				t.Fatalf("state %s agency %s with %d assignments", tk.State, tk.AgencyCode, len(det.Assignments))
			}
			if flash(op) != "intake.recorded_code|code="+tk.Code {
				t.Errorf("flash %q", flash(op))
			}
		})
		t.Run("a rule forwarded elsewhere: the operator is told", func(t *testing.T) {
			status, _, loc := op.Post("/console/new", call("category", cat.Code, "agency", "SXD"))
			tk := recorded(t, c, status, loc)
			if tk.State != ticket.Forwarded || tk.AgencyCode != "UBND.TDM" || flash(op) != "intake.auto_forwarded" {
				t.Fatalf("state %s agency %s flash %q", tk.State, tk.AgencyCode, flash(op))
			}
		})
		t.Run("a rule forwarded elsewhere: a supervisor reassigns", func(t *testing.T) {
			sup := c.Login(t, "supervisor")
			status, _, loc := sup.Post("/console/new", call("category", cat.Code, "agency", "SXD"))
			tk := recorded(t, c, status, loc)
			if tk.State != ticket.Forwarded || tk.AgencyCode != "SXD" || flash(sup) != "intake.recorded_code|code="+tk.Code {
				t.Fatalf("state %s agency %s flash %q", tk.State, tk.AgencyCode, flash(sup))
			}
		})
	})
}

func TestIntakeAccess(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		for _, who := range []string{"sxd", "viewer"} {
			t.Run(who, func(t *testing.T) {
				cl := c.Login(t, who)
				for _, path := range []string{"/console/new", "/console/new/caller?phone=0912345678", "/console/new/suggest?category=x&area=25747"} {
					if status, _, _ := cl.Get(path); status != http.StatusForbidden {
						t.Errorf("GET %s: %d, want 403", path, status)
					}
				}
				before := ticketCount(t, c)
				if status, _, _ := cl.Post("/console/new", call()); status != http.StatusForbidden || ticketCount(t, c) != before {
					t.Errorf("POST /console/new: %d", status)
				}
			})
		}
		for _, who := range []string{"operator", "supervisor", "admin"} {
			if status, _, _ := c.Login(t, who).Get("/console/new"); status != 200 {
				t.Errorf("%s: GET /console/new: %d", who, status)
			}
		}
		t.Run("in English", func(t *testing.T) {
			op := c.Login(t, "operator")
			op.Get("/lang?to=en&next=/console/new")
			status, body, _ := op.Post("/console/new", call("phone", "12ab"))
			if status != http.StatusBadRequest || !strings.Contains(body, "Caller&#39;s number") || strings.Contains(body, "Số điện thoại người gọi") {
				t.Errorf("the form in English: %d", status)
			}
			if m := regexp.MustCompile(`id="err-phone">([^<]*)<`).FindStringSubmatch(body); m == nil || strings.Contains(m[1], "Số") {
				t.Errorf("the phone error is not in English: %v", m)
			}
		})
		t.Run("without a CSRF token", func(t *testing.T) {
			op := c.Login(t, "operator")
			before := ticketCount(t, c)
			for _, form := range []url.Values{call(), call("csrf", "forged")} {
				if status, _, _ := op.PostForm("/console/new", form); status != http.StatusForbidden {
					t.Errorf("POST /console/new: %d, want 403", status)
				}
			}
			if ticketCount(t, c) != before {
				t.Error("a ticket was written")
			}
		})
	})
}
