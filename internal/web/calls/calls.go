// Package calls is the console's phone room: the call log with its
// filters, the call-back list of missed calls with their deadlines, and
// the screen pop an operator gets while their phone rings. The numbers are
// masked by internal/call for who may not see identities.
package calls

import (
	"embed"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/call"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/phone"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web"
)

//go:embed templates
var templates embed.FS

// Calls serves the call log, the call-back list and the screen pop.
type Calls struct {
	*web.Web
	Calls    *call.Store
	Tickets  *ticket.Service
	Contacts *contact.Store
}

// deskRoles take and return calls; every staff role reads the log, as
// internal/call scopes and masks it.
var deskRoles = []user.Role{user.Admin, user.Supervisor, user.Operator}

// Routes registers the phone room's pages.
func (w *Calls) Routes(rt *web.Router) {
	rt.Templates(templates, nil)
	rt.Page("GET /console/calls", web.AllStaff, w.log)
	rt.Page("POST /console/calls/{id}/callback", deskRoles, w.callback)
	rt.Page("POST /console/calls/answers/{id}/called", deskRoles, w.answerCalled)
	rt.Page("GET /console/calls/{id}/pop", deskRoles, w.pop)
	rt.Page("POST /console/calls/{id}/attach", deskRoles, w.attach)
}

// row is one call as the log shows it.
type row struct {
	call.Call
	Duration string // "3:05"
}

// answerRow is an answer to tell a citizen by phone, on the call-back
// list: the ticket's answer and the number to call.
type answerRow struct {
	ticket.Callback
	Phone string // as Vietnamese readers write it: "0912 345 678"
	Dial  string // E.164, for the tel: link
}

// logData is the call log page.
type logData struct {
	Callbacks bool        // the call-back list rather than the log
	Answers   []answerRow // on the call-back list: answers to give by phone
	Filter    url.Values
	Rows      []row
	Next      string
	FirstPage bool
	Ticket    int64 // the log is of one ticket's calls
}

// filterFrom reads the page's filters: tab=callbacks, missed=1 or 0,
// number, date (a day in Vietnam), ticket and cursor.
func filterFrom(q url.Values) (call.Filter, error) {
	f := call.Filter{Callbacks: q.Get("tab") == "callbacks", Number: q.Get("number"), Cursor: q.Get("cursor")}
	switch q.Get("missed") {
	case "1":
		m := true
		f.Missed = &m
	case "0":
		m := false
		f.Missed = &m
	}
	if v := q.Get("date"); v != "" {
		day, err := time.ParseInLocation(time.DateOnly, v, clock.Zone)
		if err != nil {
			return f, errs.Invalidf("field.invalid").InField("date")
		}
		f.Since, f.Before = day, day.AddDate(0, 0, 1)
	}
	if v := q.Get("ticket"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return f, errs.Invalidf("field.invalid").InField("ticket")
		}
		f.TicketID = id
	}
	return f, nil
}

func (w *Calls) log(rw http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, err := filterFrom(q)
	p := w.NewPage(r, "calls.title", "calls")
	d := logData{Callbacks: f.Callbacks, Filter: q, FirstPage: f.Cursor == "", Ticket: f.TicketID}
	var page call.Page
	if err == nil {
		page, err = w.Calls.List(r.Context(), web.ActorOf(r), f)
	}
	status, err := p.FilterError(err)
	if err != nil {
		return err
	}
	for _, c := range page.Calls {
		d.Rows = append(d.Rows, row{Call: c, Duration: duration(c.Duration())})
	}
	if f.Callbacks && d.FirstPage && ticket.Permit(web.ActorOf(r), ticket.WorkQueues) == nil {
		if d.Answers, err = w.answers(r); err != nil {
			return err
		}
	}
	if page.Next != "" {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("cursor", page.Next)
		d.Next = "/console/calls?" + nq.Encode()
	}
	p.Data = d
	w.Render(rw, r, status, "calls", p)
	return nil
}

// duration is a talk time as m:ss, or h:mm:ss.
func duration(d time.Duration) string {
	s := int64(d / time.Second)
	if s >= 3600 {
		return strconv.FormatInt(s/3600, 10) + ":" + two(s/60%60) + ":" + two(s%60)
	}
	return strconv.FormatInt(s/60, 10) + ":" + two(s%60)
}

func two(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

func callID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.NotFoundf("call.not_found")
	}
	return id, nil
}

// callback logs that the citizen of a missed call was called back, from
// the call-back list or a ticket's page (next says where to go back to).
func (w *Calls) callback(rw http.ResponseWriter, r *http.Request) error {
	id, err := callID(r)
	if err != nil {
		return err
	}
	a := web.ActorOf(r)
	if _, err := w.Calls.Get(r.Context(), a, id); err != nil {
		return err
	}
	if err := w.Calls.Callback(r.Context(), a, id, r.PostFormValue("note")); err != nil {
		return err
	}
	return w.Redirect(rw, r, back(r.PostFormValue("next")), "calls.callback_logged")
}

// answers are the answers waiting to be told by phone, with the number
// of each citizen (the desk sees identities; agencies never reach here).
func (w *Calls) answers(r *http.Request) ([]answerRow, error) {
	list, err := w.Tickets.Callbacks(r.Context(), web.ActorOf(r), 200)
	if err != nil {
		return nil, err
	}
	out := make([]answerRow, 0, len(list))
	for _, c := range list {
		a := answerRow{Callback: c}
		if c.ContactID != 0 {
			if ct, err := w.Contacts.Get(r.Context(), c.ContactID); err == nil && ct.Phone != "" {
				a.Phone, a.Dial = ct.Phone, ct.Phone
				if n, err := phone.Parse(ct.Phone); err == nil {
					a.Phone = n.National()
				}
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// answerCalled records a call to tell a citizen their answer: reached
// (the answer is delivered) or not (the attempt is kept, the task stays).
func (w *Calls) answerCalled(rw http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errs.NotFoundf("callback.not_found")
	}
	reached := r.PostFormValue("outcome") == "reached"
	if err := w.Tickets.CalledBack(r.Context(), web.ActorOf(r), id, reached, r.PostFormValue("note")); err != nil {
		return err
	}
	flash := "calls.answer_unreached"
	if reached {
		flash = "calls.answer_told"
	}
	return w.Redirect(rw, r, back(r.PostFormValue("next")), flash)
}

// back is where a form returns: a console path, or the call-back list.
func back(next string) string {
	if u, err := url.Parse(next); err == nil && u.Scheme == "" && u.Host == "" && strings.HasPrefix(u.Path, "/console/") {
		return u.RequestURI()
	}
	return "/console/calls?tab=callbacks"
}
