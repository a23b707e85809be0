// Package review is the supervisors' room of the console: decisions on
// answers, extensions, overdue tickets, publication and returns.
package review

import (
	"embed"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web"
)

//go:embed templates
var templates embed.FS

// Review serves the supervisor's page: one tab per work list (answers to
// approve, extension requests, overdue and at-risk tickets, answers ready
// to publish, tickets returned by agencies), each with its count and the
// decision's form inline. Every decision goes through ticket.Service.Do,
// so it is checked, audited and on the timeline.
type Review struct {
	*web.Web
	Tickets *ticket.Service
}

// roles may review.
var roles = []user.Role{user.Admin, user.Supervisor}

// Routes registers the review page and its template.
func (w *Review) Routes(rt *web.Router) {
	rt.Templates(templates, nil)
	rt.Page("GET /console/review", roles, w.review)
	rt.Page("POST /console/review/tickets/{id}/{action}", roles, w.action)
}

// agencyChoice is an agency a ticket may be reassigned to.
type agencyChoice struct {
	Code, Label string
}

// pageSize is how many tickets a tab shows before "more".
const pageSize = 50

// list is a work list as the page shows it.
type list struct {
	Queue  ticket.Queue
	Count  int
	Capped bool // Count is at the cap: there may be more
}

// pageData is the supervisor's page.
type pageData struct {
	Tabs     []list
	Tab      ticket.Queue
	Counts   ticket.QueueCounts
	Items    []item
	Cursor   string // this page's cursor, sent back by the forms
	Next     string // the next page's URL
	Inbox    string // the same list in the inbox, where it has a filter
	Agencies []agencyChoice
}

// item is a ticket in a list with what the forms need.
type item struct {
	ticket.QueueItem
	P       *web.Page
	allowed []ticket.Action
	// The public text for the publish form: the anonymised preview, or
	// what the supervisor typed when the form comes back.
	PublicTitle, PublicContent, PublicAnswer string
	Open                                     bool // the publish form is unfolded
}

// Can reports whether the signed-in user may take action now.
func (it item) Can(action string) bool {
	return slices.Contains(it.allowed, ticket.Action(action))
}

// Key names a field of this ticket's forms: "42.reason".
func (it item) Key(field string) string {
	return strconv.FormatInt(it.Ticket.ID, 10) + "." + field
}

// reasonField is the reason box of one of a ticket's forms.
type reasonField struct {
	I     item
	Label string // message key
}

// Reason returns the reason box of this ticket's form, labelled label.
func (it item) Reason(label string) reasonField { return reasonField{I: it, Label: label} }

// web.Badge is the ticket's SLA clock.
func (it item) Badge() web.Badge { return it.P.SLA(it.Ticket) }

// actions are the decisions the page takes, with the list each
// belongs to and the message shown after it.
var actions = map[ticket.Action]struct {
	tab   ticket.Queue
	flash string
}{
	ticket.Approve:        {ticket.QueueApprove, "review.approved"},
	ticket.SendBack:       {ticket.QueueApprove, "review.sent_back"},
	ticket.GrantExtension: {ticket.QueueExtension, "review.granted"},
	ticket.DenyExtension:  {ticket.QueueExtension, "review.denied"},
	ticket.Reassign:       {ticket.QueueDeadline, "review.reassigned"},
	ticket.Publish:        {ticket.QueuePublish, "review.published"},
}

// inbox is each list in the inbox, where the inbox can filter it.
var inbox = map[ticket.Queue]string{
	ticket.QueueApprove:  "/console?tab=review",
	ticket.QueueDeadline: "/console?tab=overdue",
	ticket.QueueReturned: "/console?tab=returned",
}

func (w *Review) review(rw http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := w.NewPage(r, "review.title", "review")
	d, err := w.pageData(r, p, q.Get("tab"), q.Get("cursor"), 0)
	if err != nil {
		return err
	}
	p.Data = d
	w.Render(rw, r, http.StatusOK, "review", p)
	return nil
}

// pageData loads a tab. An unknown or empty tab opens the first list
// with work in it. failed is a ticket whose form came back with an error:
// its publish form stays unfolded with what was typed.
func (w *Review) pageData(r *http.Request, p *web.Page, tab, cursor string, failed int64) (*pageData, error) {
	ctx := r.Context()
	a := web.ActorOf(r)
	d := &pageData{Cursor: cursor}
	var err error
	if d.Counts, err = w.Tickets.QueueCounts(ctx, a); err != nil {
		return nil, err
	}
	queue, err := ticket.ParseQueue(tab)
	if err != nil {
		queue, cursor, d.Cursor = ticket.QueueApprove, "", ""
		for _, q := range ticket.Queues {
			if d.Counts.Of(q) > 0 {
				queue = q
				break
			}
		}
	}
	d.Tab = queue
	for _, q := range ticket.Queues {
		n := d.Counts.Of(q)
		capped := n >= ticket.QueueCountCap
		if q == ticket.QueueDeadline {
			capped = d.Counts.Overdue >= ticket.QueueCountCap || d.Counts.AtRisk >= ticket.QueueCountCap
		}
		d.Tabs = append(d.Tabs, list{Queue: q, Count: n, Capped: capped})
	}
	pg, err := w.Tickets.Queue(ctx, a, queue, cursor, pageSize)
	if err != nil {
		return nil, err
	}
	for _, it := range pg.Items {
		item := item{QueueItem: it, P: p, allowed: ticket.Allowed(a, it.Ticket)}
		if queue == ticket.QueuePublish && item.Can(string(ticket.Publish)) {
			item.PublicTitle, item.PublicContent, item.PublicAnswer = w.Tickets.Preview(ctx, it.Ticket)
			if it.Ticket.ID == failed {
				item.Open = true
				item.PublicTitle = p.Value(item.Key("public_title"))
				item.PublicContent = p.Value(item.Key("public_content"))
				item.PublicAnswer = p.Value(item.Key("public_answer"))
			}
		}
		d.Items = append(d.Items, item)
	}
	if pg.Next != "" {
		d.Next = "/console/review?" + url.Values{"tab": {string(queue)}, "cursor": {pg.Next}}.Encode()
	}
	d.Inbox = inbox[queue]
	if queue == ticket.QueueDeadline {
		agencies, err := w.Agencies.List(ctx, agency.ListOptions{ActiveOn: w.Today()})
		if err != nil {
			return nil, err
		}
		for _, ag := range agencies {
			d.Agencies = append(d.Agencies, agencyChoice{Code: ag.Code, Label: ag.NameIn(string(p.Lang))})
		}
	}
	return d, nil
}

// action takes one decision on one ticket and goes back to the list
// it came from; a rejected form comes back with the error beside its field.
func (w *Review) action(rw http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.NotFoundf("ticket.not_found")
	}
	action := ticket.Action(r.PathValue("action"))
	def, ok := actions[action]
	if !ok {
		return errs.NotFoundf("ticket.action_unknown", "action", string(action))
	}
	v := r.PostFormValue
	in := ticket.Input{Reason: v("reason"), Agency: v("agency"), Note: v("note"),
		PublicTitle: v("public_title"), PublicContent: v("public_content"), PublicAnswer: v("public_answer")}
	cursor := v("cursor")
	back := "/console/review?" + url.Values{"tab": {string(def.tab)}}.Encode()
	if cursor != "" {
		back += "&" + url.Values{"cursor": {cursor}}.Encode()
	}
	_, err = w.Tickets.Do(r.Context(), web.ActorOf(r), id, action, in)
	if err == nil {
		return w.Redirect(rw, r, back+"#t"+strconv.FormatInt(id, 10), def.flash)
	}
	e := errs.As(err)
	if e.Code != errs.Invalid && e.Code != errs.Conflict && e.Code != errs.Forbidden {
		return err // not found, or our fault: the error page
	}
	p := w.NewPage(r, "review.title", "review")
	key := strconv.FormatInt(id, 10) + "."
	for _, f := range []string{"reason", "agency", "note", "public_title", "public_content", "public_answer"} {
		p.Form[key+f] = v(f)
	}
	if e.Field != "" {
		p.Errors[key+e.Field] = p.Err(err)
		p.Error = p.T("review.failed")
	} else {
		p.Error = p.Err(err)
	}
	d, err := w.pageData(r, p, string(def.tab), cursor, id)
	if err != nil {
		return err
	}
	p.Data = d
	status := http.StatusBadRequest
	if e.Code == errs.Conflict {
		status = http.StatusConflict
	} else if e.Code == errs.Forbidden {
		status = http.StatusForbidden
	}
	w.Render(rw, r, status, "review", p)
	return nil
}
