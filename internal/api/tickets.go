package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// TicketJSON is a ticket as the API shows it. Times are RFC 3339 in UTC.
type TicketJSON struct {
	ID              int64            `json:"id"`
	Code            string           `json:"code"`
	State           ticket.State     `json:"state"`
	Kind            string           `json:"kind"`
	Priority        string           `json:"priority"`
	Channel         ticket.Channel   `json:"channel"`
	Title           string           `json:"title"`
	Content         string           `json:"content"`
	Category        *RefJSON         `json:"category"`
	Area            *RefJSON         `json:"area"`
	Address         string           `json:"address,omitempty"`
	Location        *LocationJSON    `json:"location,omitempty"`
	Agency          *RefJSON         `json:"agency"`
	OwnerID         int64            `json:"owner_id,omitempty"`
	Contact         *ContactJSON     `json:"contact,omitempty"`
	ShareIdentity   bool             `json:"share_identity"`
	ReceivedAt      time.Time        `json:"received_at"`
	Deadline        time.Time        `json:"deadline"`
	SLA             sla.State        `json:"sla"`
	FirstResponseAt *time.Time       `json:"first_response_at,omitempty"`
	ResolvedAt      *time.Time       `json:"resolved_at,omitempty"`
	ClosedAt        *time.Time       `json:"closed_at,omitempty"`
	Answer          string           `json:"answer,omitempty"`
	MergedInto      string           `json:"merged_into,omitempty"`
	Rating          *int             `json:"rating,omitempty"`
	RatingComment   string           `json:"rating_comment,omitempty"`
	PublishedAt     *time.Time       `json:"published_at,omitempty"`
	WaitingSince    *time.Time       `json:"waiting_since,omitempty"` // waiting for the citizen's answer since
	AllowedActions  []ticket.Action  `json:"allowed_actions"`
	Timeline        []MessageJSON    `json:"timeline,omitempty"`
	Assignments     []AssignmentJSON `json:"assignments,omitempty"`
}

// RefJSON names a category, area or agency.
type RefJSON struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// LocationJSON is a WGS84 point.
type LocationJSON struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// ContactJSON is the reporter as the caller may see them.
type ContactJSON struct {
	Name      string `json:"name,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Email     string `json:"email,omitempty"`
	Address   string `json:"address,omitempty"`
	Masked    bool   `json:"masked"`
	CanReveal bool   `json:"can_reveal,omitempty"`
}

// MessageJSON is a timeline entry.
type MessageJSON struct {
	ID       int64          `json:"id"`
	Kind     string         `json:"kind"`
	Event    string         `json:"event,omitempty"`
	Channel  string         `json:"channel,omitempty"`
	Author   string         `json:"author,omitempty"`
	Body     string         `json:"body,omitempty"`
	Data     map[string]any `json:"data,omitempty"`
	Delivery string         `json:"delivery,omitempty"`
	// DeliveryError says why a delivery failed: window_closed, blocked…
	DeliveryError string    `json:"delivery_error,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

// AssignmentJSON is one forwarding to an agency.
type AssignmentJSON struct {
	ID           int64      `json:"id"`
	Agency       RefJSON    `json:"agency"`
	State        string     `json:"state"`
	Note         string     `json:"note,omitempty"`
	ForwardedAt  time.Time  `json:"forwarded_at"`
	Deadline     time.Time  `json:"deadline"`
	AcceptedAt   *time.Time `json:"accepted_at,omitempty"`
	ReturnedAt   *time.Time `json:"returned_at,omitempty"`
	ReturnReason string     `json:"return_reason,omitempty"`
	AnsweredAt   *time.Time `json:"answered_at,omitempty"`
	Extension    *ExtJSON   `json:"extension,omitempty"`
}

// ExtJSON is an extension request on an assignment.
type ExtJSON struct {
	State  string    `json:"state"`
	Until  time.Time `json:"until"`
	Reason string    `json:"reason"`
}

func ptime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// ticketJSON renders a ticket for act. For those who may not see the
// reporter's identity (agencies, viewers), text the citizen wrote has their
// name, phone numbers and email addresses removed, as on the console.
func (a *API) ticketJSON(r *http.Request, act user.Actor, t ticket.Ticket) TicketJSON {
	return a.scrubbedJSON(r, act, t, a.Tickets.Scrubber(r.Context(), act, t))
}

// scrubbedJSON renders a ticket with the scrubber act needs for it, which
// a list reads for all its tickets at once.
func (a *API) scrubbedJSON(r *http.Request, act user.Actor, t ticket.Ticket, scrub func(string) string) TicketJSON {
	l := string(lang(r))
	out := TicketJSON{
		ID: t.ID, Code: t.Code, State: t.State, Kind: t.Kind, Priority: t.Priority, Channel: t.Channel,
		Title: scrub(t.Title), Content: scrub(t.Content), Address: t.Address, ShareIdentity: t.ShareIdentity,
		ReceivedAt: t.ReceivedAt.UTC(), Deadline: t.Deadline.UTC(), SLA: t.SLA(a.Now()),
		FirstResponseAt: ptime(t.FirstResponseAt), ResolvedAt: ptime(t.ResolvedAt), ClosedAt: ptime(t.ClosedAt),
		Answer: t.Answer, MergedInto: t.MergedIntoCode, RatingComment: t.RatingComment, PublishedAt: ptime(t.PublishedAt),
		AllowedActions: ticket.Allowed(act, t), OwnerID: t.OwnerID, WaitingSince: ptime(t.WaitingSince),
	}
	if t.CategoryID != 0 {
		name := t.CategoryName
		if l == "en" && t.CategoryNameEN != "" {
			name = t.CategoryNameEN
		}
		out.Category = &RefJSON{Code: t.CategoryCode, Name: name}
	}
	if t.AreaCode != "" {
		out.Area = &RefJSON{Code: t.AreaCode, Name: t.AreaName}
	}
	if t.AgencyID != 0 {
		out.Agency = &RefJSON{Code: t.AgencyCode, Name: t.AgencyName}
	}
	if t.Lat != nil {
		out.Location = &LocationJSON{Lat: *t.Lat, Lng: *t.Lng}
	}
	if t.Rating > 0 {
		out.Rating = &t.Rating
	}
	if out.AllowedActions == nil {
		out.AllowedActions = []ticket.Action{}
	}
	return out
}

// NewTicketJSON is the body of POST /api/v1/tickets.
type NewTicketJSON struct {
	Channel  string        `json:"channel"`
	Content  string        `json:"content"`
	Title    string        `json:"title"`
	Kind     string        `json:"kind"`
	Category string        `json:"category"`
	Area     string        `json:"area"`
	Address  string        `json:"address"`
	Location *LocationJSON `json:"location"`
	Priority string        `json:"priority"`
	Contact  *struct {
		Name    string `json:"name"`
		Phone   string `json:"phone"`
		Email   string `json:"email"`
		Address string `json:"address"`
	} `json:"contact"`
	ShareIdentity bool      `json:"share_identity"`
	ProviderID    string    `json:"provider_id"`
	ReceivedAt    time.Time `json:"received_at"`
	// The desk's handling, in the same transaction: all or nothing.
	Classify bool `json:"classify"`
	Forward  *struct {
		Agency string `json:"agency"`
		Note   string `json:"note"`
	} `json:"forward"`
	Reply string `json:"reply"`
}

func (a *API) createTicket(w http.ResponseWriter, r *http.Request) error {
	var in NewTicketJSON
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	n := ticket.NewTicket{Channel: ticket.Channel(in.Channel), Content: in.Content, Title: in.Title, Kind: in.Kind,
		Category: in.Category, Area: in.Area, Address: in.Address, Priority: in.Priority,
		ShareIdentity: in.ShareIdentity, ProviderID: in.ProviderID, ReceivedAt: in.ReceivedAt,
		Classify: in.Classify, Reply: in.Reply}
	if in.Forward != nil {
		n.Forward = &ticket.ForwardTo{Agency: in.Forward.Agency, Note: in.Forward.Note}
	}
	if n.ProviderID == "" {
		// Idempotency-Key lets any HTTP client retry safely.
		n.ProviderID = r.Header.Get("Idempotency-Key")
	}
	if in.Location != nil {
		n.Lat, n.Lng = &in.Location.Lat, &in.Location.Lng
	}
	if in.Contact != nil {
		n.Contact = contact.Input{Name: in.Contact.Name, Phone: in.Contact.Phone, Email: in.Contact.Email, Address: in.Contact.Address}
	}
	act := actor(r)
	c, err := a.Tickets.Create(r.Context(), act, n)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if c.Duplicate {
		status = http.StatusOK
	}
	w.Header().Set("Location", "/api/v1/tickets/"+strconv.FormatInt(c.Ticket.ID, 10))
	httpx.WriteJSON(w, status, a.ticketJSON(r, act, c.Ticket))
	return nil
}

// ticketByParam loads the ticket named in the path by id or tracking code.
func (a *API) ticketByParam(r *http.Request) (ticket.Ticket, error) {
	p := r.PathValue("id")
	act := actor(r)
	if id, err := strconv.ParseInt(p, 10, 64); err == nil {
		return a.Tickets.Get(r.Context(), act, id)
	}
	return a.Tickets.GetByCode(r.Context(), act, p)
}

func (a *API) getTicket(w http.ResponseWriter, r *http.Request) error {
	t, err := a.ticketByParam(r)
	if err != nil {
		return err
	}
	act := actor(r)
	d, err := a.Tickets.Detail(r.Context(), act, t.ID)
	if err != nil {
		return err
	}
	scrub := a.Tickets.Scrubber(r.Context(), act, d.Ticket)
	out := a.scrubbedJSON(r, act, d.Ticket, scrub)
	rep, err := a.Tickets.Reporter(r.Context(), act, d.Ticket)
	if err != nil {
		return err
	}
	if rep.Contact.ID != 0 {
		c := rep.Contact
		out.Contact = &ContactJSON{Name: c.Name, Phone: c.Phone, Email: c.Email, Address: c.Address, Masked: rep.Masked, CanReveal: rep.CanReveal}
	}
	out.Timeline = make([]MessageJSON, 0, len(d.Timeline))
	for _, m := range d.Timeline {
		out.Timeline = append(out.Timeline, MessageJSON{ID: m.ID, Kind: m.Kind, Event: m.Event, Channel: string(m.Channel),
			Author: m.AuthorName, Body: scrub(m.Body), Data: m.Data, Delivery: m.Delivery, DeliveryError: m.DeliveryError, CreatedAt: m.CreatedAt.UTC()})
	}
	for _, as := range d.Assignments {
		aj := AssignmentJSON{ID: as.ID, Agency: RefJSON{Code: as.AgencyCode, Name: as.AgencyName}, State: as.State, Note: as.Note,
			ForwardedAt: as.ForwardedAt.UTC(), Deadline: as.Deadline.UTC(), AcceptedAt: ptime(as.AcceptedAt),
			ReturnedAt: ptime(as.ReturnedAt), ReturnReason: as.ReturnReason, AnsweredAt: ptime(as.AnsweredAt)}
		if as.ExtState != "" {
			aj.Extension = &ExtJSON{State: as.ExtState, Until: as.ExtUntil.UTC(), Reason: as.ExtReason}
		}
		out.Assignments = append(out.Assignments, aj)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func boolParam(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errs.Invalidf("field.invalid").InField(name)
	}
	return b, nil
}

// ticketFilter reads the ticket list's filters from the query string:
// the list and the exports take the same ones.
func ticketFilter(r *http.Request, act user.Actor) (ticket.Filter, error) {
	q := r.URL.Query()
	f := ticket.Filter{Category: q.Get("category"), Agency: q.Get("agency"), Area: q.Get("area"), SLA: sla.State(q.Get("sla")),
		Q: q.Get("q"), Sort: q.Get("sort"), Cursor: q.Get("cursor")}
	for _, s := range splitList(q.Get("state")) {
		f.States = append(f.States, ticket.State(s))
	}
	for _, c := range splitList(q.Get("channel")) {
		f.Channels = append(f.Channels, ticket.Channel(c))
	}
	var err error
	if f.Overdue, err = boolParam(r, "overdue"); err != nil {
		return f, err
	}
	mine, err := boolParam(r, "mine")
	if err != nil {
		return f, err
	}
	if mine {
		f.OwnerID = act.UserID
	}
	if f.From, err = dayParam(r, "from", 0); err != nil {
		return f, err
	}
	if f.To, err = dayParam(r, "to", 1); err != nil {
		return f, err
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > ticket.MaxLimit {
			return f, errs.Invalidf("field.invalid").InField("limit")
		}
	}
	return f, nil
}

// FilterQuery is the query string that the list and the exports read
// back as f, without its cursor and limit: how the console links what it
// lists to its export. What the API has no parameter for (another user's
// tickets, a reporter's) is left out.
func FilterQuery(f ticket.Filter, act user.Actor) url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	states := make([]string, len(f.States))
	for i, s := range f.States {
		states[i] = string(s)
	}
	channels := make([]string, len(f.Channels))
	for i, c := range f.Channels {
		channels[i] = string(c)
	}
	set("state", strings.Join(states, ","))
	set("channel", strings.Join(channels, ","))
	set("category", f.Category)
	set("agency", f.Agency)
	set("area", f.Area)
	set("sla", string(f.SLA))
	set("q", f.Q)
	set("sort", f.Sort)
	if f.Overdue {
		q.Set("overdue", "true")
	}
	if f.OwnerID != 0 && f.OwnerID == act.UserID {
		q.Set("mine", "true")
	}
	if !f.From.IsZero() {
		q.Set("from", clock.Day(f.From))
	}
	if !f.To.IsZero() {
		q.Set("to", clock.Day(f.To.Add(-time.Nanosecond)))
	}
	return q
}

// dayParam reads a local date, YYYY-MM-DD in Asia/Ho_Chi_Minh, as the
// instant its day starts, plus days: "to" is inclusive, so its bound is
// the next day's start.
func dayParam(r *http.Request, name string, days int) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, v, clock.Zone)
	if err != nil {
		return time.Time{}, errs.Invalidf("field.date_invalid").InField(name)
	}
	return d.AddDate(0, 0, days), nil
}

func (a *API) listTickets(w http.ResponseWriter, r *http.Request) error {
	act := actor(r)
	f, err := ticketFilter(r, act)
	if err != nil {
		return err
	}
	page, err := a.Tickets.List(r.Context(), act, f)
	if err != nil {
		return err
	}
	out := struct {
		Tickets    []TicketJSON `json:"tickets"`
		NextCursor string       `json:"next_cursor,omitempty"`
	}{Tickets: make([]TicketJSON, 0, len(page.Tickets)), NextCursor: page.Next}
	scrubberOf := a.Tickets.Scrubbers(r.Context(), act, page.Tickets)
	for _, t := range page.Tickets {
		out.Tickets = append(out.Tickets, a.scrubbedJSON(r, act, t, scrubberOf(t)))
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// ActionJSON is the body of POST /api/v1/tickets/{id}/{action}; each action
// reads the fields it needs.
type ActionJSON struct {
	Kind          string     `json:"kind"`
	Category      string     `json:"category"`
	Area          string     `json:"area"`
	Priority      string     `json:"priority"`
	Title         string     `json:"title"`
	Address       string     `json:"address"`
	Agency        string     `json:"agency"`
	Note          string     `json:"note"`
	Reason        string     `json:"reason"`
	Until         *time.Time `json:"until"`
	Text          string     `json:"text"`
	Into          string     `json:"into"`
	Rating        int        `json:"rating"`
	Comment       string     `json:"comment"`
	PublicTitle   string     `json:"public_title"`
	PublicContent string     `json:"public_content"`
	PublicAnswer  string     `json:"public_answer"`
	OwnerID       int64      `json:"owner_id"`
}

func (a *API) act(w http.ResponseWriter, r *http.Request) error {
	action, err := ticket.ParseAction(r.PathValue("action"))
	if err != nil {
		return err
	}
	// The ticket first: a ticket the caller may not see is 404 whatever
	// the body says.
	t, err := a.ticketByParam(r)
	if err != nil {
		return err
	}
	var in ActionJSON
	if r.ContentLength != 0 {
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	inp := ticket.Input{Kind: in.Kind, Category: in.Category, Area: in.Area, Priority: in.Priority, Title: in.Title, Address: in.Address,
		Agency: in.Agency, Note: in.Note, Reason: in.Reason, Text: in.Text, Into: in.Into, Rating: in.Rating, Comment: in.Comment,
		PublicTitle: in.PublicTitle, PublicContent: in.PublicContent, PublicAnswer: in.PublicAnswer, Owner: in.OwnerID}
	if in.Until != nil {
		inp.Until = *in.Until
	}
	act := actor(r)
	t, err = a.Tickets.Do(r.Context(), act, t.ID, action, inp)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, a.ticketJSON(r, act, t))
	return nil
}

func (a *API) reveal(w http.ResponseWriter, r *http.Request) error {
	t, err := a.ticketByParam(r)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := a.Tickets.Reveal(r.Context(), actor(r), t.ID, in.Reason)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, ContactJSON{Name: c.Name, Phone: c.Phone, Email: c.Email, Address: c.Address})
	return nil
}

// linkContact merges the ticket's chat user into the known contact whose
// phone number the user gave.
func (a *API) linkContact(w http.ResponseWriter, r *http.Request) error {
	t, err := a.ticketByParam(r)
	if err != nil {
		return err
	}
	var in struct {
		Phone string `json:"phone"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	act := actor(r)
	t, err = a.Tickets.LinkContact(r.Context(), act, t.ID, in.Phone)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, a.ticketJSON(r, act, t))
	return nil
}
