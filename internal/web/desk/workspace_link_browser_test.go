package desk_test

import (
	"fmt"
	"testing"

	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// A Zalo user whose reply failed gave the number of a known reporter: the
// operator links them in the browser, and the failed reply then offers a
// call-back to that reporter's phone.
func TestBrowserLinkAChatUserThenCallBack(t *testing.T) {
	d := dbtest.Open(t, db.SQLite, webtest.Reference)
	c := newWorkspace(t, d)
	mustTicket(t, c, ticketSpec{})
	tk := failedChatReply(t, c, d, "Cống tràn, số tôi 0987.654.321",
		contact.Input{Identities: []contact.Identity{{Kind: contact.KindZalo, Value: "1:8421000555"}}}, "window_closed")
	b := webtest.NewBrowser(t, c)
	b.LoginAs("operator")
	b.Visit(fmt.Sprintf("/console/tickets/%d", tk.ID))
	b.WaitText(".ws-fallback", "Chưa biết kênh nào khác")
	b.WaitText(".ws-link", "có thể là người phản ánh đã biết "+reporterName)
	checkLayout(b, false)
	b.ClickToLoad("#form-link button[type=submit]")
	b.WaitText(".flash", "Đã gắn người dùng chat với người phản ánh đã biết")
	b.WaitText(".ws-fallback", "Gọi lại người dân: 0987 654 321")
	if webtest.Eval[bool](b, `document.querySelector(".ws-link") !== null`) {
		t.Fatal("the offer stays after the link")
	}
}
