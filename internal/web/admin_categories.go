package web

import (
	"net/http"
	"strconv"

	"github.com/hotline-1022/hotline/internal/category"
)

func (w *Web) adminCategoryRoutes(rt *router) {
	rt.page("GET /console/admin/categories", adminRoles, w.adminCategories)
	rt.page("GET /console/admin/categories/new", adminRoles, w.adminCategoryNew)
	rt.page("POST /console/admin/categories", adminRoles, w.adminCategorySave)
	rt.page("GET /console/admin/categories/{id}", adminRoles, w.adminCategory)
	rt.page("POST /console/admin/categories/{id}", adminRoles, w.adminCategorySave)
	rt.page("POST /console/admin/categories/{id}/active", adminRoles, w.adminCategoryActive)
}

type adCategoriesData struct {
	adminBase
	Categories []category.Category
	Parents    map[int64]string
}

func (w *Web) adminCategories(rw http.ResponseWriter, r *http.Request) error {
	if code := r.URL.Query().Get("code"); code != "" {
		// The audit log names categories by code.
		c, err := w.Categories.ByCode(r.Context(), code)
		if err != nil {
			return err
		}
		http.Redirect(rw, r, "/console/admin/categories/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
		return nil
	}
	p := w.adminPage(r, "categories")
	list, err := w.Categories.List(r.Context(), true)
	if err != nil {
		return err
	}
	d := adCategoriesData{adminBase: adBase("categories"), Categories: list, Parents: map[int64]string{}}
	for _, c := range list {
		d.Parents[c.ID] = c.Name(string(p.Lang))
	}
	p.Data = d
	w.render(rw, r, http.StatusOK, "admin_categories", p)
	return nil
}

type adCategoryData struct {
	adminBase
	Category category.Category
	Kinds    []adOption
	Parents  []adOption
}

func (w *Web) adminCategoryNew(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "admin.category.new", "admin")
	p.Form["default_kind"] = string(category.KindReport)
	return w.adShowCategory(rw, r, p, category.Category{}, http.StatusOK)
}

func (w *Web) adCategoryFor(r *http.Request) (category.Category, error) {
	id, err := adPathID(r, "id")
	if err != nil {
		return category.Category{}, err
	}
	return w.Categories.Get(r.Context(), id)
}

func (w *Web) adminCategory(rw http.ResponseWriter, r *http.Request) error {
	c, err := w.adCategoryFor(r)
	if err != nil {
		return err
	}
	p := w.newPage(r, "admin.category.title", "admin")
	p.Form["code"], p.Form["name_vi"], p.Form["name_en"], p.Form["description"] = c.Code, c.NameVI, c.NameEN, c.Description
	p.Form["default_kind"], p.Form["sort"] = c.DefaultKind, strconv.Itoa(c.Sort)
	if c.ParentID != 0 {
		p.Form["parent_id"] = strconv.FormatInt(c.ParentID, 10)
	}
	return w.adShowCategory(rw, r, p, c, http.StatusOK)
}

func (w *Web) adShowCategory(rw http.ResponseWriter, r *http.Request, p *page, c category.Category, status int) error {
	d := adCategoryData{adminBase: adBase("categories"), Category: c}
	for _, k := range category.Kinds() {
		d.Kinds = append(d.Kinds, adOption{Value: string(k.Code), Label: k.Name(string(p.Lang))})
	}
	list, err := w.Categories.List(r.Context(), true)
	if err != nil {
		return err
	}
	d.Parents = []adOption{{Value: "", Label: p.T("admin.category.no_parent")}}
	for _, x := range list {
		if x.ID != c.ID {
			d.Parents = append(d.Parents, adOption{Value: strconv.FormatInt(x.ID, 10), Label: x.Name(string(p.Lang)), Muted: !x.Active})
		}
	}
	p.Data = d
	w.render(rw, r, status, "admin_category", p)
	return nil
}

func (w *Web) adminCategorySave(rw http.ResponseWriter, r *http.Request) error {
	var cur category.Category
	if r.PathValue("id") != "" {
		var err error
		if cur, err = w.adCategoryFor(r); err != nil {
			return err
		}
	}
	p := w.newPage(r, "admin.category.new", "admin")
	if cur.ID != 0 {
		p.Title = "admin.category.title"
	}
	adFill(p, r)
	c := category.Category{ID: cur.ID, Code: r.PostFormValue("code"), NameVI: r.PostFormValue("name_vi"), NameEN: r.PostFormValue("name_en"),
		Description: r.PostFormValue("description"), DefaultKind: r.PostFormValue("default_kind")}
	var err error
	if c.Sort, err = adInt(r.PostFormValue("sort"), "sort"); err == nil && c.Sort < 0 {
		err = adInvalid("sort")
	}
	if err == nil {
		c.ParentID, err = adID(r.PostFormValue("parent_id"), "parent_id")
	}
	if err == nil {
		if cur.ID == 0 {
			c, err = w.Categories.Create(r.Context(), actorOf(r), c)
		} else {
			c, err = w.Categories.Update(r.Context(), actorOf(r), c)
		}
	}
	if err != nil {
		if !adFieldError(p, err, map[string]string{"kind": "default_kind"}) {
			return err
		}
		return w.adShowCategory(rw, r, p, cur, http.StatusBadRequest)
	}
	flash := "admin.flash.category_saved"
	if cur.ID == 0 {
		flash = "admin.flash.category_created"
	}
	return w.redirect(rw, r, "/console/admin/categories/"+strconv.FormatInt(c.ID, 10), flash)
}

func (w *Web) adminCategoryActive(rw http.ResponseWriter, r *http.Request) error {
	c, err := w.adCategoryFor(r)
	if err != nil {
		return err
	}
	active := r.PostFormValue("active") == "1"
	if err := w.Categories.SetActive(r.Context(), actorOf(r), c.ID, active); err != nil {
		return err
	}
	flash := "admin.flash.category_deactivated"
	if active {
		flash = "admin.flash.category_activated"
	}
	to := "/console/admin/categories"
	if r.PostFormValue("back") == "edit" {
		to += "/" + strconv.FormatInt(c.ID, 10)
	}
	return w.redirect(rw, r, to, flash)
}
