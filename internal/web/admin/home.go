package admin

import (
	"net/http"

	"github.com/hotline-1022/hotline/internal/agency"
)

// card is a card of the admin overview.
type card struct {
	Key   string
	Count int
	Extra int // a second figure: inactive users, retired agencies…
}

type homeData struct {
	subnav
	Cards []card
}

// home is the admin overview: each section with its main figure.
func (w *Admin) home(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := w.NewPage(r, "admin.home.title", "admin")
	d := homeData{subnav: subnavOf("home")}
	users, err := w.Users.List(ctx)
	if err != nil {
		return err
	}
	active := 0
	for _, u := range users {
		if u.Active {
			active++
		}
	}
	agencies, err := w.Agencies.List(ctx, agency.ListOptions{ActiveOn: w.Today()})
	if err != nil {
		return err
	}
	cats, err := w.Categories.List(ctx, false)
	if err != nil {
		return err
	}
	rules, err := w.Rules.List(ctx)
	if err != nil {
		return err
	}
	policies, err := w.SLA.List(ctx)
	if err != nil {
		return err
	}
	replies, err := w.Replies.List(ctx, true, 0)
	if err != nil {
		return err
	}
	provinces, err := w.Areas.Provinces(ctx)
	if err != nil {
		return err
	}
	d.Cards = []card{
		{Key: "users", Count: active, Extra: len(users) - active},
		{Key: "agencies", Count: len(agencies)},
		{Key: "categories", Count: len(cats)},
		{Key: "routing", Count: len(rules)},
		{Key: "sla", Count: len(policies)},
		{Key: "replies", Count: len(replies)},
		{Key: "channels", Count: len(builtIn)},
		{Key: "areas", Count: len(provinces)},
		{Key: "audit"},
	}
	p.Data = d
	w.Render(rw, r, http.StatusOK, "admin", p)
	return nil
}
