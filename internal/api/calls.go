package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/hotline-1022/hotline/internal/call"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
)

// CallJSON is one call of the call log. from and to are masked for who
// may not see identities, and the recording left out.
type CallJSON struct {
	ID              int64      `json:"id"`
	CallID          string     `json:"call_id"`
	From            string     `json:"from"`
	To              string     `json:"to"`
	Direction       string     `json:"direction"`
	Queue           string     `json:"queue,omitempty"`
	Answered        bool       `json:"answered"`
	Missed          bool       `json:"missed"`
	DurationSeconds int64      `json:"duration_seconds"`
	Operator        *RefIDJSON `json:"operator"`
	ContactID       *int64     `json:"contact_id"`
	TicketID        *int64     `json:"ticket_id"`
	StartedAt       time.Time  `json:"started_at"`
	AnsweredAt      *time.Time `json:"answered_at,omitempty"`
	EndedAt         *time.Time `json:"ended_at,omitempty"`
	Cause           string     `json:"cause,omitempty"`
	RecordingURL    string     `json:"recording_url,omitempty"`
	CallbackDue     *time.Time `json:"callback_due,omitempty"`
	CallbackAt      *time.Time `json:"callback_at,omitempty"`
	CallbackBy      string     `json:"callback_by,omitempty"`
	Masked          bool       `json:"masked"`
}

// RefIDJSON names a user.
type RefIDJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func pid(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func callJSON(c call.Call) CallJSON {
	out := CallJSON{ID: c.ID, CallID: c.CallID, From: c.From, To: c.To, Direction: c.Direction, Queue: c.Queue,
		Answered: c.Answered(), Missed: c.Missed(), DurationSeconds: int64(c.Duration() / time.Second),
		ContactID: pid(c.ContactID), TicketID: pid(c.TicketID), StartedAt: c.StartedAt, AnsweredAt: ptime(c.AnsweredAt),
		EndedAt: ptime(c.EndedAt), Cause: c.Cause, RecordingURL: c.RecordingURL, CallbackDue: ptime(c.CallbackDue),
		CallbackAt: ptime(c.CallbackAt), CallbackBy: c.CallbackBy, Masked: c.IdentityHidden}
	if c.OperatorID != 0 {
		out.Operator = &RefIDJSON{ID: c.OperatorID, Name: c.Operator}
	}
	return out
}

// callFilter reads the call log's query: missed, callbacks, number, date
// (a day in Vietnam's time), since and before (RFC 3339), ticket, cursor,
// limit.
func callFilter(r *http.Request) (call.Filter, error) {
	q := r.URL.Query()
	f := call.Filter{Number: q.Get("number"), Cursor: q.Get("cursor")}
	if q.Get("missed") != "" {
		m, err := boolParam(r, "missed")
		if err != nil {
			return f, err
		}
		f.Missed = &m
	}
	var err error
	if f.Callbacks, err = boolParam(r, "callbacks"); err != nil {
		return f, err
	}
	if v := q.Get("date"); v != "" {
		day, err := time.ParseInLocation(time.DateOnly, v, clock.Zone)
		if err != nil {
			return f, errs.Invalidf("field.invalid").InField("date")
		}
		f.Since, f.Before = day, day.AddDate(0, 0, 1)
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"before", &f.Before}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return f, errs.Invalidf("field.invalid").InField(p.name)
			}
			*p.dst = t
		}
	}
	if v := q.Get("ticket"); v != "" {
		if f.TicketID, err = strconv.ParseInt(v, 10, 64); err != nil || f.TicketID <= 0 {
			return f, errs.Invalidf("field.invalid").InField("ticket")
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > call.MaxLimit {
			return f, errs.Invalidf("field.invalid").InField("limit")
		}
	}
	return f, nil
}

func (a *API) listCalls(w http.ResponseWriter, r *http.Request) error {
	f, err := callFilter(r)
	if err != nil {
		return err
	}
	page, err := a.Calls.List(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	out := struct {
		Calls      []CallJSON `json:"calls"`
		NextCursor string     `json:"next_cursor,omitempty"`
	}{Calls: make([]CallJSON, 0, len(page.Calls)), NextCursor: page.Next}
	for _, c := range page.Calls {
		out.Calls = append(out.Calls, callJSON(c))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func callID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.NotFoundf("call.not_found")
	}
	return id, nil
}

func (a *API) getCall(w http.ResponseWriter, r *http.Request) error {
	id, err := callID(r)
	if err != nil {
		return err
	}
	c, err := a.Calls.Get(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, callJSON(c))
	return nil
}

// callback logs that the caller of a missed call was called back.
func (a *API) callback(w http.ResponseWriter, r *http.Request) error {
	id, err := callID(r)
	if err != nil {
		return err
	}
	act := actor(r)
	if _, err := a.Calls.Get(r.Context(), act, id); err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	if err := a.Calls.Callback(r.Context(), act, id, in.Note); err != nil {
		return err
	}
	c, err := a.Calls.Get(r.Context(), act, id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, callJSON(c))
	return nil
}

// cti hands the phone system's events to the CTI handler, which answers
// in Zammad's format rather than the API's.
func (a *API) cti(w http.ResponseWriter, r *http.Request) error {
	if a.CTI == nil {
		return errs.E(errs.Unavailable, "error.unavailable")
	}
	a.CTI.ServeHTTP(w, r)
	return nil
}
