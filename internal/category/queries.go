package category

// The SQL of the categories table, portable between SQLite and PostgreSQL.

// columns is what scanCategory reads.
const columns = `id, COALESCE(parent_id, 0), code, name_vi, name_en, description, default_kind, sort, active`

const listSQL = `SELECT ` + columns + ` FROM categories WHERE $1 OR active ORDER BY sort, id`

const getSQL = `SELECT ` + columns + ` FROM categories WHERE id = $1`

const byCodeSQL = `SELECT ` + columns + ` FROM categories WHERE code = $1`

// parentSQL reads one step up the tree; callers may append a row lock.
const parentSQL = `SELECT parent_id FROM categories WHERE id = $1`

const nextSortSQL = `SELECT COALESCE(max(sort), 0) + 1 FROM categories`

const countSQL = `SELECT count(*) FROM categories`

const insertSQL = `INSERT INTO categories
	(code, parent_id, name_vi, name_en, description, default_kind, sort, active, created_at, updated_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`

const updateSQL = `UPDATE categories SET code = $2, parent_id = $3, name_vi = $4, name_en = $5, description = $6,
	default_kind = $7, sort = $8, updated_at = $9 WHERE id = $1`

const setActiveSQL = `UPDATE categories SET active = $2, updated_at = $3 WHERE id = $1`
