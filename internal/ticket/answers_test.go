package ticket_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/dbtest"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// The answers' word search (answer_words, migration 0036): without
// diacritics, every word, with filters, gone on unpublishing, and paged
// newest first without duplicates or gaps.
func TestAnswersSearch(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		var road, light []int64
		for i := 0; i < 12; i++ {
			content := fmt.Sprintf("Đường Lê Lợi số %d bị sụt lún", i)
			cat := "ha_tang_giao_thong"
			if i%3 == 0 {
				content = fmt.Sprintf("Đèn đường số %d không sáng", i)
				cat = "dat_dai"
			}
			tk := e.mustCreate(t, ticket.NewTicket{Content: content, Category: cat})
			e.mustDo(t, op, tk.ID, ticket.Reply, ticket.Input{Text: "Đã chuyển đơn vị xử lý."})
			e.mustDo(t, sup, tk.ID, ticket.Publish, ticket.Input{})
			road = append([]int64{tk.ID}, road...)
			if i%3 == 0 {
				light = append([]int64{tk.ID}, light...)
			}
		}
		ids := func(f ticket.AnswerFilter) []int64 {
			t.Helper()
			as, err := e.svc.Answers(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, a := range as {
				out = append(out, a.ID)
			}
			return out
		}
		same := func(name string, got, want []int64) {
			t.Helper()
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s: %v, want %v", name, got, want)
			}
		}
		same("duong", ids(ticket.AnswerFilter{Q: "duong"}), road)
		same("ĐÈN đường", ids(ticket.AnswerFilter{Q: "ĐÈN đường"}), light)
		same("den sut", ids(ticket.AnswerFilter{Q: "den sut"}), nil)
		same("duong, dat_dai", ids(ticket.AnswerFilter{Q: "duong", Category: "dat_dai"}), light)
		same("unknown category", ids(ticket.AnswerFilter{Q: "duong", Category: "nope"}), nil)
		var paged []int64
		for before := int64(0); ; {
			page := ids(ticket.AnswerFilter{Q: "duong so", Before: before, Limit: 5})
			if len(page) == 0 {
				break
			}
			paged = append(paged, page...)
			before = page[len(page)-1]
		}
		same("pages", paged, road)
		e.mustDo(t, sup, light[0], ticket.Unpublish, ticket.Input{})
		same("unpublished", ids(ticket.AnswerFilter{Q: "den"}), light[1:])
	})
}

// Migration 0036 fills answer_words from the index it replaces (answers_fts
// on SQLite, public_search on PostgreSQL) as publishing writes it: the
// old index is put back as 0014 had it, filled as publishing filled it, and
// the migration run again.
func TestAnswerWordsMigrationFillsFromTheOldIndex(t *testing.T) {
	dbtest.EachWith(t, fixture, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		for _, c := range []string{"Đèn đường Lê Lợi không sáng", "Nắp cống bị mất", "Ổ gà đường Nguyễn Huệ"} {
			tk := e.mustCreate(t, ticket.NewTicket{Content: c})
			e.mustDo(t, op, tk.ID, ticket.Reply, ticket.Input{Text: "Đã chuyển đơn vị sửa chữa."})
			e.mustDo(t, sup, tk.ID, ticket.Publish, ticket.Input{})
		}
		kept := answerWords(t, d)
		if len(kept) == 0 {
			t.Fatal("publishing kept no words")
		}
		read := func(name string) string {
			b, err := os.ReadFile(filepath.Join("..", "db", "migrations", string(d.Dialect), name))
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := d.W().ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%v\n%s", err, q)
			}
		}
		exec(`DROP TABLE answer_words`)
		exec(`DROP INDEX tickets_published_filters`)
		exec(`DROP INDEX tickets_published_received`)
		exec(read("0014_public_answers.sql"))
		rows, err := d.R().QueryContext(ctx, `SELECT id, public_title, public_content, public_answer FROM tickets WHERE published_at IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		type pub struct {
			id   int64
			text string
		}
		var ps []pub
		for rows.Next() {
			var p pub
			var title, content, answer string
			if err := rows.Scan(&p.id, &title, &content, &answer); err != nil {
				t.Fatal(err)
			}
			p.text = strings.Join(ticket.PublicWords(title, content, answer), " ")
			ps = append(ps, p)
		}
		rows.Close()
		for _, p := range ps {
			if d.Dialect == db.Postgres {
				exec(`UPDATE tickets SET public_search = to_tsvector('simple', $1) WHERE id = $2`, p.text, p.id)
			} else {
				exec(`INSERT INTO answers_fts (rowid, body) VALUES ($1, $2)`, p.id, p.text)
			}
		}
		exec(read("0036_answer_words.sql"))
		if filled := answerWords(t, d); fmt.Sprint(filled) != fmt.Sprint(kept) {
			t.Fatalf("the migration filled\n%v\npublishing kept\n%v", filled, kept)
		}
		if as, err := e.svc.Answers(ctx, ticket.AnswerFilter{Q: "duong"}); err != nil || len(as) != 2 {
			t.Fatalf("after the migration duong finds %d answers, %v; want 2", len(as), err)
		}
	})
}

func answerWords(t *testing.T, d *db.DB) []string {
	t.Helper()
	rows, err := d.R().QueryContext(context.Background(), `SELECT word, ticket_id FROM answer_words ORDER BY word, ticket_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var w string
		var id int64
		if err := rows.Scan(&w, &id); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s:%d", w, id))
	}
	return out
}
