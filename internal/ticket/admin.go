package ticket

import (
	"context"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/db"
)

// Codes returns the tracking codes of the given tickets, for lists that
// link to tickets by code (the audit log viewer). Unknown ids are left
// out. It reads no personal data and is for staff who may see every
// ticket.
func (s *Service) Codes(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		marks[i] = "$" + strconv.Itoa(i+1)
		args[i] = id
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT id, code FROM tickets WHERE id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, db.Fail(err)
		}
		out[id] = code
	}
	return out, db.Fail(rows.Err())
}

// Handlers returns, for the tickets ts that an agency holds, the agency's
// handler (the user who accepted or answered the current forwarding), by
// ticket id; a ticket nobody at the agency has taken up yet is absent.
// The tickets are the caller's, already read with its scope.
func (s *Service) Handlers(ctx context.Context, ts []Ticket) (map[int64]int64, error) {
	out := map[int64]int64{}
	var marks []string
	var args []any
	for _, t := range ts {
		if t.AssignmentID != 0 {
			args = append(args, t.AssignmentID)
			marks = append(marks, "$"+strconv.Itoa(len(args)))
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	rows, err := s.db.R().QueryContext(ctx, `SELECT ticket_id, accepted_by FROM assignments
		WHERE accepted_by IS NOT NULL AND id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, by int64
		if err := rows.Scan(&id, &by); err != nil {
			return nil, db.Fail(err)
		}
		out[id] = by
	}
	return out, db.Fail(rows.Err())
}
