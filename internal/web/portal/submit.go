package portal

import (
	"errors"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/blob"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/public"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web"
)

// submitFields are the form's text fields, kept when the form comes back
// with an error.
var submitFields = []string{"kind", "category", "area", "address", "content", "name", "phone", "email", "consent", "hide", "key", "kept", "kept_name", "lat", "lng"}

// submitData is what the form offers.
type submitData struct {
	Kinds      []category.KindInfo
	Categories []category.Category
	Wards      []area.Area
}

// portalKinds are the kinds a citizen chooses from; the desk's other
// kinds (complaint, emergency…) are the desk's to set.
var portalKinds = map[category.Kind]bool{category.KindReport: true, category.Kind("question"): true,
	category.Kind("suggestion"): true, category.Kind("proposal"): true}

func (p *Portal) submitData(r *http.Request) (submitData, error) {
	var d submitData
	for _, k := range category.Kinds() {
		if portalKinds[k.Code] {
			d.Kinds = append(d.Kinds, k)
		}
	}
	var err error
	if d.Categories, err = p.Categories.List(r.Context(), false); err != nil {
		return d, err
	}
	if p.Province != "" {
		if d.Wards, err = p.Areas.Wards(r.Context(), p.Province); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (p *Portal) submitForm(w http.ResponseWriter, r *http.Request) error {
	pg := p.page(w, r, "portal.submit_title")
	pg.Nav = "submit"
	// The form's idempotency key: submitting twice (a double click, a
	// reload of the answer) makes one ticket.
	pg.Form["key"] = web.RandomToken()
	pg.Form["consent"] = ""
	return p.showSubmit(w, r, pg, http.StatusOK)
}

func (p *Portal) showSubmit(w http.ResponseWriter, r *http.Request, pg *web.Page, status int) error {
	d, err := p.submitData(r)
	if err != nil {
		return err
	}
	pg.Data = d
	p.Render(w, r, status, "portal_submit", pg)
	return nil
}

// maxForm bounds the form: a photo at its limit and the fields.
const maxForm = blob.MaxSize + 1<<20

func (p *Portal) submit(w http.ResponseWriter, r *http.Request) error {
	pg := p.page(w, r, "portal.submit_title")
	pg.Nav = "submit"
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			// What was typed is lost with the body; say why.
			pg.Error = pg.Err(public.BlobError(blob.ErrTooLarge))
			pg.Form["key"] = web.RandomToken()
			return p.showSubmit(w, r, pg, http.StatusRequestEntityTooLarge)
		}
		if err := r.ParseForm(); err != nil {
			return errs.Invalidf("error.invalid")
		}
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	for _, f := range submitFields {
		pg.Form[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	pg.Form["content"] = r.PostFormValue("content")
	if err := checkCSRF(r); err != nil {
		pg.Error = pg.Err(err)
		return p.showSubmit(w, r, pg, http.StatusForbidden)
	}
	if r.PostFormValue("website") != "" {
		// The honeypot, a field people do not see: a script filled it.
		pg.Error = pg.T("portal.honeypot")
		return p.showSubmit(w, r, pg, http.StatusBadRequest)
	}
	f := pg.Form
	sub := public.Submission{Channel: ticket.Web, Key: f["key"], Kind: f["kind"], Category: f["category"], Area: f["area"],
		Address: f["address"], Content: f["content"], Name: f["name"], Phone: f["phone"], Email: f["email"],
		Consent: f["consent"] != "", Hide: f["hide"] != "", IP: httpx.ClientIP(r, p.TrustProxy), Lang: pg.Lang}
	var err error
	if sub.Lat, sub.Lng, err = public.ParsePoint(f["lat"], f["lng"]); err != nil {
		// Only the page's script fills the point: a bad one is cleared
		// and named beside the location button.
		f["lat"], f["lng"] = "", ""
		pg.Errors["location"] = pg.Err(err)
		pg.Error = pg.T("portal.fix_fields")
		return p.showSubmit(w, r, pg, http.StatusBadRequest)
	}
	var photos []*multipart.FileHeader
	if r.MultipartForm != nil {
		photos = r.MultipartForm.File["photo"]
	}
	if bad := sub.Check(); bad != nil {
		for field, e := range bad {
			pg.Errors[field] = pg.Err(e)
		}
		pg.Error = pg.T("portal.fix_fields")
		// The photo is kept too: stored now, named in the form that comes
		// back, so the citizen need not choose it again.
		if files, err := p.Public.StoreAll(photos); err != nil {
			pg.Errors["photo"] = pg.Err(err)
		} else if len(files) > 0 {
			pg.Form["kept"], pg.Form["kept_name"] = files[0].SHA256, files[0].Name
		}
		return p.showSubmit(w, r, pg, http.StatusBadRequest)
	}
	files, err := p.Public.StoreAll(photos)
	if err != nil {
		return p.submitError(w, r, pg, err)
	}
	if len(files) == 0 && f["kept"] != "" {
		kept, err := p.Public.Uploaded(f["kept"], f["kept_name"])
		if err != nil {
			pg.Form["kept"], pg.Form["kept_name"] = "", ""
			return p.submitError(w, r, pg, err)
		}
		files = append(files, kept)
	}
	sub.Files = files
	c, err := p.Public.Submit(r.Context(), sub)
	if err != nil {
		return p.submitError(w, r, pg, err)
	}
	done := p.page(w, r, "portal.submitted_title")
	done.Nav = "submit"
	done.Data = c.Ticket
	p.Render(w, r, http.StatusOK, "portal_submitted", done)
	return nil
}

// submitError puts a refusal the citizen can fix beside its field (or
// above the form) and shows the form again as typed.
func (p *Portal) submitError(w http.ResponseWriter, r *http.Request, pg *web.Page, err error) error {
	e := errs.As(err)
	switch e.Code {
	case errs.Invalid, errs.TooLarge, errs.RateLimited, errs.Conflict:
	default:
		return err
	}
	field := e.Field
	if field == "files" || field == "attachments" {
		field = "photo"
	}
	if field != "" {
		pg.Errors[field] = pg.Err(err)
		pg.Error = pg.T("portal.fix_fields")
	} else {
		pg.Error = pg.Err(err)
	}
	if e.Code == errs.Conflict {
		// The key was used for another report: this one gets a new key.
		pg.Form["key"] = web.RandomToken()
	}
	var l *public.Limited
	if errors.As(err, &l) {
		w.Header().Set("Retry-After", retryAfter(l))
	}
	return p.showSubmit(w, r, pg, httpx.Status(e.Code))
}
