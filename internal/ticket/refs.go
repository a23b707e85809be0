package ticket

import (
	"context"
	"database/sql"
	"strings"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
)

// Reference lookups inside a ticket transaction. They read the reference
// tables directly: a ticket needs an id and a yes/no, not the full objects.

func categoryID(ctx context.Context, q db.Querier, code, field string) (int64, string, error) {
	var id int64
	var kind string
	var active bool
	err := q.QueryRowContext(ctx, `SELECT id, default_kind, active FROM categories WHERE code = $1`, strings.TrimSpace(code)).Scan(&id, &kind, &active)
	if err == sql.ErrNoRows || (err == nil && !active) {
		return 0, "", errs.Invalidf("category.unknown", "code", code).InField(field)
	}
	return id, kind, db.Fail(err)
}

func wardCode(ctx context.Context, q db.Querier, code, field string) (string, error) {
	code = strings.TrimSpace(code)
	var level string
	err := q.QueryRowContext(ctx, `SELECT level FROM areas WHERE code = $1`, code).Scan(&level)
	if err == sql.ErrNoRows || (err == nil && level != "ward") {
		return "", errs.Invalidf("area.unknown", "code", code).InField(field)
	}
	return code, db.Fail(err)
}

// agencyID resolves an agency code to an agency in service on day.
func agencyID(ctx context.Context, q db.Querier, code, day, field string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM agencies WHERE code = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)`,
		strings.ToUpper(strings.TrimSpace(code)), day).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, errs.Invalidf("agency.unknown", "code", code).InField(field)
	}
	return id, db.Fail(err)
}

func agencyCode(ctx context.Context, q db.Querier, id int64) (string, error) {
	var code string
	err := q.QueryRowContext(ctx, `SELECT code FROM agencies WHERE id = $1`, id).Scan(&code)
	return code, db.Fail(err)
}
