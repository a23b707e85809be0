package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/reply"
)

func (w *Web) adminReplyRoutes(rt *router) {
	rt.page("GET /console/admin/replies", adminRoles, w.adminReplies)
	rt.page("GET /console/admin/replies/new", adminRoles, w.adminReplyNew)
	rt.page("POST /console/admin/replies", adminRoles, w.adminReplySave)
	rt.page("GET /console/admin/replies/{id}", adminRoles, w.adminReply)
	rt.page("POST /console/admin/replies/{id}", adminRoles, w.adminReplySave)
}

type adRepliesData struct {
	adminBase
	Templates  []reply.Template
	Categories map[int64]string
}

func (w *Web) adminReplies(rw http.ResponseWriter, r *http.Request) error {
	p := w.adminPage(r, "replies")
	list, err := w.Replies.List(r.Context(), false, 0)
	if err != nil {
		return err
	}
	cats, err := w.adCategoryNames(r, p)
	if err != nil {
		return err
	}
	p.Data = adRepliesData{adminBase: adBase("replies"), Templates: list, Categories: cats}
	w.render(rw, r, http.StatusOK, "admin_replies", p)
	return nil
}

// adReplyVar is a template variable with what it becomes.
type adReplyVar struct{ Name, Help string }

type adReplyData struct {
	adminBase
	Template   reply.Template
	Categories []adOption
	Variables  []adReplyVar
}

func (w *Web) adminReplyNew(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "admin.reply.new", "admin")
	p.Form["active"] = "1"
	return w.adShowReply(rw, r, p, reply.Template{}, http.StatusOK)
}

func (w *Web) adReplyFor(r *http.Request) (reply.Template, error) {
	id, err := adPathID(r, "id")
	if err != nil {
		return reply.Template{}, err
	}
	return w.Replies.Get(r.Context(), id)
}

func (w *Web) adminReply(rw http.ResponseWriter, r *http.Request) error {
	t, err := w.adReplyFor(r)
	if err != nil {
		return err
	}
	p := w.newPage(r, "admin.reply.title", "admin")
	p.Form["name"], p.Form["body"] = t.Name, t.Body
	if t.CategoryID != 0 {
		p.Form["category"] = strconv.FormatInt(t.CategoryID, 10)
	}
	if t.Active {
		p.Form["active"] = "1"
	}
	return w.adShowReply(rw, r, p, t, http.StatusOK)
}

func (w *Web) adShowReply(rw http.ResponseWriter, r *http.Request, p *page, t reply.Template, status int) error {
	d := adReplyData{adminBase: adBase("replies"), Template: t}
	var err error
	if d.Categories, err = w.adCategoryOptions(r, p, "admin.reply.general"); err != nil {
		return err
	}
	for _, v := range reply.Variables {
		d.Variables = append(d.Variables, adReplyVar{Name: v, Help: p.T("admin.reply.var_" + strings.Trim(v, "{}"))})
	}
	p.Data = d
	w.render(rw, r, status, "admin_reply", p)
	return nil
}

func (w *Web) adminReplySave(rw http.ResponseWriter, r *http.Request) error {
	var cur reply.Template
	if r.PathValue("id") != "" {
		var err error
		if cur, err = w.adReplyFor(r); err != nil {
			return err
		}
	}
	p := w.newPage(r, "admin.reply.new", "admin")
	if cur.ID != 0 {
		p.Title = "admin.reply.title"
	}
	adFill(p, r)
	t := reply.Template{ID: cur.ID, Name: r.PostFormValue("name"), Body: r.PostFormValue("body"), Active: r.PostFormValue("active") == "1"}
	var err error
	if t.CategoryID, err = adID(r.PostFormValue("category"), "category"); err == nil {
		t, err = w.Replies.Save(r.Context(), actorOf(r), t)
	}
	if err != nil {
		if !adFieldError(p, err, nil) {
			return err
		}
		return w.adShowReply(rw, r, p, cur, http.StatusBadRequest)
	}
	flash := "admin.flash.reply_saved"
	if cur.ID == 0 {
		flash = "admin.flash.reply_created"
	}
	return w.redirect(rw, r, "/console/admin/replies/"+strconv.FormatInt(t.ID, 10), flash)
}
