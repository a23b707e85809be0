package admin

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/reply"
	"github.com/hotline-1022/hotline/internal/web"
)

type repliesData struct {
	subnav
	Templates  []reply.Template
	Categories map[int64]string
}

func (w *Admin) replies(rw http.ResponseWriter, r *http.Request) error {
	p := w.page(r, "replies")
	list, err := w.Replies.List(r.Context(), false, 0)
	if err != nil {
		return err
	}
	cats, err := w.categoryNames(r, p)
	if err != nil {
		return err
	}
	p.Data = repliesData{subnav: subnavOf("replies"), Templates: list, Categories: cats}
	w.Render(rw, r, http.StatusOK, "admin_replies", p)
	return nil
}

// replyVar is a template variable with what it becomes.
type replyVar struct{ Name, Help string }

type replyData struct {
	subnav
	Template   reply.Template
	Categories []option
	Variables  []replyVar
}

func (w *Admin) replyNew(rw http.ResponseWriter, r *http.Request) error {
	p := w.NewPage(r, "admin.reply.new", "admin")
	p.Form["active"] = "1"
	return w.showReply(rw, r, p, reply.Template{}, http.StatusOK)
}

func (w *Admin) replyFor(r *http.Request) (reply.Template, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return reply.Template{}, err
	}
	return w.Replies.Get(r.Context(), id)
}

func (w *Admin) reply(rw http.ResponseWriter, r *http.Request) error {
	t, err := w.replyFor(r)
	if err != nil {
		return err
	}
	p := w.NewPage(r, "admin.reply.title", "admin")
	p.Form["name"], p.Form["body"] = t.Name, t.Body
	if t.CategoryID != 0 {
		p.Form["category"] = strconv.FormatInt(t.CategoryID, 10)
	}
	if t.Active {
		p.Form["active"] = "1"
	}
	return w.showReply(rw, r, p, t, http.StatusOK)
}

func (w *Admin) showReply(rw http.ResponseWriter, r *http.Request, p *web.Page, t reply.Template, status int) error {
	d := replyData{subnav: subnavOf("replies"), Template: t}
	var err error
	if d.Categories, err = w.categoryOptions(r, p, "admin.reply.general"); err != nil {
		return err
	}
	for _, v := range reply.Variables {
		d.Variables = append(d.Variables, replyVar{Name: v, Help: p.T("admin.reply.var_" + strings.Trim(v, "{}"))})
	}
	p.Data = d
	w.Render(rw, r, status, "admin_reply", p)
	return nil
}

func (w *Admin) replySave(rw http.ResponseWriter, r *http.Request) error {
	var cur reply.Template
	if r.PathValue("id") != "" {
		var err error
		if cur, err = w.replyFor(r); err != nil {
			return err
		}
	}
	p := w.NewPage(r, "admin.reply.new", "admin")
	if cur.ID != 0 {
		p.Title = "admin.reply.title"
	}
	fill(p, r)
	t := reply.Template{ID: cur.ID, Name: r.PostFormValue("name"), Body: r.PostFormValue("body"), Active: r.PostFormValue("active") == "1"}
	var err error
	if t.CategoryID, err = formID(r.PostFormValue("category"), "category"); err == nil {
		t, err = w.Replies.Save(r.Context(), web.ActorOf(r), t)
	}
	if err != nil {
		if !fieldError(p, err, nil) {
			return err
		}
		return w.showReply(rw, r, p, cur, http.StatusBadRequest)
	}
	flash := "admin.flash.reply_saved"
	if cur.ID == 0 {
		flash = "admin.flash.reply_created"
	}
	return w.Redirect(rw, r, "/console/admin/replies/"+strconv.FormatInt(t.ID, 10), flash)
}
