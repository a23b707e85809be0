package admin

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/routing"
	"github.com/hotline-1022/hotline/internal/vntext"
	"github.com/hotline-1022/hotline/internal/web"
)

// ruleRow is a routing rule with the names of what it refers to.
type ruleRow struct {
	routing.Rule
	Category string // "" for any
	Area     string // "" for anywhere
	AreaWard bool   // the area is a ward (five-digit code), not a province (two digits)
	Agency   agency.Agency
	Retired  bool // the agency is no longer in operation: the rule is skipped
}

// tryResult is the outcome of the "try it" form.
type tryResult struct {
	Asked   bool
	Found   bool
	Rule    ruleRow
	Ward    string
	Cat     string
	Pending bool // a ward is needed
}

type routingData struct {
	subnav
	Rules      []ruleRow
	Categories []option
	Try        tryResult
	WardName   string
}

func (w *Admin) routing(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := w.page(r, "routing")
	rules, err := w.Rules.List(ctx)
	if err != nil {
		return err
	}
	rows, err := w.ruleRows(r, p, rules)
	if err != nil {
		return err
	}
	d := routingData{subnav: subnavOf("routing"), Rules: rows}
	if d.Categories, err = w.categoryOptions(r, p, "admin.routing.any_category"); err != nil {
		return err
	}
	q := r.URL.Query()
	status := http.StatusOK
	if q.Has("try_ward") || q.Has("try_category") {
		p.Form["try_category"], p.Form["try_ward"] = q.Get("try_category"), strings.TrimSpace(q.Get("try_ward"))
		d.Try, err = w.tryRouting(r, p, rows)
		if err != nil {
			if !fieldError(p, err, nil) {
				return err
			}
			status = http.StatusBadRequest
		}
		if ward := p.Form["try_ward"]; ward != "" {
			if a, err := w.Areas.Get(ctx, ward); err == nil {
				d.WardName = areaLabel(a)
			}
		}
	}
	p.Data = d
	w.Render(rw, r, status, "admin_routing", p)
	return nil
}

// tryRouting runs routing.Store.Suggest for the "try it" form, exactly as
// a ticket's classification would.
func (w *Admin) tryRouting(r *http.Request, p *web.Page, rows []ruleRow) (tryResult, error) {
	res := tryResult{Asked: true}
	catID, err := formID(p.Form["try_category"], "try_category")
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
	res.Ward = areaLabel(a)
	if catID != 0 {
		c, err := w.Categories.Get(r.Context(), catID)
		if err != nil {
			return res, errs.Invalidf("category.not_found").InField("try_category")
		}
		res.Cat = c.Name(string(p.Lang))
	}
	rule, err := w.Rules.Suggest(r.Context(), w.DB.R(), catID, a.Code)
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

// ruleRows names the category, area and agency of each rule.
func (w *Admin) ruleRows(r *http.Request, p *web.Page, rules []routing.Rule) ([]ruleRow, error) {
	ctx := r.Context()
	cats, err := w.Categories.List(ctx, true)
	if err != nil {
		return nil, err
	}
	catNames := map[int64]string{}
	for _, c := range cats {
		catNames[c.ID] = c.Name(string(p.Lang))
	}
	_, agencies, err := w.agencyOptions(ctx, false, p.Lang)
	if err != nil {
		return nil, err
	}
	var codes []string
	for _, rule := range rules {
		codes = append(codes, rule.AreaCode)
	}
	names, err := w.areaNames(r, codes)
	if err != nil {
		return nil, err
	}
	today := w.Today()
	rows := make([]ruleRow, 0, len(rules))
	for _, rule := range rules {
		ag := agencies[rule.AgencyID]
		row := ruleRow{Rule: rule, Category: catNames[rule.CategoryID], Area: names[rule.AreaCode], Agency: ag, Retired: !ag.ActiveOn(today),
			AreaWard: len(rule.AreaCode) > 2}
		if row.Area == "" {
			row.Area = rule.AreaCode
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// categoryOptions lists categories for a select, "any" first.
func (w *Admin) categoryOptions(r *http.Request, p *web.Page, anyKey string) ([]option, error) {
	cats, err := w.Categories.List(r.Context(), true)
	if err != nil {
		return nil, err
	}
	opts := []option{{Value: "", Label: p.T(anyKey)}}
	for _, c := range cats {
		opts = append(opts, option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name(string(p.Lang)), Muted: !c.Active})
	}
	return opts, nil
}

type ruleData struct {
	subnav
	Rule       routing.Rule
	Categories []option
	Provinces  []option
	Agencies   []option
	WardName   string
}

func (w *Admin) ruleNew(rw http.ResponseWriter, r *http.Request) error {
	p := w.NewPage(r, "admin.rule.new", "admin")
	p.Form["province"] = w.Province
	return w.showRule(rw, r, p, routing.Rule{}, http.StatusOK)
}

func (w *Admin) ruleFor(r *http.Request) (routing.Rule, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return routing.Rule{}, err
	}
	return w.Rules.Get(r.Context(), id)
}

func (w *Admin) rule(rw http.ResponseWriter, r *http.Request) error {
	rule, err := w.ruleFor(r)
	if err != nil {
		return err
	}
	p := w.NewPage(r, "admin.rule.title", "admin")
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
	return w.showRule(rw, r, p, rule, http.StatusOK)
}

func (w *Admin) showRule(rw http.ResponseWriter, r *http.Request, p *web.Page, rule routing.Rule, status int) error {
	ctx := r.Context()
	d := ruleData{subnav: subnavOf("routing"), Rule: rule}
	var err error
	if d.Categories, err = w.categoryOptions(r, p, "admin.routing.any_category"); err != nil {
		return err
	}
	provinces, err := w.Areas.Provinces(ctx)
	if err != nil {
		return err
	}
	d.Provinces = []option{{Value: "", Label: p.T("admin.routing.anywhere")}}
	for _, a := range provinces {
		d.Provinces = append(d.Provinces, option{Value: a.Code, Label: a.FullName})
	}
	opts, byID, err := w.agencyOptions(ctx, false, p.Lang)
	if err != nil {
		return err
	}
	today := w.Today()
	d.Agencies = []option{{Value: "", Label: p.T("admin.choose")}}
	for _, o := range opts {
		// Offer agencies in operation, and the rule's own even when retired.
		id, _ := strconv.ParseInt(o.Value, 10, 64)
		if byID[id].ActiveOn(today) || id == rule.AgencyID {
			d.Agencies = append(d.Agencies, o)
		}
	}
	if ward := p.Form["ward"]; ward != "" {
		if a, err := w.Areas.Get(ctx, ward); err == nil {
			d.WardName = areaLabel(a)
		}
	}
	p.Data = d
	w.Render(rw, r, status, "admin_rule", p)
	return nil
}

func (w *Admin) ruleSave(rw http.ResponseWriter, r *http.Request) error {
	var cur routing.Rule
	if r.PathValue("id") != "" {
		var err error
		if cur, err = w.ruleFor(r); err != nil {
			return err
		}
	}
	p := w.NewPage(r, "admin.rule.new", "admin")
	if cur.ID != 0 {
		p.Title = "admin.rule.title"
	}
	fill(p, r)
	rule := routing.Rule{ID: cur.ID, AutoForward: r.PostFormValue("auto_forward") == "1", Note: vntext.Clean(r.PostFormValue("note"))}
	ward, province := strings.TrimSpace(r.PostFormValue("ward")), strings.TrimSpace(r.PostFormValue("province"))
	areaField := "province"
	rule.AreaCode = province
	if ward != "" {
		rule.AreaCode, areaField = ward, "ward"
	}
	var err error
	rule.CategoryID, err = formID(r.PostFormValue("category"), "category")
	if err == nil {
		rule.AgencyID, err = formID(r.PostFormValue("agency"), "agency")
	}
	if err == nil && vntext.Len(rule.Note) > 500 {
		err = errs.Invalidf("field.too_long", "max", "500").InField("note")
	}
	if err == nil {
		rule, err = w.Rules.SaveAudited(r.Context(), web.ActorOf(r), rule)
	}
	if err != nil {
		if errs.As(err).Key == "routing.scope_taken" {
			err = errs.As(err).InField(areaField)
		}
		if !fieldError(p, err, map[string]string{"area": areaField}) {
			return err
		}
		return w.showRule(rw, r, p, cur, http.StatusBadRequest)
	}
	flash := "admin.flash.rule_saved"
	if cur.ID == 0 {
		flash = "admin.flash.rule_created"
	}
	return w.Redirect(rw, r, "/console/admin/routing", flash)
}

func (w *Admin) ruleDelete(rw http.ResponseWriter, r *http.Request) error {
	rule, err := w.ruleFor(r)
	if err != nil {
		return err
	}
	if err := w.Rules.DeleteAudited(r.Context(), web.ActorOf(r), rule.ID); err != nil {
		return err
	}
	return w.Redirect(rw, r, "/console/admin/routing", "admin.flash.rule_deleted")
}
