package desk

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web"
)

// Bulk actions: the operator selects rows of the inbox and takes them,
// forwards them to an agency or closes them as duplicates of another
// ticket; a supervisor may also assign them to a member of the desk. Each ticket is its own action through the ticket service, with
// its own check by the workflow table, its own transaction and its own
// audit event: one refused is reported and leaves the others done.

// maxBulk is the most tickets one bulk action takes: a page of the inbox.
const maxBulk = 200

// bulkActions are the actions offered on selected rows.
var bulkActions = []ticket.Action{ticket.Take, ticket.Assign, ticket.Forward, ticket.Merge}

// bulkData is the bulk form under the inbox's filters.
type bulkData struct {
	Actions  []ticket.Action
	Agencies []intakeAgency
	Staff    []user.User // whom the tickets may be assigned to
}

// bulkFor offers the bulk actions a may take at all; each ticket is
// still checked on its own when the form is sent.
func bulkFor(a user.Actor, ags []agency.Agency, staff []user.User, today, lang string) *bulkData {
	b := &bulkData{}
	for _, x := range bulkActions {
		if ticket.Permit(a, x) == nil {
			b.Actions = append(b.Actions, x)
		}
	}
	if slices.Contains(b.Actions, ticket.Assign) {
		b.Staff = staff
	}
	for _, ag := range ags {
		if ag.ActiveOn(today) {
			b.Agencies = append(b.Agencies, intakeAgency{Code: ag.Code, Label: strings.Repeat("\u00a0\u00a0", ag.Depth) + ag.NameIn(lang)})
		}
	}
	return b
}

// bulkOutcome is what became of one selected ticket.
type bulkOutcome struct {
	ID     int64
	Code   string
	Done   bool
	Reason string // why it was refused, in the user's language
}

// bulkResult is the summary page.
type bulkResult struct {
	Action        string
	Outcomes      []bulkOutcome
	Done, Refused int
	Back          string
}

func (w *Desk) bulk(rw http.ResponseWriter, r *http.Request) error {
	a := web.ActorOf(r)
	p := w.NewPage(r, "bulk.title", "inbox")
	act := ticket.Action(r.PostFormValue("action"))
	if !slices.Contains(bulkActions, act) {
		return errs.Invalidf("bulk.action_unknown").InField("action")
	}
	ids := r.PostForm["id"]
	if len(ids) == 0 {
		return errs.Invalidf("bulk.none_selected")
	}
	if len(ids) > maxBulk {
		return errs.Invalidf("bulk.too_many", "max", strconv.Itoa(maxBulk))
	}
	in := ticket.Input{Agency: r.PostFormValue("agency"), Note: r.PostFormValue("note"), Into: strings.TrimSpace(r.PostFormValue("into")),
		Owner: ownerID(r.PostFormValue("owner"))}
	res := bulkResult{Action: string(act), Back: "/console"}
	if b := r.PostFormValue("back"); b == "/console" || strings.HasPrefix(b, "/console?") {
		res.Back = b
	}
	for _, s := range ids {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			continue
		}
		o := bulkOutcome{ID: id, Code: "#" + s}
		if t, err := w.Tickets.Get(r.Context(), a, id); err == nil {
			o.Code = t.Code
		}
		_, err = w.Tickets.Do(r.Context(), a, id, act, in)
		switch e := errs.As(err); {
		case err == nil:
			o.Done = true
			res.Done++
		case e.Code == errs.Internal:
			return err
		default:
			o.Reason = p.Err(err)
			res.Refused++
		}
		res.Outcomes = append(res.Outcomes, o)
	}
	p.Data = res
	w.Render(rw, r, http.StatusOK, "bulk", p)
	return nil
}
