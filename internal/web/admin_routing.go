package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/routing"
	"github.com/hotline-1022/hotline/internal/vntext"
)

func (w *Web) adminRoutingRoutes(rt *router) {
	rt.page("GET /console/admin/routing", adminRoles, w.adminRouting)
	rt.page("GET /console/admin/routing/new", adminRoles, w.adminRuleNew)
	rt.page("POST /console/admin/routing", adminRoles, w.adminRuleSave)
	rt.page("GET /console/admin/routing/{id}", adminRoles, w.adminRule)
	rt.page("POST /console/admin/routing/{id}", adminRoles, w.adminRuleSave)
	rt.page("POST /console/admin/routing/{id}/delete", adminRoles, w.adminRuleDelete)
}

// adRuleRow is a routing rule with the names of what it refers to.
type adRuleRow struct {
	routing.Rule
	Category string // "" for any
	Area     string // "" for anywhere
	AreaWard bool   // the area is a ward (five-digit code), not a province (two digits)
	Agency   agency.Agency
	Retired  bool // the agency is no longer in operation: the rule is skipped
}

// adTryResult is the outcome of the "try it" form.
type adTryResult struct {
	Asked   bool
	Found   bool
	Rule    adRuleRow
	Ward    string
	Cat     string
	Pending bool // a ward is needed
}

type adRoutingData struct {
	adminBase
	Rules      []adRuleRow
	Categories []adOption
	Try        adTryResult
	WardName   string
}

func (w *Web) adminRouting(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := w.adminPage(r, "routing")
	rules, err := w.Routes.List(ctx)
	if err != nil {
		return err
	}
	rows, err := w.adRuleRows(r, p, rules)
	if err != nil {
		return err
	}
	d := adRoutingData{adminBase: adBase("routing"), Rules: rows}
	if d.Categories, err = w.adCategoryOptions(r, p, "admin.routing.any_category"); err != nil {
		return err
	}
	q := r.URL.Query()
	status := http.StatusOK
	if q.Has("try_ward") || q.Has("try_category") {
		p.Form["try_category"], p.Form["try_ward"] = q.Get("try_category"), strings.TrimSpace(q.Get("try_ward"))
		d.Try, err = w.adTryRouting(r, p, rows)
		if err != nil {
			if !adFieldError(p, err, nil) {
				return err
			}
			status = http.StatusBadRequest
		}
		if ward := p.Form["try_ward"]; ward != "" {
			if a, err := w.Areas.Get(ctx, ward); err == nil {
				d.WardName = adAreaLabel(a)
			}
		}
	}
	p.Data = d
	w.render(rw, r, status, "admin_routing", p)
	return nil
}

// adTryRouting runs routing.Store.Suggest for the "try it" form, exactly as
// a ticket's classification would.
func (w *Web) adTryRouting(r *http.Request, p *page, rows []adRuleRow) (adTryResult, error) {
	res := adTryResult{Asked: true}
	catID, err := adID(p.Form["try_category"], "try_category")
	if err != nil {
		return res, err
	}
	ward := p.Form["try_ward"]
	if ward == "" {
		return res, errs.Invalidf("field.required").InField("try_ward")
	}
	a, err := w.Areas.Get(r.Context(), ward)
	if err != nil || a.Level != area.LevelWard {
		return res, errs.Invalidf("admin.routing.ward_needed").InField("try_ward")
	}
	res.Ward = adAreaLabel(a)
	if catID != 0 {
		c, err := w.Categories.Get(r.Context(), catID)
		if err != nil {
			return res, errs.Invalidf("category.not_found").InField("try_category")
		}
		res.Cat = c.Name(string(p.Lang))
	}
	rule, err := w.Routes.Suggest(r.Context(), w.DB.R(), catID, a.Code)
	if errs.CodeOf(err) == errs.NotFound {
		return res, nil
	}
	if err != nil {
		return res, err
	}
	for _, row := range rows {
		if row.ID == rule.ID {
			res.Rule, res.Found = row, true
		}
	}
	return res, nil
}

// adRuleRows names the category, area and agency of each rule.
func (w *Web) adRuleRows(r *http.Request, p *page, rules []routing.Rule) ([]adRuleRow, error) {
	ctx := r.Context()
	cats, err := w.Categories.List(ctx, true)
	if err != nil {
		return nil, err
	}
	catNames := map[int64]string{}
	for _, c := range cats {
		catNames[c.ID] = c.Name(string(p.Lang))
	}
	_, agencies, err := w.adAgencyOptions(ctx, false, p.Lang)
	if err != nil {
		return nil, err
	}
	var codes []string
	for _, rule := range rules {
		codes = append(codes, rule.AreaCode)
	}
	names, err := w.adAreaNames(r, codes)
	if err != nil {
		return nil, err
	}
	adToday := w.adToday()
	rows := make([]adRuleRow, 0, len(rules))
	for _, rule := range rules {
		ag := agencies[rule.AgencyID]
		row := adRuleRow{Rule: rule, Category: catNames[rule.CategoryID], Area: names[rule.AreaCode], Agency: ag, Retired: !ag.ActiveOn(adToday),
			AreaWard: len(rule.AreaCode) > 2}
		if row.Area == "" {
			row.Area = rule.AreaCode
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// adCategoryOptions lists categories for a select, "any" first.
func (w *Web) adCategoryOptions(r *http.Request, p *page, anyKey string) ([]adOption, error) {
	cats, err := w.Categories.List(r.Context(), true)
	if err != nil {
		return nil, err
	}
	opts := []adOption{{Value: "", Label: p.T(anyKey)}}
	for _, c := range cats {
		opts = append(opts, adOption{Value: strconv.FormatInt(c.ID, 10), Label: c.Name(string(p.Lang)), Muted: !c.Active})
	}
	return opts, nil
}

type adRuleData struct {
	adminBase
	Rule       routing.Rule
	Categories []adOption
	Provinces  []adOption
	Agencies   []adOption
	WardName   string
}

func (w *Web) adminRuleNew(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "admin.rule.new", "admin")
	p.Form["province"] = w.Province
	return w.adShowRule(rw, r, p, routing.Rule{}, http.StatusOK)
}

func (w *Web) adRuleFor(r *http.Request) (routing.Rule, error) {
	id, err := adPathID(r, "id")
	if err != nil {
		return routing.Rule{}, err
	}
	return w.Routes.Get(r.Context(), id)
}

func (w *Web) adminRule(rw http.ResponseWriter, r *http.Request) error {
	rule, err := w.adRuleFor(r)
	if err != nil {
		return err
	}
	p := w.newPage(r, "admin.rule.title", "admin")
	if rule.CategoryID != 0 {
		p.Form["category"] = strconv.FormatInt(rule.CategoryID, 10)
	}
	if rule.AreaCode != "" {
		a, err := w.Areas.Get(r.Context(), rule.AreaCode)
		if err != nil {
			return err
		}
		if a.Level == area.LevelWard {
			p.Form["ward"], p.Form["province"] = a.Code, a.ParentCode
		} else {
			p.Form["province"] = a.Code
		}
	}
	p.Form["agency"], p.Form["note"] = strconv.FormatInt(rule.AgencyID, 10), rule.Note
	if rule.AutoForward {
		p.Form["auto_forward"] = "1"
	}
	return w.adShowRule(rw, r, p, rule, http.StatusOK)
}

func (w *Web) adShowRule(rw http.ResponseWriter, r *http.Request, p *page, rule routing.Rule, status int) error {
	ctx := r.Context()
	d := adRuleData{adminBase: adBase("routing"), Rule: rule}
	var err error
	if d.Categories, err = w.adCategoryOptions(r, p, "admin.routing.any_category"); err != nil {
		return err
	}
	provinces, err := w.Areas.Provinces(ctx)
	if err != nil {
		return err
	}
	d.Provinces = []adOption{{Value: "", Label: p.T("admin.routing.anywhere")}}
	for _, a := range provinces {
		d.Provinces = append(d.Provinces, adOption{Value: a.Code, Label: a.FullName})
	}
	opts, byID, err := w.adAgencyOptions(ctx, false, p.Lang)
	if err != nil {
		return err
	}
	adToday := w.adToday()
	d.Agencies = []adOption{{Value: "", Label: p.T("admin.choose")}}
	for _, o := range opts {
		// Offer agencies in operation, and the rule's own even when retired.
		id, _ := strconv.ParseInt(o.Value, 10, 64)
		if byID[id].ActiveOn(adToday) || id == rule.AgencyID {
			d.Agencies = append(d.Agencies, o)
		}
	}
	if ward := p.Form["ward"]; ward != "" {
		if a, err := w.Areas.Get(ctx, ward); err == nil {
			d.WardName = adAreaLabel(a)
		}
	}
	p.Data = d
	w.render(rw, r, status, "admin_rule", p)
	return nil
}

func (w *Web) adminRuleSave(rw http.ResponseWriter, r *http.Request) error {
	var cur routing.Rule
	if r.PathValue("id") != "" {
		var err error
		if cur, err = w.adRuleFor(r); err != nil {
			return err
		}
	}
	p := w.newPage(r, "admin.rule.new", "admin")
	if cur.ID != 0 {
		p.Title = "admin.rule.title"
	}
	adFill(p, r)
	rule := routing.Rule{ID: cur.ID, AutoForward: r.PostFormValue("auto_forward") == "1", Note: vntext.Clean(r.PostFormValue("note"))}
	ward, province := strings.TrimSpace(r.PostFormValue("ward")), strings.TrimSpace(r.PostFormValue("province"))
	areaField := "province"
	rule.AreaCode = province
	if ward != "" {
		rule.AreaCode, areaField = ward, "ward"
	}
	var err error
	rule.CategoryID, err = adID(r.PostFormValue("category"), "category")
	if err == nil {
		rule.AgencyID, err = adID(r.PostFormValue("agency"), "agency")
	}
	if err == nil && vntext.Len(rule.Note) > 500 {
		err = errs.Invalidf("field.too_long", "max", "500").InField("note")
	}
	if err == nil {
		rule, err = w.Routes.SaveAudited(r.Context(), actorOf(r), rule)
	}
	if err != nil {
		if errs.As(err).Key == "routing.scope_taken" {
			err = errs.As(err).InField(areaField)
		}
		if !adFieldError(p, err, map[string]string{"area": areaField}) {
			return err
		}
		return w.adShowRule(rw, r, p, cur, http.StatusBadRequest)
	}
	flash := "admin.flash.rule_saved"
	if cur.ID == 0 {
		flash = "admin.flash.rule_created"
	}
	return w.redirect(rw, r, "/console/admin/routing", flash)
}

func (w *Web) adminRuleDelete(rw http.ResponseWriter, r *http.Request) error {
	rule, err := w.adRuleFor(r)
	if err != nil {
		return err
	}
	if err := w.Routes.DeleteAudited(r.Context(), actorOf(r), rule.ID); err != nil {
		return err
	}
	return w.redirect(rw, r, "/console/admin/routing", "admin.flash.rule_deleted")
}
