package perf

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// Publish publishes closed tickets until n are published, every step-th
// closed one so they spread over the whole table and the year, as a
// supervisor would: the public text is the report's (the seed's text
// names nobody) and a short answer, indexed as ticket.Service's publish
// indexes it (answer_words). It
// goes in batches of ids, each one transaction; published tickets are
// left alone, so it can run again. It reports how many it published.
func Publish(ctx context.Context, d *db.DB, n int, progress func(done int)) (int, error) {
	var have, closed, maxID int64
	if err := d.R().QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE published_at IS NOT NULL`).Scan(&have); err != nil {
		return 0, err
	}
	if err := d.R().QueryRowContext(ctx, `SELECT count(*), COALESCE(max(id), 0) FROM tickets WHERE state = 'closed'`).Scan(&closed, &maxID); err != nil {
		return 0, err
	}
	want := int64(n) - have
	if want <= 0 || closed == 0 {
		return 0, nil
	}
	step := max(closed/want, 1)
	done := 0
	const batch = 20000 // ids per transaction
	for lo := int64(1); lo <= maxID && int64(done) < want; lo += batch {
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT id, title, content FROM tickets WHERE id >= $1 AND id < $2 AND state = 'closed'
				AND published_at IS NULL AND id % $3 = 0 ORDER BY id`, lo, lo+batch, step)
			if err != nil {
				return err
			}
			type pub struct {
				id             int64
				title, content string
			}
			var ps []pub
			for rows.Next() {
				var p pub
				if err := rows.Scan(&p.id, &p.title, &p.content); err != nil {
					rows.Close()
					return err
				}
				ps = append(ps, p)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, p := range ps {
				if int64(done) >= want {
					break
				}
				answer := "Đơn vị đã kiểm tra và xử lý xong: " + p.title + "."
				if _, err := tx.ExecContext(ctx, `UPDATE tickets SET published_at = COALESCE(closed_at, received_at), public_title = $1,
					public_content = $2, public_answer = $3 WHERE id = $4`, p.title, p.content, answer, p.id); err != nil {
					return err
				}
				err = ticket.IndexAnswerWords(ctx, tx, p.id, ticket.PublicWords(p.title, p.content, answer))
				if err != nil {
					return err
				}
				done++
			}
			return nil
		})
		if err != nil {
			return done, err
		}
		if progress != nil {
			progress(done)
		}
	}
	return done, nil
}

// Answers times /answers' search (ticket.Service.Answers) rounds times
// each way citizens use it: the first page, a deep page, one and two
// words, a category, a ward, a month, and words with a category or a
// month. It reads only.
func Answers(ctx context.Context, d *db.DB, svc *ticket.Service, rounds int, seed uint64) ([]Timing, int64, error) {
	var published, maxID int64
	if err := d.R().QueryRowContext(ctx, `SELECT count(*), COALESCE(max(id), 0) FROM tickets WHERE published_at IS NOT NULL`).Scan(&published, &maxID); err != nil {
		return nil, 0, err
	}
	if published == 0 {
		return nil, 0, fmt.Errorf("perf answers: nothing published (run hotline perf publish first)")
	}
	categories, err := texts(ctx, d, `SELECT code FROM categories ORDER BY id`)
	if err != nil {
		return nil, 0, err
	}
	// The wards of the latest reports: wards people report from.
	wards, err := texts(ctx, d, `SELECT DISTINCT area_code FROM tickets WHERE id > $1 AND area_code IS NOT NULL`, maxID-20000)
	if err != nil {
		return nil, 0, err
	}
	if len(categories) == 0 || len(wards) == 0 {
		return nil, 0, fmt.Errorf("perf answers: no categories or wards")
	}
	r := rand.New(rand.NewPCG(seed, 2))
	word := func() string { return words[r.IntN(len(words))] }
	month := func() (time.Time, time.Time) {
		from := time.Date(2026, time.Month(1+r.IntN(11)), 1, 0, 0, 0, 0, time.UTC)
		return from, from.AddDate(0, 1, 0)
	}
	cases := []struct {
		name   string
		filter func() ticket.AnswerFilter
	}{
		{"first page", func() ticket.AnswerFilter { return ticket.AnswerFilter{} }},
		{"a random deep page", func() ticket.AnswerFilter { return ticket.AnswerFilter{Before: r.Int64N(maxID) + 1} }},
		{"one word", func() ticket.AnswerFilter { return ticket.AnswerFilter{Q: word()} }},
		{"two words", func() ticket.AnswerFilter { return ticket.AnswerFilter{Q: word() + " " + word()} }},
		{"category", func() ticket.AnswerFilter { return ticket.AnswerFilter{Category: categories[r.IntN(len(categories))]} }},
		{"ward", func() ticket.AnswerFilter { return ticket.AnswerFilter{Area: wards[r.IntN(len(wards))]} }},
		{"a month", func() ticket.AnswerFilter { f, t := month(); return ticket.AnswerFilter{From: f, To: t} }},
		{"two words and a category", func() ticket.AnswerFilter {
			return ticket.AnswerFilter{Q: word() + " " + word(), Category: categories[r.IntN(len(categories))]}
		}},
		{"one word, a ward and a month", func() ticket.AnswerFilter {
			f, t := month()
			return ticket.AnswerFilter{Q: word(), Area: wards[r.IntN(len(wards))], From: f, To: t}
		}},
	}
	var out []Timing
	for _, c := range cases {
		times := make([]time.Duration, 0, rounds)
		rows := 0
		for range rounds {
			f := c.filter()
			start := time.Now()
			as, err := svc.Answers(ctx, f)
			if err != nil {
				return nil, 0, fmt.Errorf("%s: %w", c.name, err)
			}
			times = append(times, time.Since(start))
			rows = len(as)
		}
		slices.Sort(times)
		at := func(q float64) time.Duration { return times[min(len(times)-1, int(q*float64(len(times))))] }
		out = append(out, Timing{Name: c.name, Rounds: rounds, Rows: rows, P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: times[len(times)-1]})
	}
	return out, published, nil
}

// texts is a query's one text column.
func texts(ctx context.Context, d *db.DB, q string, args ...any) ([]string, error) {
	rows, err := d.R().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
