package admin

import (
	"net/http"
	"strconv"

	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/web"
)

type categoriesData struct {
	subnav
	Categories []category.Category
	Parents    map[int64]string
}

func (w *Admin) categories(rw http.ResponseWriter, r *http.Request) error {
	if code := r.URL.Query().Get("code"); code != "" {
		// The audit log names categories by code.
		c, err := w.Categories.ByCode(r.Context(), code)
		if err != nil {
			return err
		}
		http.Redirect(rw, r, "/console/admin/categories/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
		return nil
	}
	p := w.page(r, "categories")
	list, err := w.Categories.List(r.Context(), true)
	if err != nil {
		return err
	}
	d := categoriesData{subnav: subnavOf("categories"), Categories: list, Parents: map[int64]string{}}
	for _, c := range list {
		d.Parents[c.ID] = c.Name(string(p.Lang))
	}
	p.Data = d
	w.Render(rw, r, http.StatusOK, "admin_categories", p)
	return nil
}

type categoryData struct {
	subnav
	Category category.Category
	Kinds    []option
	Parents  []option
}

func (w *Admin) categoryNew(rw http.ResponseWriter, r *http.Request) error {
	p := w.NewPage(r, "admin.category.new", "admin")
	p.Form["default_kind"] = string(category.KindReport)
	return w.showCategory(rw, r, p, category.Category{}, http.StatusOK)
}

func (w *Admin) categoryFor(r *http.Request) (category.Category, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return category.Category{}, err
	}
	return w.Categories.Get(r.Context(), id)
}

func (w *Admin) category(rw http.ResponseWriter, r *http.Request) error {
	c, err := w.categoryFor(r)
	if err != nil {
		return err
	}
	p := w.NewPage(r, "admin.category.title", "admin")
	p.Form["code"], p.Form["name_vi"], p.Form["name_en"], p.Form["description"] = c.Code, c.NameVI, c.NameEN, c.Description
	p.Form["default_kind"], p.Form["sort"] = c.DefaultKind, strconv.Itoa(c.Sort)
	if c.ParentID != 0 {
		p.Form["parent_id"] = strconv.FormatInt(c.ParentID, 10)
	}
	return w.showCategory(rw, r, p, c, http.StatusOK)
}

func (w *Admin) showCategory(rw http.ResponseWriter, r *http.Request, p *web.Page, c category.Category, status int) error {
	d := categoryData{subnav: subnavOf("categories"), Category: c}
	for _, k := range category.Kinds() {
		d.Kinds = append(d.Kinds, option{Value: string(k.Code), Label: k.Name(string(p.Lang))})
	}
	list, err := w.Categories.List(r.Context(), true)
	if err != nil {
		return err
	}
	d.Parents = []option{{Value: "", Label: p.T("admin.category.no_parent")}}
	for _, x := range list {
		if x.ID != c.ID {
			d.Parents = append(d.Parents, option{Value: strconv.FormatInt(x.ID, 10), Label: x.Name(string(p.Lang)), Muted: !x.Active})
		}
	}
	p.Data = d
	w.Render(rw, r, status, "admin_category", p)
	return nil
}

func (w *Admin) categorySave(rw http.ResponseWriter, r *http.Request) error {
	var cur category.Category
	if r.PathValue("id") != "" {
		var err error
		if cur, err = w.categoryFor(r); err != nil {
			return err
		}
	}
	p := w.NewPage(r, "admin.category.new", "admin")
	if cur.ID != 0 {
		p.Title = "admin.category.title"
	}
	fill(p, r)
	c := category.Category{ID: cur.ID, Code: r.PostFormValue("code"), NameVI: r.PostFormValue("name_vi"), NameEN: r.PostFormValue("name_en"),
		Description: r.PostFormValue("description"), DefaultKind: r.PostFormValue("default_kind")}
	var err error
	if c.Sort, err = formInt(r.PostFormValue("sort"), "sort"); err == nil && c.Sort < 0 {
		err = invalidField("sort")
	}
	if err == nil {
		c.ParentID, err = formID(r.PostFormValue("parent_id"), "parent_id")
	}
	if err == nil {
		if cur.ID == 0 {
			c, err = w.Categories.Create(r.Context(), web.ActorOf(r), c)
		} else {
			c, err = w.Categories.Update(r.Context(), web.ActorOf(r), c)
		}
	}
	if err != nil {
		if !fieldError(p, err, map[string]string{"kind": "default_kind"}) {
			return err
		}
		return w.showCategory(rw, r, p, cur, http.StatusBadRequest)
	}
	flash := "admin.flash.category_saved"
	if cur.ID == 0 {
		flash = "admin.flash.category_created"
	}
	return w.Redirect(rw, r, "/console/admin/categories/"+strconv.FormatInt(c.ID, 10), flash)
}

func (w *Admin) categoryActive(rw http.ResponseWriter, r *http.Request) error {
	c, err := w.categoryFor(r)
	if err != nil {
		return err
	}
	active := r.PostFormValue("active") == "1"
	if err := w.Categories.SetActive(r.Context(), web.ActorOf(r), c.ID, active); err != nil {
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
	return w.Redirect(rw, r, to, flash)
}
