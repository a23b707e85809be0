// Package perf holds the tools that measure hotline at scale: Seed fills a
// database with millions of synthetic tickets using set-based SQL (minutes,
// not hours, for ten million), and Lists times the inbox and queue queries
// against it. `hotline perf seed` and `hotline perf lists` run them;
// docs/perf.md records the results.
package perf

import (
	"context"
	"fmt"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
)

// words are the folded syllables synthetic tickets are written with, so
// full-text search has realistic matches at every scale.
var words = []string{"duong", "o", "ga", "ngap", "nuoc", "den", "hong", "rac", "thai", "karaoke", "on", "lan", "chiem",
	"via", "he", "cup", "dien", "mat", "thu", "tuc", "giay", "to", "cay", "xanh", "nga", "cong", "thoat", "hem", "pho",
	"le", "loi", "nguyen", "trai", "tran", "hung", "dao", "phuong", "dau", "mot", "di", "an", "binh", "duong", "xe", "buyt"}

// Seed appends n synthetic tickets, spread over the last year, over the
// database's wards, categories and agencies, in batches of 50,000 rows per
// transaction. It needs the reference data (hotline migrate) and at least
// one agency.
func Seed(ctx context.Context, d *db.DB, n int, progress func(done int)) error {
	var cats, agencies, first int64
	if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM categories`).Scan(&cats); err != nil {
		return err
	}
	if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM agencies`).Scan(&agencies); err != nil {
		return err
	}
	if cats == 0 || agencies == 0 {
		return fmt.Errorf("perf seed: the database needs categories and agencies (run hotline serve --demo once, or hotline migrate and add agencies)")
	}
	if err := d.R().QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM tickets`).Scan(&first); err != nil {
		return err
	}
	// Lookup tables numbered from 0, so a row can pick one with a modulo.
	// Their value column is not called id: inside a subquery that would
	// hide the ticket's id, which the modulo is computed from.
	for _, q := range []string{
		`DROP TABLE IF EXISTS perf_wards`, `DROP TABLE IF EXISTS perf_cats`, `DROP TABLE IF EXISTS perf_agencies`, `DROP TABLE IF EXISTS perf_words`,
		`CREATE TABLE perf_wards (n INTEGER PRIMARY KEY, v TEXT NOT NULL)`,
		`INSERT INTO perf_wards SELECT ROW_NUMBER() OVER (ORDER BY code) - 1, code FROM areas WHERE level = 'ward' AND parent_code = '79'`,
		`CREATE TABLE perf_cats (n INTEGER PRIMARY KEY, v BIGINT NOT NULL)`,
		`INSERT INTO perf_cats SELECT ROW_NUMBER() OVER (ORDER BY id) - 1, id FROM categories`,
		`CREATE TABLE perf_agencies (n INTEGER PRIMARY KEY, v BIGINT NOT NULL)`,
		`INSERT INTO perf_agencies SELECT ROW_NUMBER() OVER (ORDER BY id) - 1, id FROM agencies`,
		`CREATE TABLE perf_words (n INTEGER PRIMARY KEY, w TEXT NOT NULL)`,
	} {
		if _, err := d.W().ExecContext(ctx, q); err != nil {
			return fmt.Errorf("perf seed: %s: %w", q, err)
		}
	}
	for i, w := range words {
		if _, err := d.W().ExecContext(ctx, `INSERT INTO perf_words (n, w) VALUES ($1, $2)`, i, w); err != nil {
			return err
		}
	}
	var nw, nc, na int64
	d.R().QueryRowContext(ctx, `SELECT count(*) FROM perf_wards`).Scan(&nw)
	d.R().QueryRowContext(ctx, `SELECT count(*) FROM perf_cats`).Scan(&nc)
	d.R().QueryRowContext(ctx, `SELECT count(*) FROM perf_agencies`).Scan(&na)
	now := time.Now().UTC()
	const batch = 50000
	for done := 0; done < n; done += batch {
		size := min(batch, n-done)
		lo := first + int64(done) + 1
		hi := lo + int64(size) - 1
		if err := seedBatch(ctx, d, lo, hi, nw, nc, na, int64(len(words)), now); err != nil {
			return err
		}
		if progress != nil {
			progress(done + size)
		}
	}
	for _, q := range []string{`DROP TABLE perf_wards`, `DROP TABLE perf_cats`, `DROP TABLE perf_agencies`, `DROP TABLE perf_words`, `ANALYZE`} {
		if _, err := d.W().ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// seedBatch inserts tickets lo..hi. Every column is a function of the id
// (a cheap hash h), so the data is varied but reproducible: states follow a
// realistic mix (most tickets closed, a few percent open), channels and
// categories are skewed, a tenth of the open tickets are overdue.
func seedBatch(ctx context.Context, d *db.DB, lo, hi, nw, nc, na, nwords int64, now time.Time) error {
	series := `WITH RECURSIVE g(id) AS (SELECT $1 UNION ALL SELECT id + 1 FROM g WHERE id < $2)`
	ts := func(expr string) string { // seconds before now → timestamp
		return `datetime($3, (-(` + expr + `)) || ' seconds') || '+00:00'`
	}
	code := `substr('P' || substr('000000000' || id, -9), 1, 5) || '-' || substr('000000000' || id, -5)`
	if d.Dialect == db.Postgres {
		series = `WITH g(id) AS (SELECT generate_series($1::bigint, $2::bigint))`
		ts = func(expr string) string {
			return `$3::timestamptz - make_interval(secs => (` + expr + `)::double precision)`
		}
		code = `'P' || substr(lpad(id::text, 9, '0'), 1, 4) || '-' || substr(lpad(id::text, 9, '0'), 5)`
	}
	// h is a hash of the id; % on it picks values.
	h := `((id * 2654435761) % 4294967296)`
	age := `(` + h + ` % 31536000)` // up to a year old
	text := `(SELECT w FROM perf_words WHERE n = ` + h + ` % $7) || ' ' || (SELECT w FROM perf_words WHERE n = (` + h + ` / 7) % $7) || ' ' || (SELECT w FROM perf_words WHERE n = (` + h + ` / 49) % $7) || ' ' || (SELECT w FROM perf_words WHERE n = (` + h + ` / 343) % $7)`
	state := `CASE WHEN ` + age + ` < 86400 THEN (CASE ` + h + ` % 6 WHEN 0 THEN 'received' WHEN 1 THEN 'classified' WHEN 2 THEN 'forwarded' WHEN 3 THEN 'accepted' WHEN 4 THEN 'answered' ELSE 'replied' END)
		ELSE (CASE WHEN ` + h + ` % 50 = 0 THEN 'refused' WHEN ` + h + ` % 97 = 0 THEN 'accepted' ELSE 'closed' END) END`
	channel := `CASE ` + h + ` % 20 WHEN 0 THEN 'email' WHEN 1 THEN 'messenger' WHEN 2 THEN 'viber' WHEN 3 THEN 'app' WHEN 4 THEN 'app' WHEN 5 THEN 'web' WHEN 6 THEN 'web' WHEN 7 THEN 'zalo' WHEN 8 THEN 'zalo' WHEN 9 THEN 'zalo' ELSE 'phone' END`
	open := `(` + age + ` < 86400 AND ` + h + ` % 6 < 4) OR (` + age + ` >= 86400 AND ` + h + ` % 97 = 0 AND ` + h + ` % 50 <> 0)`
	q := series + `
	INSERT INTO tickets (id, code, state, kind, priority, channel, category_id, area_code, address, title, content, agency_id,
		received_at, deadline, warn_at, resolved_at, closed_at, updated_at, province_code` + searchCol(d) + `)
	SELECT id, ` + code + `, ` + state + `, 'report', 'normal', ` + channel + `,
		(SELECT v FROM perf_cats WHERE n = ` + h + ` % $5),
		(SELECT v FROM perf_wards WHERE n = (` + h + ` / 3) % $4),
		'', txt, txt, (SELECT v FROM perf_agencies WHERE n = (` + h + ` / 5) % $6),
		` + ts(age) + `, ` + ts(age+` - 18000`) + `, ` + ts(age+` - 14400`) + `,
		CASE WHEN ` + open + ` THEN NULL ELSE ` + ts(age+` - 3600`) + ` END,
		CASE WHEN ` + open + ` THEN NULL ELSE ` + ts(age+` - 7200`) + ` END,
		` + ts(age) + `, '79'` + searchVal(d, code) + `
	FROM (SELECT id, ` + text + ` AS txt FROM g) s`
	args := []any{lo, hi, now, nw, nc, na, nwords}
	if d.Dialect == db.SQLite {
		args[2] = now.Format("2006-01-02 15:04:05")
	}
	if _, err := d.W().ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("perf seed: %w", err)
	}
	if d.Dialect == db.SQLite {
		if _, err := d.W().ExecContext(ctx, `INSERT INTO tickets_fts (rowid, body) SELECT id, lower(code) || ' ' || content FROM tickets WHERE id BETWEEN $1 AND $2`, lo, hi); err != nil {
			return fmt.Errorf("perf seed: index: %w", err)
		}
	}
	return nil
}

func searchCol(d *db.DB) string {
	if d.Dialect == db.Postgres {
		return ", search"
	}
	return ""
}

func searchVal(d *db.DB, code string) string {
	if d.Dialect == db.Postgres {
		return ", to_tsvector('simple', lower(" + code + ") || ' ' || txt)"
	}
	return ""
}
