package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/routing"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// Change tells listeners (the live inbox) that a ticket changed. It
// carries no personal data.
type Change struct {
	TicketID int64
	Code     string
	Action   string
	State    State
	AgencyID int64
	// EscalateTo is, on "sla.overdue" and "sla.escalated", the role the
	// ticket's SLA policy escalates to: who must act on it now.
	EscalateTo user.Role
	// fallbackFrom is the policy's target when EscalateTo replaced it (an
	// agency without a lead): the sweeper notes it on the timeline.
	fallbackFrom user.Role
}

// Service runs the ticket life.
type Service struct {
	db       *db.DB
	contacts *contact.Store
	sla      *sla.Store
	routes   *routing.Store
	clk      clock.Clock
	log      *slog.Logger
	refs     refCache

	// Notify, when set, is called after each committed change.
	Notify func(Change)
	// Outbox, when set, takes every outbound message into the durable
	// queue, in the transaction that writes it.
	Outbox Outbox
	// Rollup, when set, keeps the leaders' figures (internal/report): it
	// is told of every ticket written, in the transaction that writes it.
	Rollup Rollup
	// Events, when set, takes every timeline event in the transaction
	// that writes it (staff notifications, outgoing webhooks).
	Events EventSink
}

// Rollup keeps sums over tickets up to date in the writer's transaction.
type Rollup interface {
	Track(ctx context.Context, tx *sql.Tx, ticketID int64) error
}

// track tells the rollup, if any, that ticket id was written in tx.
func (s *Service) track(ctx context.Context, tx *sql.Tx, id int64) error {
	if s.Rollup == nil {
		return nil
	}
	return s.Rollup.Track(ctx, tx, id)
}

// NewService wires a Service.
func NewService(d *db.DB, contacts *contact.Store, slas *sla.Store, routes *routing.Store, c clock.Clock, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d, contacts: contacts, sla: slas, routes: routes, clk: c, log: log}
}

// clock is the current instant as stored: UTC, to the microsecond both
// engines keep.
func (s *Service) clock() time.Time { return s.clk.Now().UTC().Truncate(time.Microsecond) }

// NewTicket is a report as it arrives, from any channel.
type NewTicket struct {
	Channel       Channel
	Content       string
	Title         string
	Kind          string
	Category      string // code
	Area          string // ward code
	Address       string // where the problem is, not who reported it
	Lat, Lng      *float64
	Priority      string
	Contact       contact.Input
	ShareIdentity bool
	// ProviderID is the channel's message id. The same id on the same
	// channel creates one ticket, however often the platform retries.
	ProviderID string
	// Fingerprint is a digest of the request that carried ProviderID (the
	// portal's and the app's idempotency key): the same ProviderID with
	// another Fingerprint is refused as a Conflict instead of answered with
	// the first ticket. Empty: not compared.
	Fingerprint string
	ReceivedAt  time.Time // when the channel received it; zero means now
	// Files are attachments already in the blob store (the portal's and
	// the app's uploads), recorded on the report's first timeline entry.
	Files []NewAttachment

	// The desk's handling of the report, done by Create in the intake's
	// own transaction (the call-taker, POST /api/v1/tickets): Classify
	// makes Category, Area, Kind and Priority the desk's classification,
	// and then the ticket is forwarded to an agency or answered directly.
	// If any step is refused, nothing of the report is written.
	Classify bool
	Forward  *ForwardTo // nil: not forwarded
	Reply    string     // the direct answer to the citizen; excludes Forward
	// Close closes the ticket after Reply in the same transaction: the
	// question was answered on the call and nothing is left to do.
	Close bool
	// Confirm, when set and the contact gave an e-mail address, queues
	// the report's confirmation to that address in the same transaction:
	// an outbound e-mail on the timeline, sent by the outbox from
	// Confirm.AccountID. A duplicate (the same ProviderID again) is not
	// confirmed twice.
	Confirm *Confirmation

	// Set by Inbound, which has already, in the same transaction, looked
	// for ProviderID and resolved the contact (contactID); accountID is
	// the channel account the ticket arrived on.
	resolved  bool
	contactID int64
	accountID int64
}

// ForwardTo is where Create forwards a new ticket.
type ForwardTo struct {
	Agency string // code; empty takes the routing rule's agency
	Note   string // for the agency
}

// Created is the outcome of Create.
type Created struct {
	Ticket Ticket
	// Duplicate is true when ProviderID was seen before: Ticket is the one
	// created then, and nothing was written now.
	Duplicate bool
	// RoutedElsewhere is true when a routing rule forwarded the ticket by
	// itself to another agency than Forward named and the actor may not
	// reassign it: it stays with the rule's agency.
	RoutedElsewhere bool
}

func (n *NewTicket) normalize(now time.Time) error {
	n.Content = vntext.Clean(n.Content)
	n.Title = vntext.Line(n.Title)
	n.Address = vntext.Line(n.Address)
	n.ProviderID = strings.TrimSpace(n.ProviderID)
	switch {
	case !validChannel(n.Channel):
		return errs.Invalidf("ticket.channel_unknown", "channel", string(n.Channel)).InField("channel")
	case n.Content == "":
		return errs.Invalidf("ticket.content_required").InField("content")
	case vntext.Len(n.Content) > MaxContent:
		return errs.E(errs.Invalid, "field.too_long", "max", strconv.Itoa(MaxContent)).InField("content")
	case vntext.Len(n.Title) > MaxTitle:
		return errs.E(errs.Invalid, "field.too_long", "max", strconv.Itoa(MaxTitle)).InField("title")
	case vntext.Len(n.Address) > MaxAddress:
		return errs.E(errs.Invalid, "field.too_long", "max", strconv.Itoa(MaxAddress)).InField("address")
	case len(n.ProviderID) > 200:
		return errs.E(errs.Invalid, "field.too_long", "max", "200").InField("provider_id")
	case len(n.Files) > MaxAttachments:
		return errs.Invalidf("public.too_many_files", "max", strconv.Itoa(MaxAttachments)).InField("files")
	case n.Forward != nil && n.Reply != "":
		return errs.Invalidf("ticket.forward_or_reply").InField("reply")
	case n.Close && n.Reply == "":
		return errs.Invalidf("ticket.close_needs_reply").InField("reply")
	}
	if (n.Lat == nil) != (n.Lng == nil) {
		return errs.Invalidf("ticket.location_invalid").InField("location")
	}
	if n.Lat != nil && (math.IsNaN(*n.Lat) || math.IsNaN(*n.Lng) || *n.Lat < -90 || *n.Lat > 90 || *n.Lng < -180 || *n.Lng > 180) {
		return errs.Invalidf("ticket.location_invalid").InField("location")
	}
	if n.Priority == "" {
		n.Priority = "normal"
	}
	if !sla.ValidPriority(n.Priority) {
		return errs.Invalidf("ticket.priority_unknown").InField("priority")
	}
	if n.Kind != "" {
		k, err := category.ParseKind(n.Kind)
		if err != nil {
			return errs.As(err).InField("kind")
		}
		n.Kind = string(k)
	}
	if n.ReceivedAt.IsZero() || n.ReceivedAt.After(now) {
		// A channel's clock may run ahead of ours; never accept a future receipt.
		n.ReceivedAt = now
	}
	n.ReceivedAt = n.ReceivedAt.UTC().Truncate(time.Microsecond)
	if n.Title == "" {
		n.Title = defaultTitle(n.Content)
	}
	var err error
	n.Contact, err = contact.Normalize(n.Contact)
	return err
}

// defaultTitle is the first line of the content, cut at a word near 80
// characters.
func defaultTitle(content string) string {
	line, _, _ := strings.Cut(content, "\n")
	line = vntext.Line(line)
	r := []rune(line)
	if len(r) <= 80 {
		return line
	}
	cut := string(r[:80])
	if i := strings.LastIndexByte(cut, ' '); i > 40 {
		cut = cut[:i]
	}
	return cut + "…"
}

// Create records a new report: the contact, the ticket with its deadline,
// the first timeline message and the audit event, and the desk's handling
// of it (classification, forward or direct answer, each checked and
// audited like the action itself), all in one transaction: a step refused
// at the end leaves no ticket, no contact and no audit event behind. Left
// without the desk's handling, it is forwarded at once when a routing rule
// says so.
func (s *Service) Create(ctx context.Context, actor user.Actor, n NewTicket) (Created, error) {
	now := s.clock()
	if err := n.normalize(now); err != nil {
		return Created{}, err
	}
	if err := Permit(actor, Create); err != nil {
		return Created{}, err
	}
	var out Created
	var id int64
	var h handled // what was done after the receipt
	var after *afterList
	// A unique violation aborts a PostgreSQL transaction, so conflicts are
	// retried whole. Tracking-code collisions are one in 10^8 at ten
	// million tickets.
	for attempt := 0; ; attempt++ {
		var tctx context.Context
		tctx, after = withAfter(ctx)
		err := s.db.Tx(tctx, func(tx *sql.Tx) error {
			var err error
			var m made
			m, out.Duplicate, h, err = s.create(tctx, tx, actor, n, now)
			id = m.id
			if err != nil || out.Duplicate {
				return err
			}
			return s.confirm(tctx, tx, n, m, now)
		})
		if err != nil && db.IsUnique(err) && attempt < 3 {
			// A tracking-code collision, or a concurrent delivery of the
			// same provider message: the retry finds that one as a duplicate.
			continue
		}
		if err != nil {
			return Created{}, err
		}
		break
	}
	after.run()
	t, err := s.get(ctx, id)
	if err != nil {
		return Created{}, err
	}
	out.Ticket = t
	if !out.Duplicate {
		out.RoutedElsewhere = h.ruleKept
		s.log.Info("ticket received", "ticket_id", t.ID, "channel", t.Channel, "auto_forwarded", h.auto)
		s.changed(t, "receive")
		for _, a := range h.actions {
			s.log.Info("ticket "+string(a), "ticket_id", t.ID, "state", t.State, "actor_role", actor.Label())
			s.changed(t, string(a))
		}
	}
	return out, nil
}

// Confirmation is a new report's confirmation by e-mail.
type Confirmation struct {
	AccountID int64                    // the email account that sends it
	Text      func(code string) string // the mail's text, with the tracking code
}

// confirm queues m's confirmation, when n asks for one and has an address.
func (s *Service) confirm(ctx context.Context, tx *sql.Tx, n NewTicket, m made, now time.Time) error {
	if n.Confirm == nil || n.Confirm.AccountID == 0 || n.Contact.Email == "" {
		return nil
	}
	msg, err := addMessage(ctx, tx, Message{TicketID: m.id, Kind: MsgOutbound, Channel: Email, Event: "acknowledge",
		Body: n.Confirm.Text(m.code), Delivery: DeliveryQueued, CreatedAt: now})
	if err != nil {
		return db.Fail(err)
	}
	return s.enqueue(ctx, tx, msg, n.Confirm.AccountID)
}

// made is what create wrote: the ticket, its tracking code and its first
// timeline entry. A duplicate has only the ticket's id.
type made struct {
	id, messageID int64
	code          string
}

func (s *Service) create(ctx context.Context, tx *sql.Tx, actor user.Actor, n NewTicket, now time.Time) (m made, dup bool, h handled, err error) {
	if err := Permit(actor, Create); err != nil {
		return made{}, false, h, err
	}
	if n.ProviderID != "" && !n.resolved {
		var data string
		err := tx.QueryRowContext(ctx, `SELECT ticket_id, data FROM messages WHERE channel = $1 AND provider_id = $2`, string(n.Channel), n.ProviderID).Scan(&m.id, &data)
		if err == nil {
			if n.Fingerprint != "" && !sameFingerprint(data, n.Fingerprint) {
				return made{}, false, h, errs.Conflictf("public.key_reused").InField("idempotency_key")
			}
			return m, true, h, nil
		}
		if err != sql.ErrNoRows {
			return made{}, false, h, db.Fail(err)
		}
	}
	t := Ticket{Code: newCode(), State: Received, Kind: n.Kind, Priority: n.Priority, Channel: n.Channel,
		Address: n.Address, Lat: n.Lat, Lng: n.Lng, Title: n.Title, Content: n.Content,
		ShareIdentity: n.ShareIdentity, ReceivedAt: n.ReceivedAt, CreatedBy: actor.UserID}
	if n.Category != "" {
		var kind string
		if t.CategoryID, kind, err = s.categoryID(ctx, tx, n.Category, "category"); err != nil {
			return made{}, false, h, err
		}
		if t.Kind == "" {
			t.Kind = kind
		}
	}
	if t.Kind == "" {
		t.Kind = string(category.KindReport)
	}
	if n.Area != "" {
		if t.AreaCode, err = s.wardCode(ctx, tx, n.Area, "area"); err != nil {
			return made{}, false, h, err
		}
	}
	if n.resolved {
		t.ContactID = n.contactID
	} else if t.ContactID, err = s.contacts.Resolve(ctx, tx, n.Contact); err != nil {
		return made{}, false, h, err
	}
	if err := s.applySLA(ctx, tx, &t, t.ReceivedAt); err != nil {
		return made{}, false, h, err
	}
	args := []any{t.Code, t.State, t.Kind, t.Priority, t.Channel, nullID(t.CategoryID), nullStr(t.AreaCode), t.Address, n.Lat, n.Lng,
		t.Title, t.Content, nullID(t.ContactID), t.ShareIdentity, nullID(t.SLAPolicyID), t.ReceivedAt, t.Deadline, t.WarnAt,
		nullID(t.CreatedBy), now, nullID(n.accountID), nullTime(t.EscalateAt)}
	insert := insertTicketSQL
	if s.db.Dialect == db.Postgres {
		// PostgreSQL keeps the search vector in the row: write it with the
		// row rather than updating the row again.
		insert, args = insertTicketSearchSQL, append(args, searchText(t))
	}
	if err = tx.QueryRowContext(ctx, insert, args...).Scan(&t.ID); err != nil {
		return made{}, false, h, err // a code collision is retried by Create
	}
	if s.db.Dialect != db.Postgres {
		if err := s.index(ctx, tx, t, false); err != nil {
			return made{}, false, h, err
		}
	}
	kind := MsgInbound
	if t.Channel == Phone {
		kind = MsgCall
	}
	first := Message{TicketID: t.ID, Kind: kind, Channel: t.Channel, AuthorID: actor.UserID,
		Body: t.Content, ProviderID: n.ProviderID, CreatedAt: t.ReceivedAt}
	if n.Fingerprint != "" {
		first.Data = map[string]any{"fingerprint": n.Fingerprint}
	}
	msg, err := addMessage(ctx, tx, first)
	if err != nil {
		if db.IsUnique(err) {
			// A concurrent delivery of the same provider message won.
			return made{}, false, h, errs.Conflictf("ticket.duplicate_delivery").Wrap(err)
		}
		return made{}, false, h, db.Fail(err)
	}
	if err := s.attachFiles(ctx, tx, actor, t.ID, msg, n.Files, now); err != nil {
		return made{}, false, h, err
	}
	if err := audit.Append(ctx, tx, audit.Event{At: now, ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
		Action: "ticket.receive", TicketID: t.ID, Detail: map[string]any{"channel": string(t.Channel)}}); err != nil {
		return made{}, false, h, err
	}
	if h, err = s.handle(ctx, tx, actor, &t, n, now); err != nil {
		return made{}, false, h, err
	}
	return made{id: t.ID, messageID: msg, code: t.Code}, false, h, s.track(ctx, tx, t.ID)
}

// The province is kept beside the ward so province-wide lists have an
// index of their own.
const insertTicketColumns = `code, state, kind, priority, channel, category_id, area_code, address, lat, lng,
	title, content, contact_id, share_identity, sla_policy_id, received_at, deadline, warn_at, created_by, updated_at,
	channel_account_id, province_code, escalate_at`

const insertTicketValues = `$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
	(SELECT parent_code FROM areas WHERE code = $7), $22`

var (
	insertTicketSQL       = `INSERT INTO tickets (` + insertTicketColumns + `) VALUES (` + insertTicketValues + `) RETURNING id`
	insertTicketSearchSQL = `INSERT INTO tickets (` + insertTicketColumns + `, search) VALUES (` + insertTicketValues + `, to_tsvector('simple', $23)) RETURNING id`
)

// applySLA sets the policy and deadlines of t counted from start, without
// the pauses since then.
func (s *Service) applySLA(ctx context.Context, tx *sql.Tx, t *Ticket, start time.Time) error {
	p, err := s.sla.Match(ctx, t.CategoryID, t.Priority)
	if err != nil {
		return err
	}
	due, err := s.ownDue(ctx, tx, *t, p, t.AgencyID, start, start)
	if err != nil {
		return err
	}
	t.SLAPolicyID = p.ID
	t.setDue(due)
	return nil
}

// Get returns a ticket if actor may see it; NotFound otherwise, exactly as
// if it did not exist.
func (s *Service) Get(ctx context.Context, actor user.Actor, id int64) (Ticket, error) {
	t, err := s.get(ctx, id)
	if err != nil {
		return Ticket{}, err
	}
	if !Visible(actor, t) {
		return Ticket{}, errs.NotFoundf("ticket.not_found")
	}
	return t, nil
}

// GetByCode is Get by tracking code.
func (s *Service) GetByCode(ctx context.Context, actor user.Actor, code string) (Ticket, error) {
	c := NormalizeCode(code)
	if c == "" {
		return Ticket{}, errs.NotFoundf("ticket.not_found")
	}
	t, err := scanTicket(s.db.R().QueryRowContext(ctx, selectTicket+` WHERE t.code = $1`, c))
	if err != nil {
		return Ticket{}, db.NotFound(err, "ticket.not_found")
	}
	if !Visible(actor, t) {
		return Ticket{}, errs.NotFoundf("ticket.not_found")
	}
	return t, nil
}

func (s *Service) get(ctx context.Context, id int64) (Ticket, error) {
	t, err := scanTicket(s.db.R().QueryRowContext(ctx, selectTicket+` WHERE t.id = $1`, id))
	return t, db.NotFound(err, "ticket.not_found")
}

// Detail is a ticket with its timeline and forwarding history.
type Detail struct {
	Ticket      Ticket
	Timeline    []Message
	Assignments []Assignment
}

// Detail returns everything a workspace shows about a ticket.
func (s *Service) Detail(ctx context.Context, actor user.Actor, id int64) (Detail, error) {
	t, err := s.Get(ctx, actor, id)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Ticket: t}
	if d.Timeline, err = s.timeline(ctx, id); err != nil {
		return Detail{}, err
	}
	if d.Assignments, err = s.assignments(ctx, s.db.R(), id); err != nil {
		return Detail{}, err
	}
	return d, nil
}

func (s *Service) changed(t Ticket, action string) {
	if s.Notify != nil {
		s.Notify(Change{TicketID: t.ID, Code: t.Code, Action: action, State: t.State, AgencyID: t.AgencyID})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// sameFingerprint reports whether the first message's data (JSON) holds
// the fingerprint fp. A message stored without one (before fingerprints,
// or by a client that sent none) matches nothing, so the key cannot be
// reused for another report.
func sameFingerprint(data, fp string) bool {
	var d struct {
		Fingerprint string `json:"fingerprint"`
	}
	return json.Unmarshal([]byte(data), &d) == nil && d.Fingerprint == fp
}
