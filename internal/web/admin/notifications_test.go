package admin_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/notification"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// TestNotificationTemplates: the admin sees each kind's Vietnamese e-mail,
// previews an edit with sample values, cannot save a broken one (the
// message names the wrong placeholder and what was typed stays), saves a
// good one, and goes back to the default.
func TestNotificationTemplates(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		adm := c.Login(t, "admin")
		status, body, _ := adm.Get("/console/admin/notifications")
		if status != 200 || !strings.Contains(body, "[1022] Phản ánh {code} đã quá hạn") || !strings.Contains(body, "notify=true") {
			t.Fatalf("the list: %d\n%s", status, body)
		}
		path := "/console/admin/notifications/overdue"
		status, body, _ = adm.Post(path, url.Values{"action": {"preview"}, "subject": {"Quá hạn: {code}"}, "body": {"{what} ({agency})"}})
		if status != 200 || !strings.Contains(body, "Quá hạn: K7M3P-9QXD2") || !strings.Contains(body, "(Sở Xây dựng)") {
			t.Errorf("preview: %d\n%s", status, body)
		}
		status, body, _ = adm.Post(path, url.Values{"subject": {"Quá hạn: {code}"}, "body": {"Người phản ánh: {ten}"}})
		if status != 400 || fieldError(body, "body") != "Chỗ điền {ten} không có. Chỉ dùng được: {code}, {agency}, {deadline}, {what}, {list}." ||
			!strings.Contains(body, "Người phản ánh: {ten}") {
			t.Errorf("a broken template: %d, %q", status, fieldError(body, "body"))
		}
		if tpl, _ := c.Notifications.Template(t.Context(), notification.Overdue); tpl.Custom {
			t.Errorf("the broken template was stored")
		}
		status, _, loc := adm.Post(path, url.Values{"subject": {"Quá hạn: {code}"}, "body": {"{what}"}})
		if status != 303 || loc != path {
			t.Errorf("save: %d → %s", status, loc)
		}
		if tpl, _ := c.Notifications.Template(t.Context(), notification.Overdue); !tpl.Custom || tpl.Subject != "Quá hạn: {code}" {
			t.Errorf("saved: %+v", tpl)
		}
		adm.Post(path, url.Values{"action": {"reset"}})
		if tpl, _ := c.Notifications.Template(t.Context(), notification.Overdue); tpl.Custom {
			t.Errorf("after reset: %+v", tpl)
		}
		if status, _, _ := adm.Get("/console/admin/notifications/nonsense"); status != 404 {
			t.Errorf("an unknown kind: %d", status)
		}
		if status, _, _ := c.Login(t, "supervisor").Get("/console/admin/notifications"); status != 403 {
			t.Errorf("a supervisor: %d", status)
		}
	})
}

// TestAgencyLead: the admin names an agency's lead among its active
// staff, the escalation to "agency_lead" then reaches them; someone of
// another agency is refused beside the field.
func TestAgencyLead(t *testing.T) {
	dbtest.EachWith(t, webtest.Reference, func(t *testing.T, d *db.DB) {
		c := webtest.NewConsole(t, d)
		adm := c.Login(t, "admin")
		sxd := c.Accounts["sxd"]
		path := "/console/admin/agencies/" + itoa(sxd.AgencyID)
		if status, body, _ := adm.Get(path); status != 200 || !strings.Contains(body, `<option value="`+itoa(sxd.ID)+`">`) {
			t.Fatalf("the agency page: %d\n%s", status, body)
		}
		status, body, _ := adm.Post(path+"/lead", url.Values{"lead": {itoa(c.Accounts["tdm"].ID)}})
		if status != 400 || fieldError(body, "lead") != "Lãnh đạo phải là cán bộ đang hoạt động của chính đơn vị này." {
			t.Errorf("another agency's: %d %q", status, fieldError(body, "lead"))
		}
		if status, _, _ := adm.Post(path+"/lead", url.Values{"lead": {itoa(sxd.ID)}}); status != 303 {
			t.Errorf("save: %d", status)
		}
		if lead, err := c.Notifications.Lead(t.Context(), sxd.AgencyID); err != nil || lead != sxd.ID {
			t.Errorf("lead = %d, %v", lead, err)
		}
		if _, body, _ := adm.Get(path); !strings.Contains(body, `<option value="`+itoa(sxd.ID)+`" selected>`) {
			t.Errorf("the lead is not selected on the page")
		}
	})
}
