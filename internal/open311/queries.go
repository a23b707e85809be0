package open311

// The SQL of the Open311 endpoint, portable between SQLite and PostgreSQL.

// changesetSQL is the latest change to the service list.
const changesetSQL = `SELECT max(updated_at) FROM categories`

const insertKeySQL = `INSERT INTO open311_keys (name, hash, created_at, created_by) VALUES ($1, $2, $3, $4) RETURNING id`

const keyByIDSQL = `SELECT name, revoked_at FROM open311_keys WHERE id = $1`

const revokeKeySQL = `UPDATE open311_keys SET revoked_at = $2, revoked_by = $3 WHERE id = $1`

const listKeysSQL = `SELECT id, name, created_at, last_used_at, revoked_at FROM open311_keys ORDER BY id DESC`

const keyByHashSQL = `SELECT id, name, revoked_at FROM open311_keys WHERE hash = $1`

const keyUsedSQL = `UPDATE open311_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)`

// requestsSQL reads what the public may see of tickets: never the
// contact, never the content as the reporter wrote it. RequestsQuery
// puts the page's ids in %s.
const requestsSQL = `SELECT t.id, t.state, t.received_at, t.updated_at, t.resolved_at, t.deadline,
	COALESCE(c.code, ''), COALESCE(c.name_vi, ''), COALESCE(c.name_en, ''),
	COALESCE(ag.name, ''), COALESCE(ag.name_en, ''),
	COALESCE(t.area_code, ''), COALESCE(ar.name, ''), COALESCE(ar.name_en, ''),
	t.published_at, t.public_content
	FROM (%s) p
	JOIN tickets t ON t.id = p.id
	LEFT JOIN categories c ON c.id = t.category_id
	LEFT JOIN agencies ag ON ag.id = t.agency_id
	LEFT JOIN areas ar ON ar.code = t.area_code
	ORDER BY p.received_at DESC, p.id DESC`

const ticketByCodeSQL = `SELECT id FROM tickets WHERE code = $1`

// updatesSQL reads the timeline's state changes within a range of time,
// by migration 0034's messages_events (created_at, id) WHERE kind = 'event'.
const updatesSQL = `SELECT m.id, m.ticket_id, m.event, m.created_at FROM messages m
	WHERE m.kind = 'event' AND m.created_at >= $1 AND m.created_at <= $2`
