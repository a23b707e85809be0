package admin

import (
	"net/http"

	"github.com/hotline-1022/hotline/internal/open311"
	"github.com/hotline-1022/hotline/internal/web"
)

// The Open311 api_keys of third-party apps: list, create (the key is
// shown once), revoke. The store audits creations and revocations.

// open311Once marks the once-shown secret of an Open311 key (no user).
const open311Once = -311

type open311Data struct {
	subnav
	Keys []open311.Key
	Once onceSecret
}

func (w *Admin) open311Keys(rw http.ResponseWriter, r *http.Request) error {
	p := w.page(r, "open311")
	once, _ := w.takeOnce(rw, r, open311Once)
	return w.showOpen311(rw, r, p, once, http.StatusOK)
}

func (w *Admin) showOpen311(rw http.ResponseWriter, r *http.Request, p *web.Page, once onceSecret, status int) error {
	keys, err := w.Open311.List(r.Context())
	if err != nil {
		return err
	}
	p.Data = open311Data{subnav: subnavOf("open311"), Keys: keys, Once: once}
	w.Render(rw, r, status, "admin_open311", p)
	return nil
}

func (w *Admin) open311Create(rw http.ResponseWriter, r *http.Request) error {
	p := w.page(r, "open311")
	fill(p, r)
	secret, _, err := w.Open311.Create(r.Context(), web.ActorOf(r), r.PostFormValue("name"))
	if err != nil {
		if !fieldError(p, err, nil) {
			return err
		}
		return w.showOpen311(rw, r, p, onceSecret{}, http.StatusBadRequest)
	}
	w.setOnce(rw, r, onceSecret{UserID: open311Once, Kind: "open311", Secret: secret})
	return w.Redirect(rw, r, "/console/admin/open311", "admin.flash.open311_created")
}

func (w *Admin) open311Revoke(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := w.Open311.Revoke(r.Context(), web.ActorOf(r), id); err != nil {
		return err
	}
	return w.Redirect(rw, r, "/console/admin/open311", "admin.flash.open311_revoked")
}
