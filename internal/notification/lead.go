package notification

import (
	"context"
	"database/sql"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
)

// Lead is the agency's named lead, the one an "agency_lead" escalation
// reaches; 0: none.
func (s *Store) Lead(ctx context.Context, agencyID int64) (int64, error) {
	var lead sql.NullInt64
	err := s.DB.R().QueryRowContext(ctx, `SELECT lead_id FROM agencies WHERE id = $1`, agencyID).Scan(&lead)
	return lead.Int64, db.NotFound(err, "agency.not_found")
}

// SetLead names the agency's lead (userID 0: none), audited. Only admins
// may; the lead must be an active member of that agency (field "lead").
func (s *Store) SetLead(ctx context.Context, actor user.Actor, agencyID, userID int64) error {
	if !actor.Is(user.Admin) {
		return errs.Forbiddenf("error.forbidden")
	}
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if userID != 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE id = $1 AND active AND role = 'agency' AND agency_id = $2`,
				userID, agencyID).Scan(&n); err != nil {
				return db.Fail(err)
			}
			if n == 0 {
				return errs.Invalidf("notification.lead_invalid").InField("lead")
			}
		}
		var code string
		if err := tx.QueryRowContext(ctx, `UPDATE agencies SET lead_id = $1 WHERE id = $2 RETURNING code`, nullID(userID), agencyID).Scan(&code); err != nil {
			return db.NotFound(err, "agency.not_found")
		}
		return audit.Append(ctx, tx, audit.Event{At: s.now(), ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
			Action: "agency.lead", Object: "agency:" + code, Detail: map[string]any{"lead_id": userID}})
	})
}
