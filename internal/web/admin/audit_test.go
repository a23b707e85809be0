package admin_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/vntext"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// newTicket records a call as the operator.
func newTicket(t *testing.T, c *webtest.Console, ch ticket.Channel, content string) ticket.Ticket {
	t.Helper()
	res, err := c.Tickets.Create(context.Background(), c.Actor("operator"),
		ticket.NewTicket{Channel: ch, Content: content, Contact: contact.Input{Name: "Nguyễn Văn An", Phone: "0912345678"}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Ticket
}

// channelRow returns a channel's row of the channels page.
func channelRow(body string, ch ticket.Channel) string {
	return regexp.MustCompile(`(?s)<tr data-channel="` + string(ch) + `">.*?</tr>`).FindString(body)
}

func TestAdminChannels(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		admin := c.Login(t, "admin")
		_, body, _ := admin.Get("/console/admin/channels")
		for _, ch := range ticket.Channels {
			if got := channelRow(body, ch) != ""; got != (ch != ticket.SMS) {
				t.Errorf("a row for %s: %v; only SMS, which has no adapter and no tickets, has none", ch, got)
			}
		}
		for ch, how := range map[ticket.Channel]string{
			ticket.WalkIn: "màn hình ghi nhận", ticket.Letter: "màn hình ghi nhận",
			ticket.Zalo: "Chưa có tài khoản đang bật", ticket.Email: "Chưa có tài khoản đang bật",
		} {
			if row := channelRow(body, ch); !strings.Contains(row, how) || strings.Contains(row, "Chưa có bộ kết nối") {
				t.Errorf("%s is not described as %q: %s", ch, how, row)
			}
		}
		text := webtest.VisibleText(body)
		for _, raw := range []string{"channel.cti", "Số có dấu +", "kênh chat"} {
			if strings.Contains(text, raw) {
				t.Errorf("the page says %q", raw)
			}
		}
		for _, want := range []string{"Tổng đài điện thoại (CTI): token", "Thư điện tử: ", "imap_addr", "Zalo: access_token"} {
			if !strings.Contains(body, want) {
				t.Errorf("the page does not say %q: %s", want, regexp.MustCompile(`id="hint-settings">[^<]*`).FindString(body))
			}
		}
		if row := channelRow(body, ticket.Phone); !strings.Contains(row, "Không có tin mới") || !strings.Contains(row, `class="ad-num">0</td>`) {
			t.Errorf("phone before any call: %s", row)
		}
		if row := channelRow(body, ticket.Zalo); !strings.Contains(row, "Chưa cấu hình") {
			t.Errorf("zalo: %s", row)
		}
		if !strings.Contains(body, "Chưa có tài khoản kênh nào.") {
			t.Error("the page does not say that no chat channel account exists")
		}
		newTicket(t, c, ticket.Phone, "Đèn đường trước số 12 Lê Lợi bị hỏng")
		newTicket(t, c, ticket.Phone, "Nước ngập đường Nguyễn Trãi")
		_, body, _ = admin.Get("/console/admin/channels")
		row := channelRow(body, ticket.Phone)
		if strings.Count(row, `class="ad-num">2</td>`) != 2 || !strings.Contains(row, "Đang nhận") || strings.Contains(row, "Chưa bao giờ") {
			t.Errorf("phone after two calls: %s", row)
		}
		if row := channelRow(body, ticket.Web); !strings.Contains(row, `class="ad-num">0</td>`) {
			t.Errorf("web counted the calls: %s", row)
		}
		newTicket(t, c, ticket.SMS, "Tin nhắn qua API")
		_, body, _ = admin.Get("/console/admin/channels")
		if row := channelRow(body, ticket.SMS); !strings.Contains(row, "Chưa có bộ kết nối; chỉ qua API.") {
			t.Errorf("SMS with a ticket from the API: %s", row)
		}
	})
}

// An admin adds a chat channel account, sees its webhook URL and which
// secrets are set (never their values), and disables it.
func TestAdminChannelAccounts(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		admin := c.Login(t, "admin")
		status, body, _ := admin.Post("/console/admin/channels", url.Values{"kind": {"viber"}, "name": {"Bot 1022"},
			"settings": {"auth_token=very-secret-token\nsender_name=Tổng đài 1022\ncolour=red"}})
		if status != http.StatusBadRequest || !strings.Contains(body, "colour") || strings.Contains(body, "very-secret-token") {
			t.Fatalf("an unknown key: %d, or the secret is shown back", status)
		}
		if status, _, loc := admin.Post("/console/admin/channels", url.Values{"kind": {"viber"}, "name": {"Bot 1022"},
			"settings": {"auth_token=very-secret-token\nsender_name=Tổng đài 1022"}}); status != http.StatusSeeOther || loc != "/console/admin/channels" {
			t.Fatalf("add: %d %s", status, loc)
		}
		_, body, _ = admin.Get("/console/admin/channels")
		row := regexp.MustCompile(`(?s)<tr data-account="(\d+)">.*?</tr>`).FindStringSubmatch(body)
		if row == nil || !strings.Contains(row[0], "Bot 1022") || !strings.Contains(row[0], "/hooks/viber/"+row[1]) ||
			!strings.Contains(row[0], "<code>auth_token</code>") || !strings.Contains(row[0], "Đang bật") {
			t.Fatalf("account row: %v", row)
		}
		if strings.Contains(body, "very-secret-token") {
			t.Fatal("the page shows a secret")
		}
		if row := channelRow(body, ticket.Viber); !strings.Contains(row, "Không có tin mới") {
			t.Errorf("viber with an enabled account: %s", row)
		}
		if status, _, _ := admin.Post("/console/admin/channels/"+row[1]+"/enabled", url.Values{"enabled": {"0"}}); status != http.StatusSeeOther {
			t.Fatalf("disable: %d", status)
		}
		_, body, _ = admin.Get("/console/admin/channels")
		if !strings.Contains(body, "Đã tắt") || !strings.Contains(channelRow(body, ticket.Viber), "Chưa cấu hình") {
			t.Fatal("the disabled account is not shown as disabled")
		}
		if status, _, _ := c.Login(t, "operator").Get("/console/admin/channels"); status != http.StatusForbidden && status != http.StatusNotFound {
			t.Fatalf("an operator reaches the channels page: %d", status)
		}
	})
}

func TestAdminAreas(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		admin := c.Login(t, "admin")
		for _, tc := range []struct {
			name, path string
			status     int
			want       []string
		}{
			{"34 provinces", "/console/admin/areas", 200, []string{"34 tỉnh, thành phố", `href="/console/admin/areas/79"`}},
			{"search without diacritics", "/console/admin/areas?q=thu+dau+mot", 200, []string{"Phường Thủ Dầu Một", "25747"}},
			{"an empty search", "/console/admin/areas?q=+", 400, []string{`id="err-q"`}},
			{"the wards of a province", "/console/admin/areas/79", 200, []string{"Thành phố Hồ Chí Minh", "Thủ Dầu Một", "25747", "Phường"}},
			{"legacy lookup", "/console/admin/areas?old_name=Ph%C3%BA+H%C3%B2a&old_district=Th%E1%BB%A7+D%E1%BA%A7u+M%E1%BB%99t", 200, []string{"Phường Phú Hòa", "Thành phố Thủ Dầu Một", "Phường Phú Lợi", "Toàn bộ"}},
			{"a ward is not a province", "/console/admin/areas/25747", 404, nil},
			{"wards of a province filtered", "/console/admin/areas/79?q=thu+dau", 200, []string{"<strong>Thủ Dầu Một</strong>"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, body, _ := admin.Get(tc.path)
				if status != tc.status {
					t.Fatalf("status %d, want %d", status, tc.status)
				}
				for _, w := range tc.want {
					if !strings.Contains(body, w) {
						t.Errorf("the page lacks %q", w)
					}
				}
			})
		}
		if _, body, _ := admin.Get("/console/admin/areas/79?q=thu+dau"); strings.Contains(body, "<strong>Bến Thành</strong>") {
			t.Error("the ward filter keeps other wards")
		}
		// The wards are in Vietnamese order.
		_, body, _ := admin.Get("/console/admin/areas/79")
		names := regexp.MustCompile(`<td data-label="Tên"><strong>([^<]+)</strong>`).FindAllStringSubmatch(body, -1)
		if len(names) < 100 {
			t.Fatalf("only %d wards", len(names))
		}
		var got []string
		for _, m := range names {
			got = append(got, m[1])
		}
		want := slices.Clone(got)
		vntext.Sort(want, func(s string) string { return s })
		if !slices.Equal(got, want) {
			t.Errorf("wards are not in Vietnamese order: %q…", got[:5])
		}
	})
}

var eventRe = regexp.MustCompile(`data-event="(\d+)"`)

func TestAdminAuditLog(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		ctx := context.Background()
		admin := c.Login(t, "admin")
		by := c.Actor("admin")
		for i := 0; i < 60; i++ {
			if err := c.SLA.SetHolidayAudited(ctx, by, fmt.Sprintf("2040-%02d-%02d", i/28+1, i%28+1), fmt.Sprintf("Ngày %d", i)); err != nil {
				t.Fatal(err)
			}
		}
		t1 := newTicket(t, c, ticket.Phone, "Rác thải ở chợ")
		t2 := newTicket(t, c, ticket.Web, "Cây đổ")

		t.Run("filter by action prefix, pages with a cursor", func(t *testing.T) {
			status, body, _ := admin.Get("/console/admin/audit?action=holiday.")
			first := eventRe.FindAllStringSubmatch(body, -1)
			if status != 200 || len(first) != 50 || strings.Contains(body, "ticket.receive") {
				t.Fatalf("page 1: %d, %d rows", status, len(first))
			}
			next := regexp.MustCompile(`href="(/console/admin/audit\?[^"]*before=\d+[^"]*)" rel="next"`).FindStringSubmatch(body)
			if next == nil {
				t.Fatal("no link to the next page")
			}
			_, body, _ = admin.Get(strings.ReplaceAll(next[1], "&amp;", "&"))
			second := eventRe.FindAllStringSubmatch(body, -1)
			if len(second) != 10 || strings.Contains(body, `rel="next"`) {
				t.Fatalf("page 2: %d rows", len(second))
			}
			seen := map[string]bool{}
			for _, m := range append(first, second...) {
				if seen[m[1]] {
					t.Fatalf("event %s on both pages", m[1])
				}
				seen[m[1]] = true
			}
			a, _ := strconv.Atoi(first[0][1])
			b, _ := strconv.Atoi(first[1][1])
			if a <= b {
				t.Error("not newest first")
			}
			if !strings.Contains(body, `<dt title="day">Ngày:</dt>`) || !strings.Contains(body, "Test admin") {
				t.Error("details or actor name missing")
			}
			if !strings.Contains(body, `<a href="/console/admin/sla?year=2040"><code>holiday:2040-`) {
				t.Error("the object does not link to its page")
			}
		})
		t.Run("exact action", func(t *testing.T) {
			_, body, _ := admin.Get("/console/admin/audit?action=ticket.receive")
			if n := len(eventRe.FindAllString(body, -1)); n != 2 {
				t.Fatalf("%d ticket.receive rows, want 2", n)
			}
		})
		t.Run("filter by ticket code and by id", func(t *testing.T) {
			for _, q := range []string{strings.ToLower(t1.Code), itoa(t1.ID)} {
				status, body, _ := admin.Get("/console/admin/audit?ticket=" + url.QueryEscape(q))
				if status != 200 || !strings.Contains(body, `href="/console/tickets/`+itoa(t1.ID)+`">`+t1.Code+`<`) || strings.Contains(body, t2.Code) {
					t.Errorf("ticket %q: %d", q, status)
				}
			}
			status, body, _ := admin.Get("/console/admin/audit?ticket=ZZZZZ-ZZZZZ")
			if status != http.StatusBadRequest || fieldError(body, "ticket") == "" {
				t.Errorf("unknown code: %d", status)
			}
		})
		t.Run("filter by actor and date", func(t *testing.T) {
			_, body, _ := admin.Get("/console/admin/audit?actor=" + itoa(c.Accounts["operator"].ID))
			if n := len(eventRe.FindAllString(body, -1)); n != 2 || strings.Contains(body, "holiday.set") {
				t.Errorf("operator's events: %d", n)
			}
			_, body, _ = admin.Get("/console/admin/audit?from=2000-01-01&to=2000-01-31")
			if n := len(eventRe.FindAllString(body, -1)); n != 0 {
				t.Errorf("events in 2000: %d", n)
			}
			status, body, _ := admin.Get("/console/admin/audit?from=2026-02-01&to=2026-01-01")
			if status != http.StatusBadRequest || fieldError(body, "to") == "" {
				t.Errorf("dates reversed: %d", status)
			}
		})
		t.Run("verify reports an intact chain", func(t *testing.T) {
			if _, err := c.Audit.Chain(ctx); err != nil {
				t.Fatal(err)
			}
			_, body, _ := admin.Get("/console/admin/audit")
			if strings.Contains(body, "nguyên vẹn") {
				t.Fatal("the chain is verified without being asked")
			}
			status, body, _ := admin.Post("/console/admin/audit/verify", url.Values{"query": {"action=holiday."}})
			if status != 200 || !strings.Contains(body, "Chuỗi nhật ký nguyên vẹn.") || !regexp.MustCompile(`Đã kiểm tra \d+ sự kiện`).MatchString(body) {
				t.Fatalf("verify: %d", status)
			}
			if strings.Contains(body, "ticket.receive") {
				t.Error("the filter was lost")
			}
		})
		t.Run("CSV export of the filtered log, itself audited", func(t *testing.T) {
			exports := eventsBy(t, c, "audit.export", c.Accounts["admin"])
			status, body, _ := admin.Get("/console/admin/audit.csv?action=ticket.receive")
			if status != 200 {
				t.Fatalf("export: %d", status)
			}
			rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 3 || strings.Join(rows[0], ",") != "id,time_utc,time_local,actor_id,actor_name,actor_role,action,ticket_id,ticket_code,object,detail,ip,seq" {
				t.Fatalf("csv: %q", rows)
			}
			for _, r := range rows[1:] {
				if r[6] != "ticket.receive" || (r[8] != t1.Code && r[8] != t2.Code) || r[4] != "Test operator" {
					t.Errorf("row %q", r)
				}
			}
			if got := eventsBy(t, c, "audit.export", c.Accounts["admin"]); got != exports+1 {
				t.Fatalf("audit.export events: %d, want %d", got, exports+1)
			}
			_, page, _ := admin.Get("/console/admin/audit?action=audit.export")
			if !strings.Contains(page, `<dt title="action">Hành động:</dt><dd>ticket.receive</dd>`) {
				t.Error("the export event does not record its filter")
			}
			_, all, _ := admin.Get("/console/admin/audit.csv")
			if n := strings.Count(all, "\n"); n < 64 {
				t.Errorf("unfiltered export has %d lines", n)
			}
		})
		t.Run("actions, fields and actors in the reader's language, codes on hover", func(t *testing.T) {
			c.Act(t, "operator", t1.ID, ticket.Forward, ticket.Input{Agency: "SXD"})
			for _, tc := range []struct {
				lang, query string
				want        []string
			}{
				{"vi", "action=ticket.forward", []string{`<span class="ad-action" title="ticket.forward">Chuyển xử lý</span>`,
					`<dt title="agency">Đơn vị:</dt><dd>SXD</dd>`, `<dt title="to">Sang:</dt><dd title="forwarded">Đã chuyển xử lý</dd>`,
					`>Test operator</a>`}},
				{"en", "action=ticket.forward", []string{`<span class="ad-action" title="ticket.forward">Forwarded to an agency</span>`,
					`<dt title="from">From:</dt><dd title="received">Received</dd>`}},
				{"vi", "action=auth.login", []string{`<span class="ad-action" title="auth.login">Đăng nhập</span>`}},
				{"en", "action=auth.login", []string{`<span class="ad-action" title="auth.login">Signed in</span>`}},
				{"vi", "action=agency.create", []string{`<span class="ad-action" title="agency.create">Thêm đơn vị</span>`,
					`<span class="meta" title="system">Hệ thống</span>`}},
			} {
				admin.Get("/lang?to=" + tc.lang)
				status, body, _ := admin.Get("/console/admin/audit?" + tc.query)
				if status != 200 {
					t.Fatalf("%s: %d", tc.query, status)
				}
				for _, w := range tc.want {
					if !strings.Contains(body, w) {
						t.Errorf("%s in %s lacks %s", tc.query, tc.lang, w)
					}
				}
				if strings.Contains(body, "<code>ticket.") || strings.Contains(body, "<code>auth.") {
					t.Errorf("%s in %s shows a raw action code", tc.query, tc.lang)
				}
			}
			admin.Get("/lang?to=vi")
		})
		t.Run("agency users never reach it", func(t *testing.T) {
			if status, _, _ := c.Login(t, "sxd").Get("/console/admin/audit.csv"); status != http.StatusForbidden {
				t.Errorf("agency export: %d", status)
			}
		})
	})
}
