package portal

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// answersData is a page of published answers.
type answersData struct {
	Q          string
	Category   string
	Categories []category.Category
	Wards      []area.Area
	Answers    []ticket.PublicAnswer
	More       string // the next page's query, when there is one
}

const answersPage = 20

// answers lists the published answers, newest first, searched without
// diacritics and filtered by category, ward and the days of receipt in
// Vietnam, keyset-paged by id.
func (p *Portal) answers(w http.ResponseWriter, r *http.Request) error {
	pg := p.page(w, r, "portal.answers_title")
	pg.Nav = "answers"
	q := r.URL.Query()
	d := answersData{Q: strings.TrimSpace(q.Get("q")), Category: q.Get("category")}
	f := ticket.AnswerFilter{Q: d.Q, Category: d.Category, Limit: answersPage + 1}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return errs.Invalidf("field.invalid").InField("before")
		}
		f.Before = n
	}
	f.Area = q.Get("area")
	status := http.StatusOK
	for _, day := range []struct {
		field string
		t     *time.Time
		next  bool
	}{{"from", &f.From, false}, {"to", &f.To, true}} {
		v := strings.TrimSpace(q.Get(day.field))
		pg.Form[day.field] = v
		if v == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, v, i18n.Location)
		if err != nil {
			pg.Errors[day.field] = pg.Err(errs.Invalidf("field.invalid").InField(day.field))
			status = http.StatusBadRequest
			continue
		}
		if day.next {
			t = t.AddDate(0, 0, 1) // "to" includes its day
		}
		*day.t = t
	}
	var err error
	if d.Categories, err = p.Categories.List(r.Context(), false); err != nil {
		return err
	}
	if p.Province != "" {
		if d.Wards, err = p.Areas.Wards(r.Context(), p.Province); err != nil {
			return err
		}
	}
	if status == http.StatusOK {
		if d.Answers, err = p.Tickets.Answers(r.Context(), f); err != nil {
			return err
		}
	}
	if len(d.Answers) > answersPage {
		d.Answers = d.Answers[:answersPage]
		next := q
		next.Set("before", strconv.FormatInt(d.Answers[answersPage-1].ID, 10))
		d.More = next.Encode()
	}
	pg.Form["q"], pg.Form["category"], pg.Form["area"] = d.Q, d.Category, f.Area
	pg.Data = d
	p.Render(w, r, status, "portal_answers", pg)
	return nil
}

// answer is one published answer at its stable URL, /answers/{id}.
func (p *Portal) answer(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errs.NotFoundf("public.answer_not_found")
	}
	a, err := p.Tickets.Answer(r.Context(), id)
	if err != nil {
		return err
	}
	pg := p.page(w, r, "portal.answers_title")
	pg.Nav = "answers"
	pg.Data = a
	p.Render(w, r, http.StatusOK, "portal_answer", pg)
	return nil
}
