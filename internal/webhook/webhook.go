// Package webhook sends signed outgoing webhooks to integrations (the
// provincial IOC dashboard, an agency's own ticket system): admins register
// endpoints (a URL, a secret sealed with the personal-data key, the events
// it wants, optionally one agency's tickets only, active or paused); every
// matching ticket event becomes, in the event's own transaction, a delivery
// on the durable queue, POSTed as JSON with an HMAC-SHA256 signature and
// retried with backoff until the receiver answers 2xx or the queue gives
// up. Every attempt is kept for the admin's delivery log, and a delivery
// can be replayed.
//
// A body never carries personal data: the event's name, the ticket's id,
// tracking code, state and agency, and the time. That is all.
package webhook

import (
	"context"
	"crypto/rand"
	"database/sql"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/queue"
	"github.com/hotline-1022/hotline/internal/secret"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// Config tunes deliveries; zero values take the defaults.
type Config struct {
	// Timeout bounds one attempt, connection to last byte: a slow
	// receiver is an attempt that failed. Default 10 s.
	Timeout time.Duration
	// MaxAttempts before a delivery is marked failed. Default: the
	// queue's (12, about a day with its backoff).
	MaxAttempts int
}

// Service keeps endpoints, turns ticket events into deliveries and
// delivers them.
type Service struct {
	DB     *db.DB
	Box    *secret.Box // seals the endpoints' secrets; nil: none can be made
	Queue  *queue.Queue
	HTTP   *http.Client // nil: one with Config.Timeout that follows no redirect
	Now    func() time.Time
	Log    *slog.Logger
	Config Config
}

func (s *Service) clock() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) timeout() time.Duration {
	if s.Config.Timeout > 0 {
		return s.Config.Timeout
	}
	return 10 * time.Second
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// Events are the ticket events an endpoint may ask for: the timeline's
// event names (ticket.Event.Name), in the workflow's order.
var Events = []string{"classify", "take", "assign", "forward", "reassign", "accept", "return",
	"request-extension", "grant-extension", "deny-extension", "answer", "approve", "send-back", "reply",
	"close", "reopen", "refuse", "merge", "note", "rate", "publish", "unpublish", "callback",
	"sla.at_risk", "sla.overdue"}

// All is the events value of an endpoint that takes every event.
const All = "*"

// TestEvent is the event name of the admin's "send test" delivery.
const TestEvent = "webhook.test"

// Endpoint is a registered receiver, its secret left out.
type Endpoint struct {
	ID         int64
	Name       string
	URL        string
	Events     []string // sorted event names, or [All]
	AgencyID   int64    // 0: every agency's tickets
	AgencyCode string
	Active     bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Wants reports whether the endpoint takes the event.
func (e Endpoint) Wants(event string, agencyID int64) bool {
	if e.AgencyID != 0 && e.AgencyID != agencyID {
		return false
	}
	return slices.Contains(e.Events, All) || slices.Contains(e.Events, event)
}

// Input is what an admin sets on an endpoint.
type Input struct {
	Name   string
	URL    string
	Secret string // empty: generated on create, kept on update
	Events []string
	Agency string // an agency's code; empty: every agency
	Active bool
}

// MaxName bounds an endpoint's name, in characters; MaxURL its URL, in
// bytes.
const (
	MaxName   = 100
	MaxURL    = 2000
	MinSecret = 16
	MaxSecret = 200
)

const sealPurpose = "webhook.secret"

// CheckURL refuses what is not an absolute http or https URL with a host,
// or carries credentials (the signature is the authentication, and a
// password in the URL would show on the admin's list).
func CheckURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errs.Invalidf("field.required").InField("url")
	}
	if len(raw) > MaxURL {
		return "", errs.Invalidf("field.too_long", "max", strconv.Itoa(MaxURL)).InField("url")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return "", errs.Invalidf("webhook.url_invalid").InField("url")
	}
	if u.User != nil {
		return "", errs.Invalidf("webhook.url_credentials").InField("url")
	}
	u.Fragment = ""
	return u.String(), nil
}

// checkEvents validates and normalises the event list: sorted, unique, or
// just [All].
func checkEvents(in []string) (string, []string, error) {
	var out []string
	for _, e := range in {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if e == All {
			return All, []string{All}, nil
		}
		if !slices.Contains(Events, e) {
			return "", nil, errs.Invalidf("webhook.event_unknown", "event", e).InField("events")
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return "", nil, errs.Invalidf("webhook.events_required").InField("events")
	}
	slices.Sort(out)
	out = slices.Compact(out)
	return strings.Join(out, ","), out, nil
}

// checked is an Input made ready to store.
type checked struct {
	name, url, events string
	agencyID          any
	secret            []byte // sealed; nil: keep
}

func (s *Service) check(ctx context.Context, tx *sql.Tx, in Input, create bool) (checked, string, error) {
	var c checked
	c.name = vntext.Line(in.Name)
	if c.name == "" {
		return c, "", errs.Invalidf("field.required").InField("name")
	}
	if vntext.Len(c.name) > MaxName {
		return c, "", errs.Invalidf("field.too_long", "max", strconv.Itoa(MaxName)).InField("name")
	}
	var err error
	if c.url, err = CheckURL(in.URL); err != nil {
		return c, "", err
	}
	if c.events, _, err = checkEvents(in.Events); err != nil {
		return c, "", err
	}
	if code := strings.TrimSpace(in.Agency); code != "" {
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM agencies WHERE code = $1`, code).Scan(&id); err != nil {
			if err == sql.ErrNoRows {
				return c, "", errs.Invalidf("webhook.agency_unknown", "agency", code).InField("agency")
			}
			return c, "", db.Fail(err)
		}
		c.agencyID = id
	}
	plain := strings.TrimSpace(in.Secret)
	if plain == "" && create {
		plain = "whsec_" + rand.Text()
	}
	if plain != "" {
		if len(plain) < MinSecret || len(plain) > MaxSecret {
			return c, "", errs.Invalidf("webhook.secret_length", "min", strconv.Itoa(MinSecret), "max", strconv.Itoa(MaxSecret)).InField("secret")
		}
		if s.Box == nil {
			return c, "", errs.E(errs.Internal, "webhook.no_key")
		}
		c.secret = s.Box.Seal(sealPurpose, plain)
	}
	return c, plain, nil
}

func object(id int64) string { return "webhook:" + strconv.FormatInt(id, 10) }

// Create registers an endpoint and returns it with its secret, which is
// shown this once (given, or generated when in.Secret is empty).
func (s *Service) Create(ctx context.Context, actor user.Actor, in Input) (Endpoint, string, error) {
	now := s.clock()
	var id int64
	var plain string
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		c, p, err := s.check(ctx, tx, in, true)
		if err != nil {
			return err
		}
		plain = p
		if err := tx.QueryRowContext(ctx, `INSERT INTO webhook_endpoints (name, url, secret_enc, events, agency_id, active, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, c.name, c.url, c.secret, c.events, c.agencyID, in.Active, now).Scan(&id); err != nil {
			if db.IsUnique(err) {
				return errs.Conflictf("webhook.name_taken").InField("name")
			}
			return db.Fail(err)
		}
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
			Action: "webhook.create", Object: object(id),
			Detail: map[string]any{"name": c.name, "url": c.url, "events": c.events, "agency": in.Agency, "active": in.Active}})
	})
	if err != nil {
		return Endpoint{}, "", err
	}
	e, err := s.Get(ctx, id)
	return e, plain, err
}

// Update changes an endpoint; an empty in.Secret keeps the secret.
func (s *Service) Update(ctx context.Context, actor user.Actor, id int64, in Input) (Endpoint, error) {
	now := s.clock()
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		c, _, err := s.check(ctx, tx, in, false)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET name = $1, url = $2, secret_enc = COALESCE($3, secret_enc),
			events = $4, agency_id = $5, active = $6, updated_at = $7 WHERE id = $8`,
			c.name, c.url, c.secret, c.events, c.agencyID, in.Active, now, id)
		if err != nil {
			if db.IsUnique(err) {
				return errs.Conflictf("webhook.name_taken").InField("name")
			}
			return db.Fail(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.NotFoundf("webhook.not_found")
		}
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
			Action: "webhook.update", Object: object(id),
			Detail: map[string]any{"name": c.name, "url": c.url, "events": c.events, "agency": in.Agency, "active": in.Active,
				"secret_changed": c.secret != nil}})
	})
	if err != nil {
		return Endpoint{}, err
	}
	return s.Get(ctx, id)
}

// SetActive pauses or resumes an endpoint. A paused endpoint takes no
// new events, and its queued deliveries wait until it is resumed.
func (s *Service) SetActive(ctx context.Context, actor user.Actor, id int64, active bool) error {
	now := s.clock()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET active = $1, updated_at = $2 WHERE id = $3`, active, now, id)
		if err != nil {
			return db.Fail(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.NotFoundf("webhook.not_found")
		}
		action := "webhook.pause"
		if active {
			action = "webhook.resume"
		}
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
			Action: action, Object: object(id)})
	})
}

// Delete removes an endpoint with its delivery log; its queued
// deliveries are dropped.
func (s *Service) Delete(ctx context.Context, actor user.Actor, id int64) error {
	now := s.clock()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM webhook_endpoints WHERE id = $1`, id).Scan(&name); err != nil {
			return db.NotFound(err, "webhook.not_found")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id = $1)`, id); err != nil {
			return db.Fail(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE endpoint_id = $1`, id); err != nil {
			return db.Fail(err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE id = $1`, id); err != nil {
			return db.Fail(err)
		}
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
			Action: "webhook.delete", Object: object(id), Detail: map[string]any{"name": name}})
	})
}

const selectEndpoint = `SELECT e.id, e.name, e.url, e.events, COALESCE(e.agency_id, 0), COALESCE(a.code, ''), e.active, e.created_at, e.updated_at
	FROM webhook_endpoints e LEFT JOIN agencies a ON a.id = e.agency_id`

type scanner interface{ Scan(...any) error }

func scanEndpoint(row scanner) (Endpoint, error) {
	var e Endpoint
	var events string
	if err := row.Scan(&e.ID, &e.Name, &e.URL, &events, &e.AgencyID, &e.AgencyCode, &e.Active, &e.CreatedAt, &e.UpdatedAt); err != nil {
		return Endpoint{}, err
	}
	e.Events = strings.Split(events, ",")
	return e, nil
}

// Get returns an endpoint, or a not-found error.
func (s *Service) Get(ctx context.Context, id int64) (Endpoint, error) {
	e, err := scanEndpoint(s.DB.R().QueryRowContext(ctx, selectEndpoint+` WHERE e.id = $1`, id))
	return e, db.NotFound(err, "webhook.not_found")
}

// List returns every endpoint by name.
func (s *Service) List(ctx context.Context) ([]Endpoint, error) {
	rows, err := s.DB.R().QueryContext(ctx, selectEndpoint+` ORDER BY e.name, e.id`)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []Endpoint
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, db.Fail(err)
		}
		out = append(out, e)
	}
	return out, db.Fail(rows.Err())
}
