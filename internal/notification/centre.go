package notification

import (
	"context"
	"strconv"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// Page is one page of a person's centre, newest first.
type Page struct {
	Items []Notification
	// Next is the cursor of the following page; empty on the last.
	Next string
}

// Limits of a page.
const (
	DefaultLimit = 50
	MaxLimit     = 100
)

// UnreadCap bounds the unread count: the header shows "99+" past it, and
// the count reads at most this many index entries.
const UnreadCap = 100

// List returns the actor's own notifications, newest first, limit at a
// time (DefaultLimit when 0) after cursor (the previous Page.Next; empty
// for the first page). A cursor that is not one of ours is Invalid (field
// "cursor"), a limit outside 1..MaxLimit Invalid (field "limit"); an
// actor that is not a signed-in user is Forbidden.
func (s *Store) List(ctx context.Context, actor user.Actor, cursor string, limit int) (Page, error) {
	if !actor.IsUser() {
		return Page{}, errs.Forbiddenf("error.forbidden")
	}
	if limit == 0 {
		limit = DefaultLimit
	}
	if limit < 1 || limit > MaxLimit {
		return Page{}, errs.Invalidf("field.invalid").InField("limit")
	}
	q := `SELECT id, user_id, kind, event, ticket_id, code, created_at, read_at FROM notifications WHERE user_id = $1`
	args := []any{actor.UserID}
	if cursor != "" {
		v, ok := db.ParseCursor(cursor, "n", 1)
		if !ok {
			return Page{}, errs.Invalidf("notification.cursor_invalid").InField("cursor")
		}
		args = append(args, v[0])
		q += ` AND id < $2`
	}
	rows, err := s.DB.R().QueryContext(ctx, q+` ORDER BY id DESC LIMIT `+strconv.Itoa(limit+1), args...)
	if err != nil {
		return Page{}, db.Fail(err)
	}
	defer rows.Close()
	var p Page
	for rows.Next() {
		n, err := scan(rows)
		if err != nil {
			return Page{}, err
		}
		p.Items = append(p.Items, n)
	}
	if err := rows.Err(); err != nil {
		return Page{}, db.Fail(err)
	}
	if len(p.Items) > limit {
		p.Items = p.Items[:limit]
		p.Next = db.MakeCursor("n", p.Items[limit-1].ID)
	}
	return p, nil
}

type scanner interface{ Scan(dest ...any) error }

func scan(r scanner) (Notification, error) {
	var n Notification
	var created, read any
	if err := r.Scan(&n.ID, &n.UserID, &n.Kind, &n.Event, &n.TicketID, &n.Code, &created, &read); err != nil {
		return n, err
	}
	n.CreatedAt, n.ReadAt = db.Time(created), db.Time(read)
	return n, nil
}

// Unread counts the user's unread notifications, up to UnreadCap.
func (s *Store) Unread(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.DB.R().QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM notifications
		WHERE user_id = $1 AND read_at IS NULL LIMIT `+strconv.Itoa(UnreadCap)+`) u`, userID).Scan(&n)
	return n, db.Fail(err)
}

// MarkRead marks one of the actor's notifications read and returns it.
// Another person's notification is NotFound, exactly as one that does not
// exist; marking a read one again changes nothing.
func (s *Store) MarkRead(ctx context.Context, actor user.Actor, id int64) (Notification, error) {
	if !actor.IsUser() {
		return Notification{}, errs.Forbiddenf("error.forbidden")
	}
	if _, err := s.DB.W().ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL`,
		s.now(), id, actor.UserID); err != nil {
		return Notification{}, db.Fail(err)
	}
	n, err := scan(s.DB.W().QueryRowContext(ctx, `SELECT id, user_id, kind, event, ticket_id, code, created_at, read_at
		FROM notifications WHERE id = $1 AND user_id = $2`, id, actor.UserID))
	return n, db.NotFound(err, "notification.not_found")
}

// MarkAllRead marks every unread notification of the actor read and
// returns how many it marked.
func (s *Store) MarkAllRead(ctx context.Context, actor user.Actor) (int, error) {
	if !actor.IsUser() {
		return 0, errs.Forbiddenf("error.forbidden")
	}
	res, err := s.DB.W().ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL`, s.now(), actor.UserID)
	if err != nil {
		return 0, db.Fail(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
