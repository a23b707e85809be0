package web_test

import (
	"strconv"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
)

// On a phone the inbox's filters fold away so the first tickets are on the
// first screen; they stay open when one is in use, and "/" opens them.
func TestBrowserInboxFiltersFoldOnAPhone(t *testing.T) {
	c := newConsole(t, dbtest.Open(t, db.SQLite, reference))
	tk := c.createTicket(t, "operator", "Đèn đường trước chợ bị hỏng")
	b := newBrowser(t, c)
	b.viewport(390, 844)
	b.loginAs("operator")
	b.visit("/console")
	if open := browserEval[bool](b, `document.querySelector("details.filter-box").open`); open {
		t.Error("the filters are open on a phone with no filter in use")
	}
	top := browserEval[float64](b, `document.querySelector('tr[data-id="`+strconv.FormatInt(tk.ID, 10)+`"]').getBoundingClientRect().top`)
	if top > 844 {
		t.Errorf("the first ticket starts %v px down, below the first screen", top)
	}
	b.press("/")
	if open := browserEval[bool](b, `document.querySelector("details.filter-box").open && document.activeElement.id === "q"`); !open {
		t.Error(`"/" did not open the filters and focus the search field`)
	}
	b.visit("/console?tab=all&channel=phone")
	if open := browserEval[bool](b, `document.querySelector("details.filter-box").open`); !open {
		t.Error("the filters are folded while a filter is in use")
	}
	b.viewport(1366, 768)
	b.visit("/console")
	if open := browserEval[bool](b, `document.querySelector("details.filter-box").open`); !open {
		t.Error("the filters are folded on a desktop")
	}
}
