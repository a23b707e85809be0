package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"strings"

	"modernc.org/sqlite"
)

// SQLite parses every statement it runs unless the statement was prepared
// before, and database/sql prepares nothing by itself: parsing was a
// quarter of the CPU of recording a ticket. cachingConnector keeps each
// connection's prepared statements by SQL text, so hot statements are
// parsed once per connection. PostgreSQL needs none of this: pgx caches
// prepared statements itself.

// maxCachedStmts bounds the cache per connection; list queries built from
// filters make more distinct texts than anything else.
const maxCachedStmts = 512

type cachingConnector struct{ driver.Connector }

func newCachingConnector(dsn string) (driver.Connector, error) {
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return cachingConnector{base}, nil
}

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &cachingConn{Conn: conn, stmts: map[string]*cachedStmt{}}, nil
}

type cachedStmt struct {
	driver.Stmt
	busy bool // its rows are open: a second use must not reset it
}

// cachingConn forwards every optional interface of the driver's
// connection, as modernc.org/sqlite asks of wrappers.
type cachingConn struct {
	driver.Conn
	stmts map[string]*cachedStmt
}

func (c *cachingConn) Unwrap() driver.Conn { return c.Conn }

// cacheable keeps scripts, DDL and pragmas out of the cache. Leading
// comments do not count: River's queries (sqlc's) start with
// "-- name: …", and its job insert, unparsed, was half the cost of queuing
// an acknowledgement.
func cacheable(q string) bool {
	q = skipComments(q)
	if len(q) > 16384 || script(q) {
		return false
	}
	head := strings.ToUpper(q[:min(len(q), 8)])
	for _, p := range []string{"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"} {
		if strings.HasPrefix(head, p) {
			return true
		}
	}
	return false
}

// script reports whether q holds more than one statement: a semicolon
// with more than spaces after it, outside comments, strings and quoted
// names (River's completion statement has one in a comment, and was
// parsed at every call: a fifth of a queue's CPU).
func script(q string) bool {
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c == ';':
			return strings.TrimSpace(q[i+1:]) != ""
		case c == '-' && strings.HasPrefix(q[i:], "--"):
			if end := strings.IndexByte(q[i:], '\n'); end >= 0 {
				i += end
			} else {
				return false
			}
		case c == '/' && strings.HasPrefix(q[i:], "/*"):
			if end := strings.Index(q[i+2:], "*/"); end >= 0 {
				i += end + 3
			} else {
				return false
			}
		case c == '\'' || c == '"' || c == '`':
			// A doubled quote inside is read as the end and a new start:
			// the same outcome.
			if end := strings.IndexByte(q[i+1:], c); end >= 0 {
				i += end + 1
			} else {
				return false
			}
		}
	}
	return false
}

// skipComments drops the comments and spaces q starts with.
func skipComments(q string) string {
	for {
		q = strings.TrimSpace(q)
		var end int
		switch {
		case strings.HasPrefix(q, "--"):
			end = strings.IndexByte(q, '\n') + 1
		case strings.HasPrefix(q, "/*"):
			if end = strings.Index(q, "*/") + 2; end == 1 {
				end = 0
			}
		default:
			return q
		}
		if end <= 0 {
			return ""
		}
		q = q[end:]
	}
}

// stmt returns the cached statement for q, preparing it the first time;
// nil when q should not be cached or the cached one is in use.
func (c *cachingConn) stmt(ctx context.Context, q string) (*cachedStmt, error) {
	if s, ok := c.stmts[q]; ok {
		if s.busy {
			return nil, nil
		}
		return s, nil
	}
	if !cacheable(q) || len(c.stmts) >= maxCachedStmts {
		return nil, nil
	}
	ds, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	s := &cachedStmt{Stmt: ds}
	c.stmts[q] = s
	return s, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	s, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
	}
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	s, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
	}
	rows, err := s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	s.busy = true
	return &cachedRows{Rows: rows, s: s}, nil
}

// cachedRows frees its statement for reuse when closed.
type cachedRows struct {
	driver.Rows
	s *cachedStmt
}

func (r *cachedRows) Close() error {
	r.s.busy = false
	return r.Rows.Close()
}

// ColumnTypeDatabaseTypeName lets database/sql see declared column types,
// which the driver uses to scan TIMESTAMP columns into time.Time.
func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (c *cachingConn) Close() error {
	var err error
	for _, s := range c.stmts {
		err = errors.Join(err, s.Close())
	}
	c.stmts = nil
	return errors.Join(err, c.Conn.Close())
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *cachingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
}

func (c *cachingConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *cachingConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *cachingConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }
