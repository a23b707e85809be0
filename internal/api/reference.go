package api

import (
	"net/http"
	"strconv"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/clock"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
)

func (a *API) agencies(w http.ResponseWriter, r *http.Request) error {
	opt := agency.ListOptions{Q: r.URL.Query().Get("q")}
	if all, err := boolParam(r, "all"); err != nil {
		return err
	} else if !all {
		opt.ActiveOn = clock.Day(a.Now())
	}
	list, err := a.Agencies.List(r.Context(), opt)
	if err != nil {
		return err
	}
	type out struct {
		Code      string `json:"code"`
		Name      string `json:"name"`
		NameEN    string `json:"name_en,omitempty"`
		Kind      string `json:"kind"`
		Parent    string `json:"parent,omitempty"`
		Area      string `json:"area,omitempty"`
		Depth     int    `json:"depth"`
		ValidFrom string `json:"valid_from"`
		ValidTo   string `json:"valid_to,omitempty"`
		Calendar  string `json:"calendar"`
	}
	codes := map[int64]string{}
	for _, ag := range list {
		codes[ag.ID] = ag.Code
	}
	res := make([]out, 0, len(list))
	for _, ag := range list {
		res = append(res, out{Code: ag.Code, Name: ag.Name, NameEN: ag.NameEN, Kind: ag.Kind, Parent: codes[ag.ParentID],
			Area: ag.AreaCode, Depth: ag.Depth, ValidFrom: ag.ValidFrom, ValidTo: ag.ValidTo, Calendar: ag.Calendar})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"agencies": res})
	return nil
}

func (a *API) categories(w http.ResponseWriter, r *http.Request) error {
	list, err := a.Categories.List(r.Context(), false)
	if err != nil {
		return err
	}
	type out struct {
		Code        string `json:"code"`
		Name        string `json:"name"`
		NameVI      string `json:"name_vi"`
		NameEN      string `json:"name_en"`
		DefaultKind string `json:"default_kind"`
		Description string `json:"description,omitempty"`
	}
	l := string(lang(r))
	res := make([]out, 0, len(list))
	for _, c := range list {
		res = append(res, out{Code: c.Code, Name: c.Name(l), NameVI: c.NameVI, NameEN: c.NameEN, DefaultKind: c.DefaultKind, Description: c.Description})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"categories": res})
	return nil
}

func (a *API) kinds(w http.ResponseWriter, r *http.Request) error {
	type out struct {
		Code   category.Kind `json:"code"`
		NameVI string        `json:"name_vi"`
		NameEN string        `json:"name_en"`
	}
	var res []out
	for _, k := range category.Kinds() {
		res = append(res, out{Code: k.Code, NameVI: k.NameVI, NameEN: k.NameEN})
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"kinds": res})
	return nil
}

func (a *API) areas(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit := 20
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 50 {
			return errs.Invalidf("field.invalid").InField("limit")
		}
		limit = n
	}
	province := q.Get("province")
	if province == "" && q.Get("all") != "true" {
		province = a.Province
	}
	type out struct {
		Code     string `json:"code"`
		Name     string `json:"name"`
		FullName string `json:"full_name"`
		NameEN   string `json:"name_en,omitempty"`
		Level    string `json:"level"`
		Type     string `json:"type"`
		Province string `json:"province,omitempty"`
	}
	text := q.Get("q")
	var res []out
	if text == "" {
		if province == "" {
			return errs.Invalidf("area.query_required").InField("q")
		}
		wards, err := a.Areas.Wards(r.Context(), province)
		if err != nil {
			return err
		}
		for _, w := range wards {
			res = append(res, out{Code: w.Code, Name: w.Name, FullName: w.FullName, NameEN: w.NameEN, Level: w.Level, Type: w.Type, Province: w.ProvinceName})
		}
	} else {
		found, err := a.Areas.Search(r.Context(), text, province, limit)
		if err != nil {
			return err
		}
		for _, w := range found {
			res = append(res, out{Code: w.Code, Name: w.Name, FullName: w.FullName, NameEN: w.NameEN, Level: w.Level, Type: w.Type, Province: w.ProvinceName})
		}
	}
	if res == nil {
		res = []out{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"areas": res})
	return nil
}
