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
