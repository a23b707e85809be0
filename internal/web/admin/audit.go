package admin

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web"
)

// auditPage is how many events the viewer shows at a time.
const auditPage = 50

// auditActions are suggestions for the action filter: prefixes select a
// whole family.
var auditActions = []string{"ticket.", "contact.reveal", "user.", "auth.", "token.", "agency.", "category.", "routing.",
	"sla.", "holiday.", "reply_template.", "audit.export"}

var actionPattern = regexp.MustCompile(`^[a-z0-9_.-]{1,60}$`)

// auditRow is an event as the viewer shows it.
type auditRow struct {
	audit.Event
	ActionName string // the action in the reader's language; the code is in Action
	ActorName  string
	ActorLabel string // who acted when it was not a user: "Hệ thống", "Kênh Zalo"
	TicketCode string
	ObjectURL  string // the admin page of the object, when there is one
	Details    []detail
}

// objectPages maps an audit object's kind to its admin page.
var objectPages = map[string]string{
	"user":           "/console/admin/users/",
	"agency":         "/console/admin/agencies?q=",
	"category":       "/console/admin/categories?code=",
	"routing_rule":   "/console/admin/routing/",
	"sla_policy":     "/console/admin/sla/",
	"reply_template": "/console/admin/replies/",
	"holiday":        "/console/admin/sla?year=",
}

// objectURL links an audit object ("user:12", "agency:SXD") to its page.
func objectURL(object string) string {
	kind, key, ok := strings.Cut(object, ":")
	page, known := objectPages[kind]
	if !ok || !known || key == "" {
		return ""
	}
	if kind == "holiday" && len(key) >= 4 {
		key = key[:4]
	}
	return page + url.QueryEscape(key)
}

// detail is one key: value of an event's detail, named in the reader's
// language; Key and Raw are the codes, shown on hover.
type detail struct{ Key, Label, Value, Raw string }

type auditData struct {
	subnav
	Rows    []auditRow
	Users   []option
	Actions []string
	Next    string // the next page's URL
	First   string // the newest page's URL when paging
	Query   string // the filter as a query string, for export and verify
	Report  *audit.Report
}

// auditFilter reads the viewer's filter from a query string. Dates are
// local (Asia/Ho_Chi_Minh) days, both inclusive; a ticket is its id or its
// tracking code.
func (w *Admin) auditFilter(ctx context.Context, a user.Actor, q url.Values) (audit.Filter, error) {
	f := audit.Filter{Limit: auditPage}
	if f.Action = strings.ToLower(strings.TrimSpace(q.Get("action"))); f.Action != "" && !actionPattern.MatchString(f.Action) {
		return f, errs.Invalidf("field.invalid").InField("action")
	}
	var err error
	if f.ActorID, err = formID(q.Get("actor"), "actor"); err != nil {
		return f, err
	}
	if t := strings.TrimPrefix(strings.TrimSpace(q.Get("ticket")), "#"); t != "" {
		if code := ticket.NormalizeCode(t); code != "" {
			tk, err := w.Tickets.GetByCode(ctx, a, code)
			if errs.CodeOf(err) == errs.NotFound {
				return f, errs.Invalidf("ticket.not_found").InField("ticket")
			}
			if err != nil {
				return f, err
			}
			f.TicketID = tk.ID
		} else if f.TicketID, err = strconv.ParseInt(t, 10, 64); err != nil || f.TicketID <= 0 {
			return f, errs.Invalidf("admin.audit.ticket_invalid").InField("ticket")
		}
	}
	day := func(field string) (time.Time, error) {
		v := strings.TrimSpace(q.Get(field))
		if v == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation(time.DateOnly, v, i18n.Location)
		if err != nil {
			return t, errs.Invalidf("field.date_invalid").InField(field)
		}
		return t, nil
	}
	if f.From, err = day("from"); err != nil {
		return f, err
	}
	if f.To, err = day("to"); err != nil {
		return f, err
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // the whole last day
		if !f.From.IsZero() && !f.From.Before(f.To) {
			return f, errs.Invalidf("admin.audit.dates_order").InField("to")
		}
	}
	if f.Before, err = formID(q.Get("before"), "before"); err != nil {
		return f, err
	}
	return f, nil
}

// auditQuery is the filter part of a query string, without the cursor.
func auditQuery(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range []string{"action", "actor", "ticket", "from", "to"} {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

func (w *Admin) audit(rw http.ResponseWriter, r *http.Request) error {
	return w.showAudit(rw, r, r.URL.Query(), nil)
}

// showAudit renders the viewer for the filter in q, with the outcome of
// a verification when there was one.
func (w *Admin) showAudit(rw http.ResponseWriter, r *http.Request, q url.Values, report *audit.Report) error {
	ctx := r.Context()
	p := w.page(r, "audit")
	for _, k := range []string{"action", "actor", "ticket", "from", "to"} {
		p.Form[k] = strings.TrimSpace(q.Get(k))
	}
	fq := auditQuery(q)
	d := auditData{subnav: subnavOf("audit"), Actions: auditActions, Query: fq.Encode(), Report: report}
	users, err := w.Users.List(ctx)
	if err != nil {
		return err
	}
	d.Users = []option{{Value: "", Label: p.T("admin.any")}}
	names := map[int64]user.User{}
	for _, u := range users {
		names[u.ID] = u
		d.Users = append(d.Users, option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name + " (" + u.Email + ")", Muted: !u.Active})
	}
	slices.SortStableFunc(d.Users[1:], func(a, b option) int { return strings.Compare(a.Label, b.Label) })
	status := http.StatusOK
	f, err := w.auditFilter(ctx, web.ActorOf(r), q)
	if err != nil {
		if !fieldError(p, err, map[string]string{"before": "action"}) {
			return err
		}
		status = http.StatusBadRequest
	} else {
		events, err := w.Audit.List(ctx, f)
		if err != nil {
			return err
		}
		if d.Rows, err = w.auditRows(ctx, p, events, names); err != nil {
			return err
		}
		if len(events) == auditPage {
			nq := auditQuery(q)
			nq.Set("before", strconv.FormatInt(events[len(events)-1].ID, 10))
			d.Next = "/console/admin/audit?" + nq.Encode()
		}
		if f.Before != 0 {
			d.First = "/console/admin/audit"
			if d.Query != "" {
				d.First += "?" + d.Query
			}
		}
	}
	p.Data = d
	w.Render(rw, r, status, "admin_audit", p)
	return nil
}

// auditRows names the actors and tickets of events and spells out their
// details.
func (w *Admin) auditRows(ctx context.Context, p *web.Page, events []audit.Event, users map[int64]user.User) ([]auditRow, error) {
	var ids []int64
	for _, e := range events {
		if e.TicketID != 0 && !slices.Contains(ids, e.TicketID) {
			ids = append(ids, e.TicketID)
		}
	}
	codes, err := w.Tickets.Codes(ctx, ids)
	if err != nil {
		return nil, err
	}
	rows := make([]auditRow, 0, len(events))
	for _, e := range events {
		row := auditRow{Event: e, ActionName: actionName(p, e.Action), TicketCode: codes[e.TicketID], ObjectURL: objectURL(e.Object),
			Details: details(p, e.Detail)}
		if u, ok := users[e.ActorID]; ok {
			row.ActorName = u.Name
		} else {
			row.ActorLabel = originName(p, e.Actor)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// actionName is an audit action in the reader's language: its own name,
// else a ticket action's timeline name ("ticket.forward" → "Chuyển xử
// lý"), else the code.
func actionName(p *web.Page, code string) string {
	if k := "admin.audit.act." + code; p.Has(k) {
		return p.T(k)
	}
	if a, ok := strings.CutPrefix(code, "ticket."); ok && p.Has("event."+a) {
		return p.T("event." + a)
	}
	return code
}

// originName names an actor that is not a user ("system",
// "channel:zalo") in the reader's language, or gives the code.
func originName(p *web.Page, origin string) string {
	kind, ch, isChannel := strings.Cut(origin, ":")
	if isChannel && kind == "channel" {
		name := ch
		if p.Has("channel." + ch) {
			name = p.T("channel." + ch)
		}
		return p.T("admin.audit.origin.channel", "channel", name)
	}
	if k := "admin.audit.origin." + origin; p.Has(k) {
		return p.T(k)
	}
	return origin
}

// codedValues are the detail keys whose values are codes with a display
// name in the catalogue, by the names' prefix.
var codedValues = map[string]string{"from": "state.", "to": "state.", "state": "state.", "channel": "channel.",
	"role": "role.", "priority": "priority.", "kind": "kind."}

// details lists an event's detail as label: value in the reader's
// language, in key order, with the codes kept for hover.
func details(p *web.Page, m map[string]any) []detail {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]detail, 0, len(keys))
	for _, k := range keys {
		d := detail{Key: k, Label: k, Raw: value(m[k])}
		if p.Has("admin.audit.field." + k) {
			d.Label = p.T("admin.audit.field." + k)
		}
		d.Value = d.Raw
		if prefix, ok := codedValues[k]; ok && p.Has(prefix+d.Raw) {
			d.Value = p.T(prefix + d.Raw)
		} else if b, ok := m[k].(bool); ok {
			d.Value = p.T(map[bool]string{true: "admin.yes", false: "admin.no"}[b])
		}
		out = append(out, d)
	}
	return out
}

// value shows a JSON value: strings and numbers as they are, anything
// nested as compact JSON.
func value(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// auditVerify recomputes the whole hash chain, which reads every
// event, so it runs only when an admin asks, and checks it against the
// anchors the server wrote, which show deleted newest events. Nothing
// changes, so the result is shown at once rather than through a redirect.
func (w *Admin) auditVerify(rw http.ResponseWriter, r *http.Request) error {
	var anchors []audit.Anchor
	if w.Anchors != "" {
		var err error
		if anchors, err = w.Anchors.Read(); err != nil && !errors.Is(err, audit.ErrNoAnchors) {
			return err
		}
	}
	rep, err := w.Audit.VerifyAnchored(r.Context(), anchors)
	if err != nil {
		return err
	}
	q, _ := url.ParseQuery(r.PostFormValue("query"))
	return w.showAudit(rw, r, q, &rep)
}

// auditCSV exports the filtered log, newest first, as CSV. The export
// itself is an "audit.export" event, written before the first row.
func (w *Admin) auditCSV(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	f, err := w.auditFilter(ctx, web.ActorOf(r), q)
	if err != nil {
		return err
	}
	f.Limit, f.Before = 200, 0
	users, err := w.Users.List(ctx)
	if err != nil {
		return err
	}
	names := map[int64]user.User{}
	for _, u := range users {
		names[u.ID] = u
	}
	by := web.ActorOf(r)
	detail := map[string]any{}
	for k, v := range auditQuery(q) {
		detail[k] = v[0]
	}
	if err := w.DB.Tx(ctx, func(tx *sql.Tx) error {
		return audit.Append(ctx, tx, audit.Event{At: w.Now(), ActorID: by.UserID, Actor: by.Label(), IP: by.IP,
			Action: "audit.export", Detail: detail})
	}); err != nil {
		return err
	}
	h := rw.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="audit-%s.csv"`, w.Now().In(i18n.Location).Format("20060102-1504")))
	// A byte-order mark lets spreadsheet programs read the Vietnamese right.
	_, _ = rw.Write([]byte("\uFEFF"))
	cw := csv.NewWriter(rw)
	_ = cw.Write([]string{"id", "time_utc", "time_local", "actor_id", "actor_name", "actor_role", "action", "ticket_id", "ticket_code", "object", "detail", "ip", "seq"})
	for {
		events, err := w.Audit.List(ctx, f)
		if err != nil {
			// Headers are gone; a truncated file is all that can signal it.
			w.Log.Error("audit export", "error", err.Error())
			return nil
		}
		var ids []int64
		for _, e := range events {
			if e.TicketID != 0 {
				ids = append(ids, e.TicketID)
			}
		}
		codes, err := w.Tickets.Codes(ctx, ids)
		if err != nil {
			w.Log.Error("audit export", "error", err.Error())
			return nil
		}
		for _, e := range events {
			d := ""
			if len(e.Detail) > 0 {
				b, _ := json.Marshal(e.Detail)
				d = string(b)
			}
			_ = cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339), e.At.In(i18n.Location).Format("2006-01-02 15:04:05"),
				idString(e.ActorID), names[e.ActorID].Name, e.Actor, e.Action, idString(e.TicketID), codes[e.TicketID], e.Object, d, e.IP,
				idString(e.Seq)})
		}
		cw.Flush()
		if len(events) < f.Limit {
			return cw.Error()
		}
		f.Before = events[len(events)-1].ID
	}
}

// idString writes an id, or nothing for 0.
func idString(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}
