package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/queue"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// Body is what a receiver gets, as JSON. It never carries personal data.
type Body struct {
	ID     string     `json:"id"`    // the event's id: the same on a retry and a replay
	Event  string     `json:"event"` // a ticket event's name (Events), or TestEvent
	At     time.Time  `json:"at"`    // when the event happened, UTC
	Ticket *TicketRef `json:"ticket,omitempty"`
}

// TicketRef is the ticket an event happened to, as it is after it.
type TicketRef struct {
	ID     int64   `json:"id"`
	Code   string  `json:"code"`
	State  string  `json:"state"`
	Agency *string `json:"agency"` // the holding agency's code; null: none
}

func newEventID() string { return "evt_" + rand.Text() }

// TicketEvent implements ticket.EventSink: each active endpoint that
// wants e gets a delivery, queued in e's own transaction.
func (s *Service) TicketEvent(ctx context.Context, tx *sql.Tx, e ticket.Event) (func(), error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, events, COALESCE(agency_id, 0) FROM webhook_endpoints WHERE active`)
	if err != nil {
		return nil, db.Fail(err)
	}
	var to []int64
	for rows.Next() {
		var ep Endpoint
		var events string
		if err := rows.Scan(&ep.ID, &events, &ep.AgencyID); err != nil {
			rows.Close()
			return nil, db.Fail(err)
		}
		ep.Events = strings.Split(events, ",")
		if ep.Wants(e.Name, e.AgencyID) {
			to = append(to, ep.ID)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(to) == 0 {
		return nil, db.Fail(err)
	}
	ref := &TicketRef{ID: e.TicketID, Code: e.Code, State: string(e.State)}
	if e.AgencyID != 0 {
		var code string
		if err := tx.QueryRowContext(ctx, `SELECT code FROM agencies WHERE id = $1`, e.AgencyID).Scan(&code); err != nil {
			return nil, db.Fail(err)
		}
		ref.Agency = &code
	}
	b := Body{ID: newEventID(), Event: e.Name, At: e.At.UTC(), Ticket: ref}
	for _, ep := range to {
		if _, err := s.enqueue(ctx, tx, ep, b, 0); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// enqueue records a delivery of b to endpoint and queues it, in tx.
func (s *Service) enqueue(ctx context.Context, tx *sql.Tx, endpoint int64, b Body, replayOf int64) (int64, error) {
	raw, err := json.Marshal(b)
	if err != nil {
		return 0, err
	}
	var ticketID, replay any
	if b.Ticket != nil {
		ticketID = b.Ticket.ID
	}
	if replayOf != 0 {
		replay = replayOf
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO webhook_deliveries (endpoint_id, event_id, event, ticket_id, body, replay_of, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, endpoint, b.ID, b.Event, ticketID, string(raw), replay, s.clock()).Scan(&id); err != nil {
		return 0, db.Fail(err)
	}
	var opts *river.InsertOpts
	if s.Config.MaxAttempts > 0 {
		opts = &river.InsertOpts{MaxAttempts: s.Config.MaxAttempts}
	}
	return id, s.Queue.Insert(ctx, tx, deliverArgs{DeliveryID: id}, opts)
}

// deliverArgs is the job of delivering one delivery. It is inserted with
// the delivery's row, so each is queued once by construction; a job that
// runs again after its delivery succeeded does nothing.
type deliverArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

func (deliverArgs) Kind() string { return "webhook_deliver" }

// Register adds the delivery worker to q. Call it before q.Open.
func (s *Service) Register(q *queue.Queue) {
	queue.Add(q, &worker{s: s})
}

type worker struct {
	river.WorkerDefaults[deliverArgs]
	s *Service
}

func (w *worker) Work(ctx context.Context, job *river.Job[deliverArgs]) error {
	return w.s.deliver(ctx, job.Args.DeliveryID, job.Attempt >= job.MaxAttempts)
}

// Timeout is the job's own bound, above the attempt's.
func (w *worker) Timeout(*river.Job[deliverArgs]) time.Duration {
	return w.s.timeout() + 30*time.Second
}

// PausedWait is how long a paused endpoint's delivery waits before it
// looks again.
const PausedWait = time.Minute

// errNotDelivered is an attempt the receiver did not take: retried.
var errNotDelivered = errors.New("webhook: not delivered")

// deliver makes one attempt, records it, and returns an error for the
// queue to retry unless the receiver took it. On the last attempt a
// failure marks the delivery failed.
func (s *Service) deliver(ctx context.Context, id int64, last bool) error {
	var state, event, eventID, body, target string
	var sealed []byte
	var active bool
	err := s.DB.R().QueryRowContext(ctx, `SELECT d.state, d.event, d.event_id, d.body, e.url, e.secret_enc, e.active
		FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1`, id).
		Scan(&state, &event, &eventID, &body, &target, &sealed, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return river.JobCancel(fmt.Errorf("webhook delivery %d: its endpoint was deleted", id))
	}
	if err != nil {
		return err
	}
	if state != StateQueued {
		return nil // delivered before: a job that ran twice
	}
	if !active && event != TestEvent {
		return river.JobSnooze(PausedWait)
	}
	if s.Box == nil {
		return errors.New("webhook: no key to open the endpoint's secret")
	}
	key, err := s.Box.Open(sealPurpose, sealed)
	if err != nil {
		return river.JobCancel(fmt.Errorf("webhook delivery %d: %w", id, err))
	}
	a := s.post(ctx, target, key, eventID, strconv.FormatInt(id, 10), event, []byte(body))
	if err := s.record(ctx, id, a, last); err != nil {
		return err
	}
	if a.ok() {
		return nil
	}
	s.log().Warn("webhook not delivered", "delivery", id, "status", a.Status, "error", a.Error, "last", last)
	return fmt.Errorf("%w: %s", errNotDelivered, a.summary())
}

// Attempt is one try at a delivery, as the log shows it.
type Attempt struct {
	At       time.Time
	Status   int // the HTTP status; 0: no answer
	Duration time.Duration
	Error    string // the network error or timeout; empty with an answer
	Response string // the answer's first bytes
}

func (a Attempt) ok() bool { return a.Error == "" && a.Status >= 200 && a.Status < 300 }

func (a Attempt) summary() string {
	if a.Error != "" {
		return a.Error
	}
	return "HTTP " + strconv.Itoa(a.Status)
}

// MaxResponse is how much of an answer the log keeps, in bytes.
const MaxResponse = 512

func (s *Service) client() *http.Client {
	if s.HTTP != nil {
		return s.HTTP
	}
	// A redirect is the receiver's misconfiguration: following it would
	// turn the POST into a GET. It is an attempt that failed, with its
	// status.
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// post sends one signed request, bounded by the timeout.
func (s *Service) post(ctx context.Context, target, key, eventID, deliveryID, event string, body []byte) Attempt {
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	a := Attempt{At: s.clock()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		a.Error = "bad URL"
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "hotline-webhook/1")
	req.Header.Set(EventHeader, event)
	req.Header.Set(EventIDHeader, eventID)
	req.Header.Set(DeliveryHeader, deliveryID)
	req.Header.Set(SignatureHeader, Sign(key, s.Now(), body))
	start := time.Now()
	res, err := s.client().Do(req)
	if err == nil {
		a.Status = res.StatusCode
		excerpt, rerr := io.ReadAll(io.LimitReader(res.Body, MaxResponse))
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		res.Body.Close()
		a.Response = clip(excerpt)
		if rerr != nil && a.ok() {
			err = rerr // the answer was cut: not taken
		}
	}
	a.Duration = time.Since(start)
	if err != nil {
		a.Error = describe(err, ctx, s.timeout())
	}
	return a
}

// describe is a network error without the URL (the log names the
// endpoint already).
func describe(err error, ctx context.Context, limit time.Duration) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "timeout after " + limit.String()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return clip([]byte(err.Error()))
}

func clip(b []byte) string {
	if len(b) > MaxResponse {
		b = b[:MaxResponse]
	}
	return strings.TrimSpace(strings.ToValidUTF8(string(b), string(utf8.RuneError)))
}

// Delivery states.
const (
	StateQueued    = "queued"
	StateDelivered = "delivered"
	StateFailed    = "failed"
)

// record keeps the attempt and moves the delivery on.
func (s *Service) record(ctx context.Context, id int64, a Attempt, last bool) error {
	state, finished := StateQueued, any(nil)
	switch {
	case a.ok():
		state, finished = StateDelivered, a.At
	case last:
		state, finished = StateFailed, a.At
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, at, status, duration_ms, error, response)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, a.At, a.Status, a.Duration.Milliseconds(), a.Error, a.Response); err != nil {
			return db.Fail(err)
		}
		_, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $1, last_error = $2,
			state = $3, finished_at = $4 WHERE id = $5`, a.Status, a.Error, state, finished, id)
		return db.Fail(err)
	})
}
