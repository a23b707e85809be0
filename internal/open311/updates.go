package open311

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// mySociety's service request updates (FixMyStreet's Open311 extension):
// GET servicerequestupdates lists the state changes of tickets, each an
// update with a stable update_id (its timeline entry's id) and the
// extended status mapped from our step; POST servicerequestupdates
// records a FixMyStreet user's update on a ticket as the reporter's side's
// message, once per update_id.

// extended maps a timeline step to mySociety's extended status,
// lower-case as GET answers give it. Steps not listed (notes, the
// agency's draft answer and its review, extensions) are not updates.
var extended = map[string]string{
	string(ticket.Classify): "open",
	string(ticket.Forward):  "investigating",
	string(ticket.Reassign): "investigating",
	string(ticket.Accept):   "in_progress",
	string(ticket.Return):   "for_triage",
	string(ticket.Reply):    "closed",
	string(ticket.Close):    "closed",
	string(ticket.Reopen):   "reopen",
	string(ticket.Refuse):   "no_further_action",
	string(ticket.Merge):    "duplicate",
}

// updateSteps are extended's keys in a stable order, for the query.
var updateSteps = []string{"classify", "forward", "reassign", "accept", "return", "reply", "close", "reopen", "refuse", "merge"}

// Extended states a POSTed update may carry, upper-case.
var postedStates = map[string]bool{"OPEN": true, "CLOSED": true, "FIXED": true, "IN_PROGRESS": true, "PLANNED": true,
	"ACTION_SCHEDULED": true, "INVESTIGATING": true, "DUPLICATE": true, "NOT_COUNCILS_RESPONSIBILITY": true,
	"NO_FURTHER_ACTION": true, "INTERNAL_REFERRAL": true, "CANCELLED": true, "REOPEN": true, "FOR_TRIAGE": true, "UNCHANGED": true}

type requestUpdate struct {
	UpdateID           string `xml:"update_id" json:"update_id"`
	ServiceRequestID   string `xml:"service_request_id" json:"service_request_id"`
	Status             string `xml:"status" json:"status"`
	UpdatedDatetime    Opt    `xml:"updated_datetime" json:"updated_datetime"`
	Description        string `xml:"description" json:"description"`
	MediaURL           Opt    `xml:"media_url" json:"media_url"`
	ExternalStatusCode Opt    `xml:"external_status_code" json:"external_status_code"`
}

type updateList struct {
	XMLName xml.Name        `xml:"service_request_updates"`
	Updates []requestUpdate `xml:"request_update"`
}

// maxUpdates is how many updates one GET gives, oldest first; a client
// walks on with a later start_date.
const maxUpdates = 1000

// defaultUpdateSpan is the range without dates: FixMyStreet asks for the
// last hours, every few minutes.
const defaultUpdateSpan = 24 * time.Hour

func (e *endpoint) updates(r *http.Request, _ format) (any, any, error) {
	v := r.URL.Query()
	from, err := parseDate(strings.TrimSpace(v.Get("start_date")), "start_date")
	if err != nil {
		return nil, nil, err
	}
	to, err := parseDate(strings.TrimSpace(v.Get("end_date")), "end_date")
	if err != nil {
		return nil, nil, err
	}
	if to.IsZero() {
		to = e.Now()
	}
	if from.IsZero() {
		from = to.Add(-defaultUpdateSpan)
	}
	if to.Before(from) {
		return nil, nil, errs.Invalidf("open311.dates_reversed").InField("end_date")
	}
	if to.Sub(from) > maxSpan {
		return nil, nil, errs.Invalidf("open311.dates_span").InField("end_date")
	}
	args := []any{from.UTC(), to.UTC()}
	ps := make([]string, len(updateSteps))
	for i, s := range updateSteps {
		args = append(args, s)
		ps[i] = "$" + strconv.Itoa(len(args))
	}
	args = append(args, maxUpdates)
	q := updatesSQL + " AND m.event IN (" + strings.Join(ps, ", ") + ") ORDER BY m.created_at, m.id LIMIT $" + strconv.Itoa(len(args))
	rows, err := e.DB.R().QueryContext(r.Context(), q, args...)
	if err != nil {
		return nil, nil, db.Fail(err)
	}
	defer rows.Close()
	l := lang(r)
	list := []requestUpdate{}
	for rows.Next() {
		var id, tid int64
		var step string
		var at any
		if err := rows.Scan(&id, &tid, &step, &at); err != nil {
			return nil, nil, db.Fail(err)
		}
		list = append(list, requestUpdate{UpdateID: strconv.FormatInt(id, 10), ServiceRequestID: strconv.FormatInt(tid, 10),
			Status: extended[step], UpdatedDatetime: datetime(db.Time(at)), ExternalStatusCode: Opt(step),
			Description: e.Catalog.T(l, "open311.update."+step)})
	}
	if err := rows.Err(); err != nil {
		return nil, nil, db.Fail(err)
	}
	return updateList{Updates: list}, list, nil
}

type postedUpdate struct {
	UpdateID string `xml:"update_id" json:"update_id"`
}

type postedList struct {
	XMLName xml.Name       `xml:"service_request_updates"`
	Updates []postedUpdate `xml:"request_update"`
}

// postUpdate records a FixMyStreet user's update. The answer's update_id
// is ours (the timeline entry), the same on a retry of the same client
// update_id.
func (e *endpoint) postUpdate(r *http.Request, _ format) (any, any, error) {
	form, err := readForm(r)
	if err != nil {
		return nil, nil, err
	}
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	key, err := e.checkKey(r.Context(), get("api_key"))
	if err != nil {
		return nil, nil, err
	}
	id, err := strconv.ParseInt(get("service_request_id"), 10, 64)
	if err != nil || id < 1 {
		return nil, nil, errs.E(errs.NotFound, "open311.request_unknown")
	}
	clientID := get("update_id")
	if clientID == "" || len(clientID) > 100 {
		return nil, nil, errs.Invalidf("open311.update_id_required").InField("update_id")
	}
	status := strings.ToUpper(get("status"))
	if !postedStates[status] {
		return nil, nil, errs.Invalidf("open311.status_invalid").InField("status")
	}
	if _, err := parseDate(get("updated_datetime"), "updated_datetime"); err != nil || get("updated_datetime") == "" {
		return nil, nil, errs.Invalidf("open311.date_invalid").InField("updated_datetime")
	}
	desc := text(form.Get("description"))
	if desc == "" {
		return nil, nil, errs.Invalidf("ticket.content_required").InField("description")
	}
	if len([]rune(desc)) > maxDescription {
		return nil, nil, errs.Invalidf("open311.description_too_long", "max", strconv.Itoa(maxDescription)).InField("description")
	}
	for _, m := range form["media_url"] {
		if m = strings.TrimSpace(m); m != "" {
			desc += "\nmedia_url: " + m
		}
	}
	if e.test {
		res := []postedUpdate{{UpdateID: "test-" + clientID}}
		return postedList{Updates: res}, res, nil
	}
	actor := user.Actor{Origin: "channel:" + string(ticket.App), IP: httpx.ClientIP(r, e.TrustProxy)}
	// The client's update_id is unique per key: two clients may both
	// number theirs from 1.
	msg, _, err := e.Tickets.Comment(r.Context(), actor, id, ticket.App, "open311:"+strconv.FormatInt(key.ID, 10)+":"+clientID, desc)
	if err != nil {
		if errs.CodeOf(err) == errs.NotFound {
			return nil, nil, errs.E(errs.NotFound, "open311.request_unknown")
		}
		return nil, nil, err
	}
	e.Keys.Used(r.Context(), key.ID)
	res := []postedUpdate{{UpdateID: strconv.FormatInt(msg, 10)}}
	return postedList{Updates: res}, res, nil
}
