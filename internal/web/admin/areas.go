package admin

import (
	"net/http"
	"strings"

	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/errs"
)

type areasData struct {
	subnav
	Provinces []area.Area
	Q         string
	Found     []area.Area
	Searched  bool
	Legacy    []area.LegacyMatch
	Looked    bool
}

// areaResults is the most a search or lookup shows.
const areaResults = 50

func (w *Admin) areas(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := w.page(r, "areas")
	q := r.URL.Query()
	d := areasData{subnav: subnavOf("areas"), Q: strings.TrimSpace(q.Get("q"))}
	var err error
	if d.Provinces, err = w.Areas.Provinces(ctx); err != nil {
		return err
	}
	status := http.StatusOK
	if q.Has("q") {
		d.Searched = true
		if d.Found, err = w.Areas.Search(ctx, d.Q, "", areaResults); err != nil {
			if !fieldError(p, err, nil) {
				return err
			}
			status = http.StatusBadRequest
		}
	}
	p.Form["old_name"], p.Form["old_district"] = strings.TrimSpace(q.Get("old_name")), strings.TrimSpace(q.Get("old_district"))
	if q.Has("old_name") {
		d.Looked = true
		lookup := p.Form["old_name"]
		if p.Form["old_district"] != "" {
			lookup += ", " + p.Form["old_district"]
		}
		if d.Legacy, err = w.Areas.Legacy(ctx, lookup, areaResults); err != nil {
			if !fieldError(p, err, map[string]string{"q": "old_name"}) {
				return err
			}
			status = http.StatusBadRequest
		}
	}
	p.Data = d
	w.Render(rw, r, status, "admin_areas", p)
	return nil
}

type provinceData struct {
	subnav
	Province area.Area
	Wards    []area.Area
	Total    int
	Counts   map[string]int // wards by type
	Q        string         // a filter on the wards' names
}

func (w *Admin) province(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := w.Areas.Get(ctx, r.PathValue("code"))
	if err != nil {
		return err
	}
	if a.Level != area.LevelProvince {
		return errs.NotFoundf("area.not_found", "code", a.Code)
	}
	p := w.NewPage(r, "admin.areas.province", "admin")
	d := provinceData{subnav: subnavOf("areas"), Province: a, Counts: map[string]int{}, Q: strings.TrimSpace(r.URL.Query().Get("q"))}
	all, err := w.Areas.Wards(ctx, a.Code)
	if err != nil {
		return err
	}
	d.Total = len(all)
	for _, ward := range all {
		d.Counts[ward.Type]++
	}
	d.Wards = all
	if d.Q != "" {
		// Search ranks by match; the table keeps Vietnamese order.
		found, err := w.Areas.Search(ctx, d.Q, a.Code, area.MaxLimit)
		if err != nil {
			return err
		}
		keep := map[string]bool{}
		for _, f := range found {
			keep[f.Code] = true
		}
		d.Wards = nil
		for _, ward := range all {
			if keep[ward.Code] {
				d.Wards = append(d.Wards, ward)
			}
		}
	}
	p.Data = d
	w.Render(rw, r, http.StatusOK, "admin_province", p)
	return nil
}
