package desk_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// TestBrowserAnsweredOnTheCall records a walk-in's question, the answer
// the operator gave and the close in one submit of the call-taker: the
// ward box shows the ward's name once chosen, and the ticket is closed
// with the answer on its timeline as given in person.
func TestBrowserAnsweredOnTheCall(t *testing.T) {
	ctx := context.Background()
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	b := webtest.NewBrowser(t, c)
	b.LoginAs("operator")
	b.Visit("/console/new")
	b.Choose("channel", "walkin")
	b.Fill("phone", "0912 345 678")
	b.Fill("name", "Trần Văn Nam")
	b.Fill("area", "thu dau mot")
	b.WaitFor("ward suggestions", `!document.getElementById("area-list").hidden`, `document.getElementById("area-list").innerText`)
	b.Press(webtest.KeyTab)
	b.WaitText("#area-name", "Phường Thủ Dầu Một")
	b.WaitFor("the ward box shows the name", `document.getElementById("area").value.startsWith("Phường Thủ Dầu Một")`, `document.getElementById("area").value`)
	b.WaitFor("the form sends the code", `document.querySelector("input[name=area]").value === "25747"`, `document.querySelector("input[name=area]").value`)
	typeInto(b, "content", "Hỏi thủ tục cấp lại căn cước công dân")
	typeInto(b, "answer", "Mang giấy tờ đến bộ phận một cửa phường, làm trong ngày.")
	b.ClickToLoad("#save-answered")
	if u := b.CurrentURL(); u.Path != "/console/new" {
		t.Fatalf("after answered on the call the operator is at %s; want a fresh call-taker", u)
	}
	b.WaitText(".intake-last", "Hỏi thủ tục")

	page, err := c.Tickets.List(ctx, c.Actor("operator"), ticket.Filter{Limit: 5})
	if err != nil || len(page.Tickets) != 1 {
		t.Fatalf("tickets: %v, %d; want one", err, len(page.Tickets))
	}
	tk := page.Tickets[0]
	if tk.State != ticket.Closed || tk.Channel != ticket.WalkIn || tk.AreaCode != "25747" || tk.Answer == "" {
		t.Fatalf("ticket %s: state %s, channel %s, ward %s, answer %q; want closed walk-in in 25747 with the answer", tk.Code, tk.State, tk.Channel, tk.AreaCode, tk.Answer)
	}
	evs, err := audit.NewLog(c.DB).List(ctx, audit.Filter{TicketID: tk.ID})
	if err != nil {
		t.Fatal(err)
	}
	var acts []string
	for _, e := range evs {
		acts = append([]string{e.Action}, acts...)
	}
	if len(acts) != 3 || acts[0] != "ticket.receive" || acts[1] != "ticket.reply" || acts[2] != "ticket.close" {
		t.Errorf("audit %v; want receive, reply (direct), close", acts)
	}
	if d, _ := evs[1].Detail["direct"].(bool); !d {
		t.Errorf("the reply is not counted as answered directly: %+v", evs[1].Detail)
	}
	b.Visit("/console/tickets/" + strconv.FormatInt(tk.ID, 10))
	b.WaitText(".timeline", "Mang giấy tờ đến bộ phận một cửa phường")
}

// TestBrowserAnswerAndClose answers a ticket from its page and closes it
// in the same submit.
func TestBrowserAnswerAndClose(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	tk := c.CreateTicket(t, "operator", "Hỏi giờ làm việc của phường")
	b := webtest.NewBrowser(t, c)
	b.LoginAs("operator")
	b.Visit("/console/tickets/" + strconv.FormatInt(tk.ID, 10))
	// A new report's reply box is folded until the operator opens it.
	if webtest.Eval[bool](b, `document.getElementById("act-reply").open`) {
		t.Error("the reply box of an unclassified report is open")
	}
	b.Click("#act-reply summary")
	typeInto(b, "reply-text", "Từ 7 giờ 30 đến 17 giờ, thứ Hai đến thứ Sáu.")
	b.ClickToLoad(`#form-reply button[value=close]`)
	b.WaitText(".ws-code .state", c.Catalog.T(i18n.VI, "state.closed"))
	b.WaitText(".timeline", "Từ 7 giờ 30")
}
