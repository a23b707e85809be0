package desk

import (
	"context"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/reply"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/vntext"
	"github.com/hotline-1022/hotline/internal/web"
)

// What the workspace proposes: the routing rule's agency, reply templates
// filled in for the ticket, and tickets it may duplicate.

// suggestion is the agency the routing rules suggest for t, if any.
func (w *Desk) suggestion(ctx context.Context, t ticket.Ticket, ags []agency.Agency) agency.Agency {
	rule, err := w.Rules.Suggest(ctx, w.DB.R(), t.CategoryID, t.AreaCode)
	if err != nil {
		return agency.Agency{}
	}
	for _, a := range ags {
		if a.ID == rule.AgencyID {
			return a
		}
	}
	return agency.Agency{}
}

// templates returns the reply templates for t's category, then the
// general ones, with their variables filled from t.
func (w *Desk) templates(ctx context.Context, p *web.Page, t ticket.Ticket) ([]formOption, error) {
	list, err := w.Replies.List(ctx, true, t.CategoryID)
	if err != nil {
		return nil, err
	}
	cat := t.CategoryName
	if p.Lang == "en" && t.CategoryNameEN != "" {
		cat = t.CategoryNameEN
	}
	vars := map[string]string{"code": t.Code, "title": t.Title, "received": p.Time(t.ReceivedAt), "answer": t.Answer,
		"agency": t.AgencyName, "category": cat, "ward": t.AreaName}
	out := make([]formOption, 0, len(list))
	for _, tp := range list {
		if tp.CategoryID != 0 && tp.CategoryID != t.CategoryID {
			continue
		}
		out = append(out, formOption{Value: strconv.FormatInt(tp.ID, 10), Label: tp.Name, Body: reply.Fill(tp.Body, vars)})
	}
	return out, nil
}

// openStates are the states of tickets still being worked on.
var openStates = []ticket.State{ticket.Received, ticket.Classified, ticket.Forwarded, ticket.Accepted, ticket.Returned,
	ticket.Answered, ticket.Approved}

// mergeSuggestions proposes tickets t may duplicate: the same reporter's
// open tickets, then open tickets whose text shares t's significant words.
func (w *Desk) mergeSuggestions(ctx context.Context, a user.Actor, p *web.Page, t ticket.Ticket) ([]formOption, error) {
	seen := map[int64]bool{t.ID: true}
	var out []formOption
	add := func(list []ticket.Ticket, why string) {
		for _, x := range list {
			if seen[x.ID] || len(out) >= 10 {
				continue
			}
			seen[x.ID] = true
			out = append(out, formOption{Value: x.Code, Label: x.Title, Meta: p.T("state."+string(x.State)) + " · " + why + " · " + p.Date(x.ReceivedAt)})
		}
	}
	if t.ContactID != 0 {
		pg, err := w.Tickets.List(ctx, a, ticket.Filter{ContactID: t.ContactID, States: openStates, Limit: 6})
		if err != nil {
			return nil, err
		}
		add(pg.Tickets, p.T("ws.merge.same_contact"))
	}
	words := significantWords(t.Title, 3)
	for len(words) >= 2 {
		pg, err := w.Tickets.List(ctx, a, ticket.Filter{Q: strings.Join(words, " "), States: openStates, Limit: 6})
		if err != nil {
			return nil, err
		}
		add(pg.Tickets, p.T("ws.merge.similar"))
		if len(pg.Tickets) > 1 {
			break
		}
		words = words[:len(words)-1]
	}
	return out, nil
}

// stopwords are syllables too common in reports to say what one is about.
var stopwords = map[string]bool{
	"cac": true, "cua": true, "cho": true, "khong": true, "duoc": true, "nguoi": true, "dan": true, "phan": true, "anh": true,
	"tai": true, "tren": true, "duoi": true, "trong": true, "ngoai": true, "nay": true, "kia": true, "rat": true, "nhieu": true,
	"mot": true, "nhung": true, "va": true, "voi": true, "lam": true, "con": true, "van": true, "chua": true, "hay": true,
	"the": true, "thi": true, "khu": true, "vuc": true, "gan": true, "nha": true, "toi": true, "chung": true, "dang": true,
	"bao": true, "gio": true, "sao": true, "nhu": true, "and": true, "for": true, "with": true,
}

// significantWords picks up to n folded words of text worth searching for.
func significantWords(text string, n int) []string {
	var out []string
	for _, tok := range vntext.Tokens(text) {
		if len(tok) < 3 || stopwords[tok] || isDigits(tok) {
			continue
		}
		out = append(out, tok)
		if len(out) == n {
			break
		}
	}
	return out
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
