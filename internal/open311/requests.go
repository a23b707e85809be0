package open311

import (
	"context"
	"database/sql"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/public"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// GET requests, GET requests/{id} and GET tokens/{token}: every ticket,
// whatever its channel, as the public may see it. The service_request_id
// is the ticket's number, not its tracking code (the code with the
// phone's last digits opens the citizen's own timeline on /track). What a
// reporter said is not public until a supervisor published an anonymised
// version: description is that version or null, and the location is the
// ward. Nothing of the contact is ever read here.

// request is one element of a service_requests list.
type request struct {
	ID                string `xml:"service_request_id" json:"service_request_id"`
	Status            string `xml:"status" json:"status"`
	StatusNotes       Opt    `xml:"status_notes" json:"status_notes"`
	ServiceName       Opt    `xml:"service_name" json:"service_name"`
	ServiceCode       string `xml:"service_code" json:"service_code"`
	Description       Opt    `xml:"description" json:"description"`
	AgencyResponsible Opt    `xml:"agency_responsible" json:"agency_responsible"`
	ServiceNotice     Opt    `xml:"service_notice" json:"service_notice"`
	RequestedDatetime Opt    `xml:"requested_datetime" json:"requested_datetime"`
	UpdatedDatetime   Opt    `xml:"updated_datetime" json:"updated_datetime"`
	ExpectedDatetime  Opt    `xml:"expected_datetime" json:"expected_datetime"`
	Address           Opt    `xml:"address" json:"address"`
	AddressID         Opt    `xml:"address_id" json:"address_id"`
	Zipcode           Opt    `xml:"zipcode" json:"zipcode"`
	Lat               Num    `xml:"lat" json:"lat"`
	Long              Num    `xml:"long" json:"long"`
	MediaURL          Opt    `xml:"media_url" json:"media_url"`
}

type requestList struct {
	XMLName  xml.Name  `xml:"service_requests"`
	Requests []request `xml:"request"`
}

// Paging: page_size (or FixMyStreet's max_requests) defaults to 50 and is
// at most 500, as Chicago's and Austin's servers have it; an offset past
// maxOffset is refused, so a query stays one short walk of an index.
const (
	defaultPageSize = 50
	maxPageSize     = 500
	maxOffset       = 10000
	maxSpan         = 90 * 24 * time.Hour
	maxIDs          = 100
)

// Query is GET requests' filter, parsed.
type Query struct {
	IDs        []int64
	Categories []int64 // resolved from service_code; empty: all
	From, To   time.Time
	Open       *bool // nil: both
	Limit      int
	Offset     int
}

// parseQuery reads GET requests' parameters. An empty parameter is an
// absent one; unknown parameters (api_key, extensions, deviceid…) are
// ignored.
func (e *endpoint) parseQuery(ctx context.Context, r *http.Request) (Query, bool, error) {
	v := r.URL.Query()
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	var q Query
	q.Limit = defaultPageSize
	for _, k := range []string{"page_size", "max_requests"} {
		if s := get(k); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				return q, false, errs.Invalidf("open311.page_invalid").InField(k)
			}
			q.Limit = min(n, maxPageSize)
		}
	}
	if s := get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return q, false, errs.Invalidf("open311.page_invalid").InField("page")
		}
		if (n-1)*q.Limit > maxOffset {
			return q, false, errs.Invalidf("open311.page_too_far", "max", strconv.Itoa(maxOffset)).InField("page")
		}
		q.Offset = (n - 1) * q.Limit
	}
	if s := get("service_request_id"); s != "" {
		ids, err := parseIDs(s)
		if err != nil {
			return q, false, err
		}
		q.IDs = ids // overrides every other filter
		return q, true, nil
	}
	if s := get("service_code"); s != "" {
		cats, _, err := e.activeCategories(ctx)
		if err != nil {
			return q, false, err
		}
		for _, code := range strings.Split(s, ",") {
			for _, c := range cats {
				if c.Code == strings.TrimSpace(code) {
					q.Categories = append(q.Categories, c.ID)
				}
			}
		}
		if len(q.Categories) == 0 {
			return q, false, nil // no such service: no request
		}
	}
	var err error
	if q.From, err = parseDate(get("start_date"), "start_date"); err != nil {
		return q, false, err
	}
	if q.To, err = parseDate(get("end_date"), "end_date"); err != nil {
		return q, false, err
	}
	switch {
	case q.From.IsZero() && q.To.IsZero():
		q.To = e.Now()
		q.From = q.To.Add(-maxSpan)
	case q.From.IsZero():
		q.From = q.To.Add(-maxSpan)
	case q.To.IsZero():
		q.To = q.From.Add(maxSpan)
	}
	if q.To.Before(q.From) {
		return q, false, errs.Invalidf("open311.dates_reversed").InField("end_date")
	}
	if q.To.Sub(q.From) > maxSpan {
		return q, false, errs.Invalidf("open311.dates_span").InField("end_date")
	}
	if s := get("status"); s != "" {
		var open, closed bool
		for _, st := range strings.Split(s, ",") {
			switch strings.ToLower(strings.TrimSpace(st)) {
			case "open":
				open = true
			case "closed":
				closed = true
			default:
				return q, false, errs.Invalidf("open311.status_invalid").InField("status")
			}
		}
		if open != closed {
			q.Open = &open
		}
	}
	return q, true, nil
}

func parseIDs(s string) ([]int64, error) {
	var ids []int64
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id < 1 {
			return nil, errs.Invalidf("open311.id_invalid").InField("service_request_id")
		}
		ids = append(ids, id)
	}
	if len(ids) > maxIDs {
		return nil, errs.Invalidf("open311.ids_too_many", "max", strconv.Itoa(maxIDs)).InField("service_request_id")
	}
	return ids, nil
}

// parseDate takes a W3C date-time with its offset; a bare date is taken
// as midnight in Vietnam.
func parseDate(s, field string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	// A "+" in a query string that was not escaped arrives as a space.
	s = strings.Replace(s, " ", "+", 1)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, i18n.Location); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, errs.Invalidf("open311.date_invalid").InField(field)
}

func (e *endpoint) requests(r *http.Request, _ format) (any, any, error) {
	q, any_, err := e.parseQuery(r.Context(), r)
	if err != nil {
		return nil, nil, err
	}
	list := []request{}
	if any_ {
		if list, err = e.find(r.Context(), lang(r), q); err != nil {
			return nil, nil, err
		}
	}
	return requestList{Requests: list}, list, nil
}

func (e *endpoint) request(r *http.Request, _ format) (any, any, error) {
	id, _, _ := splitFormat(r.PathValue("file"))
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 1 {
		return nil, nil, errs.E(errs.NotFound, "open311.request_unknown")
	}
	list, err := e.find(r.Context(), lang(r), Query{IDs: []int64{n}, Limit: 1})
	if err != nil {
		return nil, nil, err
	}
	if len(list) == 0 {
		return nil, nil, errs.E(errs.NotFound, "open311.request_unknown")
	}
	return requestList{Requests: list}, list, nil
}

// RequestsQuery is the SQL find runs for q, with its arguments: the
// page's ids first, from one index in the order asked (migration 0039:
// tickets_received (received_at, id, resolved_at) for every ticket or the
// closed ones, tickets_open_received for the open ones,
// tickets_category_received for a service_code), the offset skipped in
// that index alone, then the page's rows and names joined to them.
func RequestsQuery(dialect db.Dialect, q Query) (string, []any) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	in := func(col string, ids []int64) string {
		if len(ids) == 1 {
			return col + " = " + arg(ids[0])
		}
		ps := make([]string, len(ids))
		for i, id := range ids {
			ps[i] = arg(id)
		}
		return col + " IN (" + strings.Join(ps, ", ") + ")"
	}
	index := "tickets_received"
	if len(q.IDs) > 0 {
		where = append(where, in("t.id", q.IDs))
		index = ""
	} else {
		where = append(where, "t.received_at >= "+arg(q.From), "t.received_at <= "+arg(q.To))
		if len(q.Categories) > 0 {
			where = append(where, in("t.category_id", q.Categories))
			index = "tickets_category_received"
		}
		if q.Open != nil && *q.Open {
			where = append(where, "t.resolved_at IS NULL")
			if len(q.Categories) == 0 {
				index = "tickets_open_received"
			}
		} else if q.Open != nil {
			where = append(where, "t.resolved_at IS NOT NULL")
		}
	}
	from := "FROM tickets t"
	switch {
	case dialect != db.SQLite:
	case index == "":
		// By ids: their rows, never a skip-scan of an index.
		from += " NOT INDEXED"
	case len(q.Categories) <= 1:
		// SQLite's planner, given a range of dates and an equality,
		// may take the older (category_id, id) index and sort; name the
		// one that reads the page in order.
		from += " INDEXED BY " + index
	}
	page := "SELECT t.id, t.received_at " + from + " WHERE " + strings.Join(where, " AND ") +
		" ORDER BY t.received_at DESC, t.id DESC LIMIT " + arg(q.Limit) + " OFFSET " + arg(q.Offset)
	return fmt.Sprintf(requestsSQL, page), args
}

// find runs a query (RequestsQuery): by ids, or a range of dates newest
// first with the other filters.
func (e *endpoint) find(ctx context.Context, l i18n.Lang, q Query) ([]request, error) {
	sqlText, args := RequestsQuery(e.DB.Dialect, q)
	rows, err := e.DB.R().QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	list := []request{}
	for rows.Next() {
		var (
			id                                             int64
			state, code, nameVI, nameEN, agVI, agEN        string
			areaCode, areaVI, areaEN, publicContent        string
			received, updated, resolved, deadline, publish any
		)
		if err := rows.Scan(&id, &state, &received, &updated, &resolved, &deadline, &code, &nameVI, &nameEN,
			&agVI, &agEN, &areaCode, &areaVI, &areaEN, &publish, &publicContent); err != nil {
			return nil, db.Fail(err)
		}
		pick := func(vi, en string) Opt {
			if l == i18n.EN && en != "" {
				return Opt(en)
			}
			return Opt(vi)
		}
		rq := request{ID: strconv.FormatInt(id, 10), Status: "open", ServiceCode: code, ServiceName: pick(nameVI, nameEN),
			StatusNotes:       Opt(e.Catalog.T(l, "open311.note."+public.State(ticket.State(state)))),
			AgencyResponsible: pick(agVI, agEN), RequestedDatetime: datetime(db.Time(received)),
			UpdatedDatetime: datetime(db.Time(updated)), ExpectedDatetime: datetime(db.Time(deadline)),
			Address: pick(areaVI, areaEN), AddressID: Opt(areaCode)}
		if t := db.Time(resolved); !t.IsZero() {
			rq.Status, rq.UpdatedDatetime, rq.ExpectedDatetime = "closed", datetime(t), ""
		}
		if !db.Time(publish).IsZero() {
			rq.Description = Opt(truncate(publicContent, maxDescription))
		}
		list = append(list, rq)
	}
	return list, db.Fail(rows.Err())
}

// maxDescription is the spec's limit on a description, in characters.
const maxDescription = 4000

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// tokenResponse is a request's token with its service_request_id.
type tokenResponse struct {
	ID    string `xml:"service_request_id" json:"service_request_id"`
	Token string `xml:"token" json:"token"`
}

type tokenList struct {
	XMLName  xml.Name        `xml:"service_requests"`
	Requests []tokenResponse `xml:"request"`
}

// token answers GET tokens/{token}. Services are realtime, so a POST
// answers with the service_request_id at once; the token a client may
// hold is the ticket's tracking code, which the POST's service_notice
// gives and which citizens get on every channel.
func (e *endpoint) token(r *http.Request, _ format) (any, any, error) {
	tok, _, _ := splitFormat(r.PathValue("file"))
	code := ticket.NormalizeCode(tok)
	if code == "" {
		return nil, nil, errs.E(errs.NotFound, "open311.token_unknown")
	}
	var id int64
	if err := e.DB.R().QueryRowContext(r.Context(), ticketByCodeSQL, code).Scan(&id); err != nil {
		if err == sql.ErrNoRows {
			return nil, nil, errs.E(errs.NotFound, "open311.token_unknown")
		}
		return nil, nil, db.Fail(err)
	}
	list := []tokenResponse{{ID: strconv.FormatInt(id, 10), Token: tok}}
	return tokenList{Requests: list}, list, nil
}

// kindOf checks a kind attribute's key.
func kindOf(v string) (string, bool) {
	for _, k := range category.Kinds() {
		if string(k.Code) == v {
			return v, true
		}
	}
	return "", false
}
