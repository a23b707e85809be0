package web_test

import (
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
)

// An admin creates a staff account in the browser; the new account can
// sign in, and the audit log shows the creation and passes its chain check.
func TestBrowserAdminCreatesUserAndAudits(t *testing.T) {
	c := newConsole(t, dbtest.Open(t, db.SQLite, reference))
	b := newBrowser(t, c)
	b.loginAs("admin")
	b.visit("/console/admin/users/new")
	b.fill("f-email", "moi@test.vn")
	b.fill("f-name", "Tổng đài viên mới")
	b.choose("f-role", "Tổng đài viên")
	if browserEval[bool](b, `document.getElementById("f-generate").checked`) {
		b.click("#f-generate") // type the first password instead of generating one
	}
	b.fill("f-password", "mat khau du dai")
	b.fill("f-password_confirm", "mat khau du dai")
	b.clickToLoad("form.ad-form button[type=submit]")
	b.waitText(".flash", "Đã tạo tài khoản.")
	u, err := c.Users.ByEmail(t.Context(), "moi@test.vn")
	if err != nil || u.Name != "Tổng đài viên mới" || string(u.Role) != "operator" {
		t.Fatalf("created user: %+v, %v", u, err)
	}

	b.visit("/console/admin/audit")
	b.fill("f-action", "user.create")
	b.pressToLoad("\r")
	b.waitText("main", "user.create")
	if got := b.count("table tbody tr"); got < 1 {
		t.Fatalf("the audit log filtered by user.create shows %d rows", got)
	}
	b.clickToLoad(b.byText("button", "Kiểm tra chuỗi"))
	b.waitText("main", "Chuỗi nhật ký nguyên vẹn.")

	nb := newBrowser(t, c)
	nb.visit("/login")
	nb.fill("email", "moi@test.vn")
	nb.fill("password", "mat khau du dai")
	nb.clickToLoad("button[type=submit]")
	nb.waitText(".who", "Tổng đài viên mới")
}
