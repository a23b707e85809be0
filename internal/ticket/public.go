// What citizens see of their own tickets and of published answers: the
// tracking proof, the public timeline (states and the answer, never an
// internal note or an agency's own steps), and the published, anonymised
// answers with their own search index.
package ticket

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"sort"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// ReopenWindow is how long after the answer a citizen may reopen their
// ticket (DESIGN §2: "reopen within 7 days").
const ReopenWindow = 7 * 24 * time.Hour

// Tracked is a ticket as its reporter sees it on the portal or the app.
type Tracked struct {
	Ticket   Ticket
	Timeline []PublicEntry
	// Citizen is the actor the reporter acts as on this ticket (rate,
	// reopen), proven by the tracking code and the proof.
	Citizen   user.Actor
	MayRate   bool
	MayReopen bool
}

// PublicEntry is one line of the public timeline.
type PublicEntry struct {
	At    time.Time
	Event string // "receive", "acknowledge", "classify", "forward", "reply", "close", "reopen", "refuse", "merge", "rate", "message"
	Body  string // the citizen's own words or the answer they were sent; empty for state changes
}

// publicEvents are the timeline events a citizen sees, without their text:
// the agency's own steps (accept, return, extensions, its draft answer,
// the review) and notes stay inside.
var publicEvents = map[string]bool{"classify": true, "forward": true, "reassign": true, "close": true, "reopen": true,
	"refuse": true, "merge": true, "rate": true}

// Track finds the ticket with the tracking code whose reporter's phone
// ends in proof's four digits, or whose e-mail is proof. A wrong code and
// a wrong proof are the same NotFound, so probing tells nothing.
func (s *Service) Track(ctx context.Context, code, proof string, ip string) (Tracked, error) {
	notFound := errs.NotFoundf("public.track_not_found")
	t, err := s.GetByCode(ctx, user.System, code)
	if err != nil || t.ContactID == 0 || t.State == Merged {
		return Tracked{}, notFound
	}
	c, err := s.contacts.Get(ctx, t.ContactID)
	if err != nil {
		return Tracked{}, notFound
	}
	if !proves(proof, c.Phone, c.Email) {
		return Tracked{}, notFound
	}
	citizen := user.Actor{Origin: string(KindCitizen), ContactID: t.ContactID, IP: ip}
	out := Tracked{Ticket: t, Citizen: citizen}
	msgs, err := s.timeline(ctx, t.ID)
	if err != nil {
		return Tracked{}, err
	}
	out.Timeline = publicTimeline(t, msgs)
	now := s.clock()
	out.MayRate = check(Rate, citizen, t) == nil && t.Rating == 0
	out.MayReopen = check(Reopen, citizen, t) == nil && CitizenMayReopen(t, now) == nil
	return out, nil
}

// proves reports whether proof is the phone's last four digits or the
// e-mail address, compared in constant time.
func proves(proof, phone, email string) bool {
	proof = strings.TrimSpace(proof)
	if len(proof) == 4 && len(phone) >= 4 && strings.Trim(proof, "0123456789") == "" {
		return subtle.ConstantTimeCompare([]byte(proof), []byte(phone[len(phone)-4:])) == 1
	}
	if strings.Contains(proof, "@") && email != "" {
		return subtle.ConstantTimeCompare([]byte(strings.ToLower(proof)), []byte(strings.ToLower(email))) == 1
	}
	return false
}

func publicTimeline(t Ticket, msgs []Message) []PublicEntry {
	out := []PublicEntry{{At: t.ReceivedAt, Event: "receive", Body: t.Content}}
	for i, m := range msgs {
		switch {
		case i == 0 && (m.Kind == MsgInbound || m.Kind == MsgCall):
			// the report itself, shown as the receipt
		case m.Kind == MsgInbound:
			out = append(out, PublicEntry{At: m.CreatedAt, Event: "message", Body: m.Body})
		case m.Kind == MsgOutbound && m.Event == "acknowledge":
			// the receipt's confirmation, not an answer
			out = append(out, PublicEntry{At: m.CreatedAt, Event: "acknowledge"})
		case m.Kind == MsgOutbound:
			out = append(out, PublicEntry{At: m.CreatedAt, Event: "reply", Body: m.Body})
		case m.Kind == MsgEvent && publicEvents[m.Event]:
			out = append(out, PublicEntry{At: m.CreatedAt, Event: m.Event})
		}
	}
	return out
}

// CitizenMayReopen is the time part of the citizen's condition on
// reopening: the answer is no more than ReopenWindow old. That the ticket
// was answered at all (replied or closed, not refused) is check's.
func CitizenMayReopen(t Ticket, now time.Time) error {
	if now.Sub(t.ResolvedAt) > ReopenWindow {
		return errs.Conflictf("public.reopen_too_late", "days", "7")
	}
	return nil
}

// PublicAnswer is a published answer as anyone may read it.
type PublicAnswer struct {
	ID             int64
	Title          string
	Content        string
	Answer         string
	CategoryCode   string
	CategoryName   string
	CategoryNameEN string
	AreaCode       string
	AreaName       string
	ReceivedAt     time.Time
	PublishedAt    time.Time
}

// AnswerFilter selects published answers.
type AnswerFilter struct {
	Q        string // diacritic-insensitive words
	Category string // code
	Area     string // ward code
	From, To time.Time
	Before   int64 // keyset: answers with a smaller id
	Limit    int
}

const selectPublicAnswer = `SELECT t.id, t.public_title, t.public_content, t.public_answer, COALESCE(c.code, ''), COALESCE(c.name_vi, ''),
	COALESCE(c.name_en, ''), COALESCE(t.area_code, ''), COALESCE(a.name, ''), t.received_at, t.published_at
	FROM tickets t LEFT JOIN categories c ON c.id = t.category_id LEFT JOIN areas a ON a.code = t.area_code`

func scanPublicAnswer(row interface{ Scan(...any) error }) (PublicAnswer, error) {
	var p PublicAnswer
	err := row.Scan(&p.ID, &p.Title, &p.Content, &p.Answer, &p.CategoryCode, &p.CategoryName, &p.CategoryNameEN,
		&p.AreaCode, &p.AreaName, &p.ReceivedAt, &p.PublishedAt)
	p.ReceivedAt, p.PublishedAt = p.ReceivedAt.UTC(), p.PublishedAt.UTC()
	return p, err
}

// Answers lists published answers, newest report first, keyset-paged by
// id. The search reads the published text's own words (answer_words),
// never the reporter's words as received.
func (s *Service) Answers(ctx context.Context, f AnswerFilter) ([]PublicAnswer, error) {
	if toks := answerWords(f.Q); len(toks) > 1 {
		// The rarest word drives: count each word's answers, capped.
		n := make(map[string]int, len(toks))
		for _, w := range toks {
			var c int
			err := s.db.R().QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM answer_words WHERE word = $1 LIMIT 2000) x`, w).Scan(&c)
			if err != nil {
				return nil, db.Fail(err)
			}
			n[w] = c
		}
		sort.SliceStable(toks, func(i, j int) bool { return n[toks[i]] < n[toks[j]] })
		f.Q = strings.Join(toks, " ")
	}
	q, args := s.AnswersQuery(f)
	rows, err := s.db.R().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []PublicAnswer
	for rows.Next() {
		p, err := scanPublicAnswer(rows)
		if err != nil {
			return nil, db.Fail(err)
		}
		out = append(out, p)
	}
	return out, db.Fail(rows.Err())
}

// answerWords are the distinct folded words of q, at most eight, in order.
func answerWords(q string) []string {
	out := PublicWords(q, "", "")
	if len(out) > 8 {
		out = out[:8]
	}
	return out
}

// AnswersQuery is the SQL Answers runs for f, for the plan tests. With
// words the first word's answers drive, newest first, the others and the
// filters checked per candidate in indexes (answer_words' key and
// tickets_published_filters); a date range without words walks the
// range's own answers (tickets_published_received).
func (s *Service) AnswersQuery(f AnswerFilter) (string, []any) {
	if f.Limit <= 0 || f.Limit > 50 {
		f.Limit = 20
	}
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + itoa(int64(len(args))) }
	sqlite := s.db.Dialect == db.SQLite
	toks := answerWords(f.Q)
	where = append(where, "t.published_at IS NOT NULL")
	idCol := "t.id"
	from := "tickets t"
	if len(toks) > 0 {
		idCol = "w0.ticket_id"
		if sqlite {
			// CROSS JOIN keeps answer_words outer in SQLite.
			from = "answer_words w0 CROSS JOIN tickets t INDEXED BY tickets_published_filters"
		} else {
			from = "answer_words w0 JOIN tickets t ON t.id = w0.ticket_id"
		}
		where = append(where, "t.id = w0.ticket_id")
		where = append(where, "w0.word = "+arg(toks[0]))
		for i, w := range toks[1:] {
			a := "w" + itoa(int64(i+1))
			where = append(where, "EXISTS (SELECT 1 FROM answer_words "+a+" WHERE "+a+".word = "+arg(w)+" AND "+a+".ticket_id = w0.ticket_id)")
		}
	}
	if f.Category != "" {
		where = append(where, "t.category_id = (SELECT id FROM categories WHERE code = "+arg(f.Category)+")")
	}
	if f.Area != "" {
		where = append(where, "t.area_code = "+arg(f.Area))
	}
	if !f.From.IsZero() {
		where = append(where, "t.received_at >= "+arg(f.From.UTC()))
	}
	if !f.To.IsZero() {
		where = append(where, "t.received_at < "+arg(f.To.UTC()))
	}
	if f.Before > 0 {
		where = append(where, idCol+" < "+arg(f.Before))
	}
	if sqlite && len(toks) == 0 {
		// Name the index that gives the page (migrations 0032, 0036):
		// SQLite's planner would take every published answer by
		// tickets_published and sort them, 100 ms and more at ten million.
		index := "tickets_published_id"
		switch {
		case f.Area != "":
			index = "tickets_published_area"
		case f.Category != "":
			index = "tickets_published_category"
		case !f.From.IsZero() || !f.To.IsZero():
			index = "tickets_published_received"
		}
		from += " INDEXED BY " + index
	}
	ids := "SELECT " + idCol + " FROM " + from + " WHERE " + strings.Join(where, " AND ") + " ORDER BY " + idCol + " DESC LIMIT " + itoa(int64(f.Limit))
	return selectPublicAnswer + " WHERE t.id IN (" + ids + ") ORDER BY t.id DESC", args
}

// Answer returns one published answer; NotFound when it is not published.
func (s *Service) Answer(ctx context.Context, id int64) (PublicAnswer, error) {
	p, err := scanPublicAnswer(s.db.R().QueryRowContext(ctx, selectPublicAnswer+` WHERE t.id = $1 AND t.published_at IS NOT NULL`, id))
	return p, db.NotFound(err, "public.answer_not_found")
}

// publicWords are what the answers' index holds: the distinct folded
// words of the published, anonymised text only.
func publicWords(t Ticket) []string {
	return PublicWords(t.PublicTitle, t.PublicContent, t.PublicAnswer)
}

// PublicWords are the distinct folded words of a published answer's text,
// as answer_words holds them.
func PublicWords(title, content, answer string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range vntext.Tokens(strings.Join([]string{title, content, answer}, " ")) {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// indexPublic writes or removes the ticket's words in the answers' index
// in the transaction that publishes or unpublishes it.
func (s *Service) indexPublic(ctx context.Context, tx *sql.Tx, t Ticket, published bool) error {
	var words []string
	if published {
		words = publicWords(t)
	}
	return IndexAnswerWords(ctx, tx, t.ID, words)
}

// IndexAnswerWords replaces ticket id's words in answer_words by words.
func IndexAnswerWords(ctx context.Context, tx *sql.Tx, id int64, words []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM answer_words WHERE ticket_id = $1`, id); err != nil {
		return db.Fail(err)
	}
	for _, w := range words {
		if _, err := tx.ExecContext(ctx, `INSERT INTO answer_words (word, ticket_id) VALUES ($1, $2)`, w, id); err != nil {
			return db.Fail(err)
		}
	}
	return nil
}
