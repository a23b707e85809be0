package agency

// The SQL of the agencies table, portable between SQLite and PostgreSQL.

// columns is what scan reads.
const columns = `id, COALESCE(parent_id, 0), code, name, name_en, kind, COALESCE(area_code, ''), email, phone,
	calendar, valid_from, valid_to, aliases, fold`

// listSQL reads every agency; List orders them as a tree in Go, which needs
// them all anyway, and a province has hundreds, not millions.
const listSQL = `SELECT ` + columns + ` FROM agencies ORDER BY id`

// getSQL and parentSQL may get a row-lock suffix appended.
const getSQL = `SELECT ` + columns + ` FROM agencies WHERE id = $1`

const parentSQL = `SELECT parent_id FROM agencies WHERE id = $1`

const byCodeSQL = `SELECT ` + columns + ` FROM agencies WHERE code = $1`

const childrenSQL = `SELECT ` + columns + ` FROM agencies WHERE parent_id = $1 ORDER BY id`

// activeChildrenSQL counts the children of $1 still in operation on or
// after day $2, future ones included.
const activeChildrenSQL = `SELECT count(*) FROM agencies WHERE parent_id = $1 AND (valid_to IS NULL OR valid_to > $2)`

const areaExistsSQL = `SELECT count(*) FROM areas WHERE code = $1`

// calendarExistsSQL asks sla's calendars table whether a code is stored.
const calendarExistsSQL = `SELECT count(*) FROM calendars WHERE code = $1`

const insertSQL = `INSERT INTO agencies (code, parent_id, name, name_en, kind, area_code, email, phone, aliases,
	calendar, fold, valid_from, valid_to, created_at, updated_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`

const updateSQL = `UPDATE agencies SET code = $2, parent_id = $3, name = $4, name_en = $5, kind = $6, area_code = $7,
	email = $8, phone = $9, aliases = $10, calendar = $11, fold = $12, valid_from = $13, valid_to = $14,
	updated_at = $15 WHERE id = $1`

const retireSQL = `UPDATE agencies SET valid_to = $2, updated_at = $3 WHERE id = $1`
