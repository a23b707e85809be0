package admin_test

import (
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// An admin creates a staff account in the browser; the new account can
// sign in, and the audit log shows the creation and passes its chain check.
func TestBrowserAdminCreatesUserAndAudits(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	b := webtest.NewBrowser(t, c)
	b.LoginAs("admin")
	b.Visit("/console/admin/users/new")
	b.Fill("f-email", "moi@test.vn")
	b.Fill("f-name", "Tổng đài viên mới")
	b.Choose("f-role", "Tổng đài viên")
	if webtest.Eval[bool](b, `document.getElementById("f-generate").checked`) {
		b.Click("#f-generate") // type the first password instead of generating one
	}
	b.Fill("f-password", "mat khau du dai")
	b.Fill("f-password_confirm", "mat khau du dai")
	b.ClickToLoad("form.ad-form button[type=submit]")
	b.WaitText(".flash", "Đã tạo tài khoản.")
	u, err := c.Users.ByEmail(t.Context(), "moi@test.vn")
	if err != nil || u.Name != "Tổng đài viên mới" || string(u.Role) != "operator" {
		t.Fatalf("created user: %+v, %v", u, err)
	}

	b.Visit("/console/admin/audit")
	b.Fill("f-action", "user.create")
	b.PressToLoad("\r")
	b.WaitText("main", "Thêm tài khoản") // user.create, in the reader's language
	if got := b.Count(`table tbody tr span.ad-action[title="user.create"]`); got < 1 {
		t.Fatalf("the audit log filtered by user.create shows %d rows", got)
	}
	b.ClickToLoad(b.ByText("button", "Kiểm tra chuỗi"))
	b.WaitText("main", "Chuỗi nhật ký nguyên vẹn.")

	nb := webtest.NewBrowser(t, c)
	nb.Visit("/login")
	nb.Fill("email", "moi@test.vn")
	nb.Fill("password", "mat khau du dai")
	nb.ClickToLoad("button[type=submit]")
	nb.WaitText(".who", "Tổng đài viên mới")
}
