package notification

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/user"
)

// Template is the e-mail of one kind: a subject line and a plain-text
// body in Vietnamese, with {name} placeholders (Placeholders).
type Template struct {
	Kind    Kind
	Subject string
	Body    string
	Custom  bool // an admin's text; false: the catalogue's
}

// Placeholders are the names a template may use: the ticket's tracking
// code, the agency holding it, its deadline in Vietnam's time, what
// happened in a sentence, and (the digest's) the list of open tickets.
// None of them is the reporter's.
var Placeholders = []string{"code", "agency", "deadline", "what", "list"}

// Limits of a template.
const (
	MaxSubject = 200
	MaxBody    = 5000
)

// MailKinds are the kinds that have an e-mail template: every kind, and
// the daily digest.
var MailKinds = append(slices.Clone(Kinds), Digest)

// Digest is the daily digest's template kind (e-mail only).
const Digest Kind = "digest"

func defaultTemplate(cat *i18n.Catalog, k Kind) Template {
	return Template{Kind: k, Subject: cat.T(i18n.VI, "notification.mail."+string(k)+".subject"),
		Body: cat.T(i18n.VI, "notification.mail."+string(k)+".body")}
}

// Template returns kind's e-mail as it is sent now. An unknown kind is
// NotFound.
func (s *Store) Template(ctx context.Context, k Kind) (Template, error) {
	if !slices.Contains(MailKinds, k) {
		return Template{}, errs.NotFoundf("notification.kind_unknown")
	}
	return s.template(ctx, s.DB.R(), k)
}

func (s *Store) template(ctx context.Context, q db.Querier, k Kind) (Template, error) {
	t := Template{Kind: k, Custom: true}
	err := q.QueryRowContext(ctx, `SELECT subject, body FROM notification_templates WHERE kind = $1`, string(k)).Scan(&t.Subject, &t.Body)
	if err == sql.ErrNoRows {
		return defaultTemplate(s.Mail.Catalog, k), nil
	}
	return t, db.Fail(err)
}

// CheckTemplate refuses a template that cannot be sent: an empty or
// multi-line subject, an empty body, one too long, a "{" never closed or
// a "}" never opened, a placeholder that is not one of Placeholders. The
// error names the field and, for a placeholder, which one.
func CheckTemplate(t Template) error {
	t.Subject, t.Body = strings.TrimSpace(t.Subject), strings.TrimSpace(t.Body)
	for _, f := range []struct {
		name, v string
		max     int
	}{{"subject", t.Subject, MaxSubject}, {"body", t.Body, MaxBody}} {
		switch {
		case f.v == "":
			return errs.Invalidf("field.required").InField(f.name)
		case len([]rune(f.v)) > f.max:
			return errs.Invalidf("field.too_long", "max", strconv.Itoa(f.max)).InField(f.name)
		}
		if err := checkPlaceholders(f.v); err != nil {
			return err.InField(f.name)
		}
	}
	if strings.ContainsAny(t.Subject, "\r\n") {
		return errs.Invalidf("notification.template_subject_line").InField("subject")
	}
	return nil
}

func checkPlaceholders(v string) *errs.Error {
	for {
		open, close := strings.IndexByte(v, '{'), strings.IndexByte(v, '}')
		switch {
		case open < 0 && close < 0:
			return nil
		case open < 0 || (close >= 0 && close < open):
			return errs.Invalidf("notification.template_unopened")
		}
		rest := v[open+1:]
		end := strings.IndexAny(rest, "{}")
		if end < 0 || rest[end] == '{' {
			return errs.Invalidf("notification.template_unclosed", "text", clip(v[open:]))
		}
		if name := rest[:end]; !slices.Contains(Placeholders, name) {
			return errs.Invalidf("notification.template_placeholder", "name", "{"+clip(name)+"}", "allowed", "{"+strings.Join(Placeholders, "}, {")+"}")
		}
		v = rest[end+1:]
	}
}

func clip(s string) string {
	if r := []rune(s); len(r) > 30 {
		return string(r[:30]) + "…"
	}
	return s
}

// fill puts vars in place of t's placeholders; a checked template has no
// other braces.
func fill(t string, vars map[string]string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(t, '{')
		if open < 0 {
			b.WriteString(t)
			return b.String()
		}
		end := strings.IndexByte(t[open:], '}')
		if end < 0 {
			b.WriteString(t)
			return b.String()
		}
		b.WriteString(t[:open])
		b.WriteString(vars[t[open+1:open+end]])
		t = t[open+end+1:]
	}
}

// SampleVars are the values a preview shows.
func SampleVars(cat *i18n.Catalog, k Kind) map[string]string {
	code := "K7M3P-9QXD2"
	return map[string]string{"code": code, "agency": "Sở Xây dựng", "deadline": "15:30 05/03/2026",
		"what": cat.T(i18n.VI, "notification.kind."+string(k), "code", code), "list": cat.T(i18n.VI, "notification.digest.sample")}
}

// Preview is t as it would be sent, with SampleVars, or why it cannot be.
func (s *Store) Preview(t Template) (subject, body string, err error) {
	if err := CheckTemplate(t); err != nil {
		return "", "", err
	}
	vars := SampleVars(s.Mail.Catalog, t.Kind)
	return fill(strings.TrimSpace(t.Subject), vars), fill(strings.TrimSpace(t.Body), vars), nil
}

// SaveTemplate stores an admin's e-mail for a kind, checked first
// (CheckTemplate). Only admins may; an unknown kind is NotFound.
func (s *Store) SaveTemplate(ctx context.Context, actor user.Actor, t Template) error {
	if !actor.Is(user.Admin) {
		return errs.Forbiddenf("error.forbidden")
	}
	if !slices.Contains(MailKinds, t.Kind) {
		return errs.NotFoundf("notification.kind_unknown")
	}
	if err := CheckTemplate(t); err != nil {
		return err
	}
	_, err := s.DB.W().ExecContext(ctx, `INSERT INTO notification_templates (kind, subject, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (kind) DO UPDATE SET subject = excluded.subject, body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		string(t.Kind), strings.TrimSpace(t.Subject), strings.TrimSpace(t.Body), actor.UserID, s.now())
	return db.Fail(err)
}

// ResetTemplate goes back to the catalogue's text for a kind.
func (s *Store) ResetTemplate(ctx context.Context, actor user.Actor, k Kind) error {
	if !actor.Is(user.Admin) {
		return errs.Forbiddenf("error.forbidden")
	}
	_, err := s.DB.W().ExecContext(ctx, `DELETE FROM notification_templates WHERE kind = $1`, string(k))
	return db.Fail(err)
}

// Pref is whether a person gets one kind by e-mail.
type Pref struct {
	Kind  Kind
	Email bool
}

// Prefs returns the user's choices for every mail kind; a kind never
// chosen about is yes.
func (s *Store) Prefs(ctx context.Context, userID int64) ([]Pref, error) {
	out := make([]Pref, 0, len(MailKinds))
	for _, k := range MailKinds {
		ok, err := wantsEmail(ctx, s.DB.R(), userID, k)
		if err != nil {
			return nil, err
		}
		out = append(out, Pref{Kind: k, Email: ok})
	}
	return out, nil
}

// SetPrefs stores the actor's own choices, every mail kind at once: a
// kind in on is yes, any other no.
func (s *Store) SetPrefs(ctx context.Context, actor user.Actor, on []Kind) error {
	if !actor.IsUser() {
		return errs.Forbiddenf("error.forbidden")
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, k := range MailKinds {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notification_prefs (user_id, kind, email) VALUES ($1, $2, $3)
				ON CONFLICT (user_id, kind) DO UPDATE SET email = excluded.email`, actor.UserID, string(k), slices.Contains(on, k)); err != nil {
				return db.Fail(err)
			}
		}
		return nil
	})
}

func wantsEmail(ctx context.Context, q db.Querier, userID int64, k Kind) (bool, error) {
	var ok bool
	err := q.QueryRowContext(ctx, `SELECT email FROM notification_prefs WHERE user_id = $1 AND kind = $2`, userID, string(k)).Scan(&ok)
	if err == sql.ErrNoRows {
		return true, nil
	}
	return ok, db.Fail(err)
}
