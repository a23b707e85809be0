package desk

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/api"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/live"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/view"
	"github.com/hotline-1022/hotline/internal/web"
)

// tab is a preset filter of the inbox.
type tab struct {
	Key    string // message key suffix and URL value
	States []ticket.State
	Mine   bool
	SLA    sla.State
}

// tabsFor returns the inbox tabs of a role. Agency handlers work a queue
// sorted by deadline; the hotline desk works by state.
func tabsFor(role user.Role) []tab {
	if role == user.Agency {
		return []tab{
			{Key: "todo", States: []ticket.State{ticket.Forwarded, ticket.Accepted}},
			{Key: "forwarded", States: []ticket.State{ticket.Forwarded}},
			{Key: "accepted", States: []ticket.State{ticket.Accepted}},
			{Key: "answered", States: []ticket.State{ticket.Answered, ticket.Approved, ticket.Replied, ticket.Closed}},
			{Key: "all"},
		}
	}
	tabs := []tab{
		{Key: "new", States: []ticket.State{ticket.Received}},
		{Key: "open", States: []ticket.State{ticket.Received, ticket.Classified, ticket.Returned}},
		{Key: "returned", States: []ticket.State{ticket.Returned}},
		{Key: "review", States: []ticket.State{ticket.Answered}},
		{Key: "to_reply", States: []ticket.State{ticket.Approved}},
		{Key: "with_agency", States: []ticket.State{ticket.Forwarded, ticket.Accepted}},
		{Key: "overdue", SLA: sla.Overdue},
		{Key: "mine", Mine: true},
		{Key: "all"},
	}
	if role == user.Viewer { // a leader handles no ticket: no "mine"
		tabs = slices.DeleteFunc(tabs, func(t tab) bool { return t.Mine })
	}
	return tabs
}

// savedTab is one of the user's saved views, shown as a tab.
type savedTab struct {
	ID      int64
	Name    string
	URL     string
	Count   string
	Current bool
}

// inboxData is the inbox page.
type inboxData struct {
	Tabs       []tab
	Counts     map[string]string // each tab's count, "1.000+" past ticket.CountCap
	Views      []savedTab        // the user's saved views
	ViewID     int64             // the saved view shown, if any
	SaveQuery  string            // the filter the "save this view" form keeps; empty: nothing to save
	Bulk       *bulkData         // the bulk actions, for the desk
	Tab        string
	Filter     url.Values
	Tickets    []ticket.Ticket
	Next       string // the next page's URL
	FirstPage  bool
	Channels   []ticket.Channel
	States     []ticket.State
	Categories []category.Category
	Agencies   []agency.Agency
	SLAStates  []sla.State
	Export     *exportLinks // what is listed, exported; nil when the filter is refused
}

// exportLinks are the export's URLs for a list: its filters in the API's
// query string, the page's language.
type exportLinks struct{ CSV, XLSX string }

func exportsOf(f ticket.Filter, a user.Actor, lang string) *exportLinks {
	q := api.FilterQuery(f, a)
	q.Set("lang", lang)
	return &exportLinks{CSV: "/api/v1/exports/tickets.csv?" + q.Encode(), XLSX: "/api/v1/exports/tickets.xlsx?" + q.Encode()}
}

// filterFrom reads the inbox filter from a query string: a tab preset,
// then explicit filters on top.
func filterFrom(q url.Values, a user.Actor) (ticket.Filter, string) {
	tabs := tabsFor(a.Role)
	key := q.Get("tab")
	cur := tabs[0]
	if key == "" && (q.Get("q") != "" || q.Get("state") != "" || q.Get("channel") != "" || q.Get("category") != "" ||
		q.Get("area") != "" || q.Get("agency") != "" || q.Get("sla") != "" || q.Get("from") != "" || q.Get("to") != "") {
		key = "all"
	}
	for _, t := range tabs {
		if t.Key == key {
			cur = t
		}
	}
	f := ticket.Filter{States: cur.States, SLA: cur.SLA, Q: q.Get("q"), Category: q.Get("category"), Area: q.Get("area"),
		Agency: q.Get("agency"), Cursor: q.Get("cursor"), Limit: 50}
	if cur.Mine || q.Get("mine") == "1" {
		f.OwnerID = a.UserID
	}
	if s := q.Get("state"); s != "" {
		f.States = []ticket.State{ticket.State(s)}
	}
	if c := q.Get("channel"); c != "" {
		f.Channels = []ticket.Channel{ticket.Channel(c)}
	}
	if s := q.Get("sla"); s != "" {
		f.SLA = sla.State(s)
	}
	// from and to are local days of receipt, both included (the figures'
	// drill-down); a malformed one is refused by checkDays.
	if d, err := time.ParseInLocation(time.DateOnly, q.Get("from"), clock.Zone); err == nil {
		f.From = d
	}
	if d, err := time.ParseInLocation(time.DateOnly, q.Get("to"), clock.Zone); err == nil {
		f.To = d.AddDate(0, 0, 1)
	}
	// Work queues go by deadline: an agency's open tickets, and anyone's
	// late ones. Lists of done tickets go newest first.
	// The desk's "to handle" too; "new" goes by receipt.
	if (a.Role == user.Agency && cur.Key != "answered" && cur.Key != "all") || f.SLA != "" || cur.Key == "open" {
		f.Sort = ticket.SortDeadline
	}
	if s := q.Get("sort"); s != "" {
		f.Sort = s
	}
	return f, cur.Key
}

func (w *Desk) inbox(rw http.ResponseWriter, r *http.Request) error {
	return w.inboxPage(rw, r, r.URL.Query(), w.inboxTitled(r), http.StatusOK)
}

// inboxTitled is the inbox's page, titled for who reads it: an agency
// works its queue, the hotline desk its inbox.
func (w *Desk) inboxTitled(r *http.Request) *web.Page {
	if web.CurrentUser(r).Role == user.Agency {
		return w.NewPage(r, "inbox.queue_title", "inbox")
	}
	return w.NewPage(r, "inbox.title", "inbox")
}

// inboxPage renders the inbox for query q on page p; status is the
// page's status unless the filter is refused. The "save this view" form
// renders it again with the error beside the name.
func (w *Desk) inboxPage(rw http.ResponseWriter, r *http.Request, q url.Values, p *web.Page, status int) error {
	a := web.ActorOf(r)
	f, tabKey := filterFrom(q, a)
	d := inboxData{Tabs: tabsFor(a.Role), Tab: tabKey, Filter: q, FirstPage: f.Cursor == "",
		Channels: ticket.Channels, States: ticket.States, SLAStates: []sla.State{sla.OnTime, sla.AtRisk, sla.Overdue}}
	if a.Role == user.Agency {
		d.States = ticket.AgencyStates
	}
	var page ticket.Page
	err := checkDays(q)
	if err == nil {
		page, err = w.Tickets.List(r.Context(), a, f)
	}
	filterStatus, err := p.FilterError(err)
	if err != nil {
		return err
	}
	if filterStatus != http.StatusOK {
		status = filterStatus
	}
	if filterStatus == http.StatusOK {
		d.Export = exportsOf(f, a, string(p.Lang))
	}
	d.Tickets = w.scrubTitles(r, a, page.Tickets)
	if page.Next != "" {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("cursor", page.Next)
		d.Next = "/console?" + nq.Encode()
	}
	if d.Counts, err = w.tabCounts(r, a, d.Tabs); err != nil {
		return err
	}
	if err := w.savedTabs(r, a, q, &d); err != nil {
		return err
	}
	if p.Rows, err = w.rowTools(r, a, d.Tickets); err != nil {
		return err
	}
	if d.Categories, err = w.Categories.List(r.Context(), false); err != nil {
		return err
	}
	if a.Role != user.Agency {
		if d.Agencies, err = w.Agencies.List(r.Context(), agency.ListOptions{}); err != nil {
			return err
		}
	}
	if p.Rows.Select {
		staff, err := w.assignees(r.Context(), 0)
		if err != nil {
			return err
		}
		d.Bulk = bulkFor(a, d.Agencies, staff, w.Today(), string(p.Lang))
	}
	p.Data = d
	w.Render(rw, r, status, "inbox", p)
	return nil
}

// tabCounts counts each tab's tickets as its list shows them (the preset
// alone, without the filters typed on top), each at most
// ticket.CountCap+1 entries of the index its list walks.
func (w *Desk) tabCounts(r *http.Request, a user.Actor, tabs []tab) (map[string]string, error) {
	p := w.NewPage(r, "", "")
	out := make(map[string]string, len(tabs))
	for _, t := range tabs {
		f, _ := filterFrom(url.Values{"tab": {t.Key}}, a)
		n, err := w.Tickets.Count(r.Context(), a, f)
		if err != nil {
			return nil, err
		}
		out[t.Key] = p.Number(n)
		if n > ticket.CountCap {
			out[t.Key] = p.Number(ticket.CountCap) + "+"
		}
	}
	return out, nil
}

// savedTabs reads the user's saved views with their counts, marks the
// one shown, and offers to save the filter shown when it is not a bare
// tab or a saved view already.
func (w *Desk) savedTabs(r *http.Request, a user.Actor, q url.Values, d *inboxData) error {
	if w.Views == nil || a.UserID == 0 {
		return nil
	}
	views, err := w.Views.List(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	p := w.NewPage(r, "", "")
	d.ViewID, _ = strconv.ParseInt(q.Get("view"), 10, 64)
	for _, v := range views {
		vf, _ := filterFrom(v.Query, a)
		n, err := w.Tickets.Count(r.Context(), a, vf)
		if err != nil && errs.CodeOf(err) != errs.Invalid {
			return err
		}
		count := p.Number(n)
		if n > ticket.CountCap {
			count = p.Number(ticket.CountCap) + "+"
		}
		vq := maps.Clone(v.Query)
		vq.Set("view", strconv.FormatInt(v.ID, 10))
		d.Views = append(d.Views, savedTab{ID: v.ID, Name: v.Name, URL: "/console?" + vq.Encode(), Count: count, Current: v.ID == d.ViewID})
	}
	// A bare tab is already a tab: only a filter on top is worth saving.
	keep := view.Clean(q)
	if len(keep) > 0 && (len(keep) > 1 || keep.Get("tab") == "") && d.ViewID == 0 {
		d.SaveQuery = keep.Encode()
	}
	return nil
}

// saveView keeps the filter shown under the name typed, and shows it as
// its tab; a refused name is shown beside the field, the filter kept.
func (w *Desk) saveView(rw http.ResponseWriter, r *http.Request) error {
	a := web.ActorOf(r)
	q, err := url.ParseQuery(r.PostFormValue("query"))
	if err != nil {
		return errs.Invalidf("view.empty").InField("name")
	}
	v, err := w.Views.Save(r.Context(), a.UserID, r.PostFormValue("name"), q)
	if e := errs.As(err); err != nil && (e.Code == errs.Invalid || e.Code == errs.Conflict) {
		p := w.inboxTitled(r)
		p.Errors["view.name"] = p.Err(err)
		p.Form["view.name"] = r.PostFormValue("name")
		return w.inboxPage(rw, r, q, p, httpx.Status(e.Code))
	} else if err != nil {
		return err
	}
	vq := v.Query
	vq.Set("view", strconv.FormatInt(v.ID, 10))
	return w.Redirect(rw, r, "/console?"+vq.Encode(), "view.saved")
}

// deleteView removes one of the user's saved views.
func (w *Desk) deleteView(rw http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.NotFoundf("view.not_found")
	}
	if err := w.Views.Delete(r.Context(), web.ActorOf(r).UserID, id); err != nil {
		return err
	}
	return w.Redirect(rw, r, "/console", "view.deleted")
}

// rowTools prepares the inbox rows' owner names, "take it" buttons and
// check boxes: the buttons exactly where the workflow table allows Take.
func (w *Desk) rowTools(r *http.Request, a user.Actor, ts []ticket.Ticket) (*web.RowTools, error) {
	rt := &web.RowTools{Names: map[int64]string{}, Take: map[int64]bool{}, Select: ticket.Permit(a, ticket.Take) == nil,
		Back: r.URL.RequestURI()}
	staff, err := w.Users.List(r.Context())
	if err != nil {
		return nil, err
	}
	for _, u := range staff {
		rt.Names[u.ID] = u.Name
	}
	if a.Role == user.Agency {
		if rt.Handlers, err = w.Tickets.Handlers(r.Context(), ts); err != nil {
			return nil, err
		}
	}
	for _, t := range ts {
		rt.Take[t.ID] = slices.Contains(ticket.Allowed(a, t), ticket.Take)
	}
	return rt, nil
}

// scrubTitles removes the reporter's identity from ticket titles for those
// who may not see it: a title is the first line of what the citizen wrote,
// and citizens often start with their name and number. The page's
// reporters are read in one query.
func (w *Desk) scrubTitles(r *http.Request, a user.Actor, ts []ticket.Ticket) []ticket.Ticket {
	if a.SeesIdentity() {
		return ts
	}
	scrubberOf := w.Tickets.Scrubbers(r.Context(), a, ts)
	for i := range ts {
		ts[i].Title = scrubberOf(ts[i])(ts[i].Title)
	}
	return ts
}

// inboxRow renders one ticket's inbox row if it belongs on the first page
// of the inbox as the browser filters it, and 204 otherwise. The live
// inbox calls it when an event names a ticket.
func (w *Desk) inboxRow(rw http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.NotFoundf("ticket.not_found")
	}
	a := web.ActorOf(r)
	f, _ := filterFrom(r.URL.Query(), a)
	f.Cursor = ""
	page, err := w.Tickets.List(r.Context(), a, f)
	if err != nil {
		return err
	}
	for _, t := range page.Tickets {
		if t.ID == id {
			row := w.scrubTitles(r, a, []ticket.Ticket{t})[0]
			p := w.NewPage(r, "", "")
			if p.Rows, err = w.rowTools(r, a, []ticket.Ticket{row}); err != nil {
				return err
			}
			p.Rows.Back = "/console?" + r.URL.Query().Encode()
			return w.Fragment(rw, "ticketrow", web.TicketRow{P: p, T: row})
		}
	}
	rw.WriteHeader(http.StatusNoContent)
	return nil
}

// events streams live updates as server-sent events: ticket changes the
// user may see, and who else has a ticket open.
func (w *Desk) events(rw http.ResponseWriter, r *http.Request) error {
	flusher, ok := rw.(http.Flusher)
	if !ok {
		return errs.E(errs.Internal, "error.internal")
	}
	a := web.ActorOf(r)
	ch, stop := w.Live.Subscribe()
	defer stop()
	h := rw.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	rw.WriteHeader(http.StatusOK)
	fmt.Fprint(rw, "retry: 3000\n\n")
	flusher.Flush()
	// A comment every 25 s keeps proxies from closing an idle stream.
	ping := time.NewTicker(25 * time.Second)
	defer ping.Stop()
	rc := http.NewResponseController(rw)
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-ping.C:
			_ = rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if _, err := fmt.Fprint(rw, ": ping\n\n"); err != nil {
				return nil
			}
			flusher.Flush()
		case e, ok := <-ch:
			if !ok {
				return nil
			}
			if !visibleEvent(a, e) {
				continue
			}
			b, _ := json.Marshal(e)
			_ = rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if _, err := fmt.Fprintf(rw, "event: %s\ndata: %s\n\n", e.Kind, b); err != nil {
				return nil
			}
			flusher.Flush()
		}
	}
}

// visibleEvent keeps agency handlers to their own agency's tickets.
// Presence events name only staff and a ticket id, never a reporter. A
// ringing call goes only to the users whose phones ring, a notification
// only to its recipients.
func visibleEvent(a user.Actor, e live.Event) bool {
	if e.Kind == "call" || e.Kind == "notification" {
		return a.UserID != 0 && slices.Contains(e.UserIDs, a.UserID)
	}
	if a.CanReadAll() || e.Kind == "presence" {
		return true
	}
	return a.Role == user.Agency && e.AgencyID == a.AgencyID
}

// checkDays refuses a malformed from or to.
func checkDays(q url.Values) error {
	for _, k := range []string{"from", "to"} {
		if v := q.Get(k); v != "" {
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				return errs.Invalidf("report.date_invalid").InField(k)
			}
		}
	}
	return nil
}
