// Package view keeps saved views: an inbox filter a staff member keeps
// under a name, shown as their own tab of the inbox.
package view

import (
	"context"
	"database/sql"
	"net/url"
	"strconv"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// Limits of what a user keeps.
const (
	MaxPerUser = 20   // views per user: more tabs than fit a screen help no one
	MaxName    = 40   // characters of a view's name, the tab's label
	MaxQuery   = 2000 // bytes of its query string
)

// View is a saved inbox filter.
type View struct {
	ID     int64
	UserID int64
	Name   string
	Query  url.Values // the inbox's filter, without cursor or view
}

// transient are the query keys that are not part of a filter.
var transient = []string{"cursor", "view", "csrf", "name", "back"}

// Clean is q as a view keeps it: without paging, the view's own id and
// empty values.
func Clean(q url.Values) url.Values {
	out := url.Values{}
	for k, vs := range q {
		for _, v := range vs {
			if v != "" {
				out.Add(k, v)
			}
		}
	}
	for _, k := range transient {
		out.Del(k)
	}
	return out
}

// Store keeps saved views.
type Store struct {
	db  *db.DB
	now func() time.Time
}

// NewStore returns a Store.
func NewStore(d *db.DB, now func() time.Time) *Store { return &Store{db: d, now: now} }

// List returns a user's views in the order they were saved.
func (s *Store) List(ctx context.Context, userID int64) ([]View, error) {
	rows, err := s.db.R().QueryContext(ctx, `SELECT id, name, query FROM saved_views WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []View
	for rows.Next() {
		v := View{UserID: userID}
		var q string
		if err := rows.Scan(&v.ID, &v.Name, &q); err != nil {
			return nil, db.Fail(err)
		}
		// A query that no longer parses is kept but filters nothing; the
		// inbox then shows what its filters say.
		v.Query, _ = url.ParseQuery(q)
		out = append(out, v)
	}
	return out, db.Fail(rows.Err())
}

// Save keeps q under name for userID. A name the user already uses is a
// conflict; an empty filter, a long name and too many views are refused.
func (s *Store) Save(ctx context.Context, userID int64, name string, q url.Values) (View, error) {
	v := View{UserID: userID, Name: vntext.Line(name), Query: Clean(q)}
	enc := v.Query.Encode()
	switch {
	case v.Name == "":
		return v, errs.Invalidf("field.required").InField("name")
	case vntext.Len(v.Name) > MaxName:
		return v, errs.Invalidf("field.too_long", "max", strconv.Itoa(MaxName)).InField("name")
	case len(v.Query) == 0:
		return v, errs.Invalidf("view.empty").InField("name")
	case len(enc) > MaxQuery:
		return v, errs.Invalidf("view.too_long").InField("name")
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM saved_views WHERE user_id = $1`, userID).Scan(&n); err != nil {
			return db.Fail(err)
		}
		if n >= MaxPerUser {
			return errs.Invalidf("view.too_many", "max", strconv.Itoa(MaxPerUser)).InField("name")
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO saved_views (user_id, name, query, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			userID, v.Name, enc, s.now().UTC().Truncate(time.Microsecond)).Scan(&v.ID)
		if db.IsUnique(err) {
			return errs.Conflictf("view.name_taken").InField("name")
		}
		return db.Fail(err)
	})
	return v, err
}

// Delete removes one of the user's views; another user's view is not
// found.
func (s *Store) Delete(ctx context.Context, userID, id int64) error {
	res, err := s.db.W().ExecContext(ctx, `DELETE FROM saved_views WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return db.Fail(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFoundf("view.not_found")
	}
	return nil
}
