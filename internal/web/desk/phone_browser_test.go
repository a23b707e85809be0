package desk_test

import (
	"strconv"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/web/webtest"
)

// On a phone the inbox's filters fold away so the first tickets are on the
// first screen; they stay open when one is in use, and "/" opens them.
func TestBrowserInboxFiltersFoldOnAPhone(t *testing.T) {
	c := webtest.NewConsole(t, dbtest.Open(t, db.SQLite, webtest.Reference))
	tk := c.CreateTicket(t, "operator", "Đèn đường trước chợ bị hỏng")
	b := webtest.NewBrowser(t, c)
	b.Viewport(390, 844)
	b.LoginAs("operator")
	b.Visit("/console")
	if open := webtest.Eval[bool](b, `document.querySelector("details.filter-box").open`); open {
		t.Error("the filters are open on a phone with no filter in use")
	}
	top := webtest.Eval[float64](b, `document.querySelector('tr[data-id="`+strconv.FormatInt(tk.ID, 10)+`"]').getBoundingClientRect().top`)
	if top > 844 {
		t.Errorf("the first ticket starts %v px down, below the first screen", top)
	}
	b.Press("/")
	if open := webtest.Eval[bool](b, `document.querySelector("details.filter-box").open && document.activeElement.id === "q"`); !open {
		t.Error(`"/" did not open the filters and focus the search field`)
	}
	b.Visit("/console?tab=all&channel=phone")
	if open := webtest.Eval[bool](b, `document.querySelector("details.filter-box").open`); !open {
		t.Error("the filters are folded while a filter is in use")
	}
	b.Viewport(1366, 768)
	b.Visit("/console")
	if open := webtest.Eval[bool](b, `document.querySelector("details.filter-box").open`); !open {
		t.Error("the filters are folded on a desktop")
	}
}
