package api

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/hotline-1022/hotline/internal/blob"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/public"
	"github.com/hotline-1022/hotline/internal/ratelimit"
	"github.com/hotline-1022/hotline/internal/ticket"
)

// The mobile app's endpoints under /api/v1/public: no staff credentials,
// limits per client address, phone number and tracking code (429 with
// Retry-After), idempotency keys on submit.

// maxSubmitBody bounds a multipart submission: every file at its limit
// and the fields.
const maxSubmitBody = ticket.MaxAttachments*blob.MaxSize + 1<<20

// PublicSubmitJSON is the JSON form of a public submission; files are
// uploaded first (POST /api/v1/public/attachments) and named by id.
type PublicSubmitJSON struct {
	IdempotencyKey string        `json:"idempotency_key"`
	Kind           string        `json:"kind"`
	Category       string        `json:"category"`
	Area           string        `json:"area"`
	Address        string        `json:"address"`
	Location       *LocationJSON `json:"location"`
	Content        string        `json:"content"`
	Name           string        `json:"name"`
	Phone          string        `json:"phone"`
	Email          string        `json:"email"`
	Consent        bool          `json:"consent"`
	HideIdentity   bool          `json:"hide_identity"`
	Attachments    []string      `json:"attachments"`
}

// PublicTicketJSON is a ticket as its reporter sees it.
type PublicTicketJSON struct {
	Code       string            `json:"code"`
	State      string            `json:"state"` // public.State: the agency's own steps read "handling"
	Title      string            `json:"title"`
	Category   *RefJSON          `json:"category,omitempty"`
	Area       *RefJSON          `json:"area,omitempty"`
	ReceivedAt time.Time         `json:"received_at"`
	Answer     string            `json:"answer,omitempty"`
	Rating     *int              `json:"rating,omitempty"`
	MayRate    bool              `json:"may_rate"`
	MayReopen  bool              `json:"may_reopen"`
	Timeline   []PublicEntryJSON `json:"timeline"`
	Duplicate  bool              `json:"duplicate,omitempty"`
}

// PublicEntryJSON is a line of the public timeline.
type PublicEntryJSON struct {
	At    time.Time `json:"at"`
	Event string    `json:"event"`
	Body  string    `json:"body,omitempty"`
}

func (a *API) publicSubmit(w http.ResponseWriter, r *http.Request) error {
	ip := httpx.ClientIP(r, a.TrustProxy)
	sub := public.Submission{Channel: ticket.App, IP: ip, Key: r.Header.Get("Idempotency-Key"), Lang: lang(r)}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		r.Body = http.MaxBytesReader(w, r.Body, maxSubmitBody)
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return errs.E(errs.TooLarge, "error.body_too_large")
			}
			return errs.Invalidf("error.invalid")
		}
		defer r.MultipartForm.RemoveAll()
		f := r.PostFormValue
		if sub.Key == "" {
			sub.Key = f("idempotency_key")
		}
		sub.Kind, sub.Category, sub.Area, sub.Address = f("kind"), f("category"), f("area"), f("address")
		sub.Content, sub.Name, sub.Phone, sub.Email = f("content"), f("name"), f("phone"), f("email")
		sub.Consent, sub.Hide = f("consent") == "true", f("hide_identity") == "true"
		var err error
		if sub.Lat, sub.Lng, err = public.ParsePoint(f("lat"), f("lng")); err != nil {
			return err
		}
		if bad := sub.Check(); bad != nil {
			return bad // before any file is stored
		}
		if sub.Files, err = a.Public.StoreAll(r.MultipartForm.File["files"]); err != nil {
			return err
		}
	} else {
		var in PublicSubmitJSON
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			return err
		}
		if sub.Key == "" {
			sub.Key = in.IdempotencyKey
		}
		sub.Kind, sub.Category, sub.Area, sub.Address = in.Kind, in.Category, in.Area, in.Address
		sub.Content, sub.Name, sub.Phone, sub.Email = in.Content, in.Name, in.Phone, in.Email
		sub.Consent, sub.Hide = in.Consent, in.HideIdentity
		if in.Location != nil {
			sub.Lat, sub.Lng = &in.Location.Lat, &in.Location.Lng
		}
		if len(in.Attachments) > ticket.MaxAttachments {
			return errs.Invalidf("public.too_many_files", "max", strconv.Itoa(ticket.MaxAttachments)).InField("attachments")
		}
		for _, id := range in.Attachments {
			f, err := a.Public.Uploaded(id, "")
			if err != nil {
				return err
			}
			sub.Files = append(sub.Files, f)
		}
	}
	c, err := a.Public.Submit(r.Context(), sub)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if c.Duplicate {
		status = http.StatusOK
	}
	out := publicTicketJSON(r, ticket.Tracked{Ticket: c.Ticket, Timeline: []ticket.PublicEntry{{At: c.Ticket.ReceivedAt, Event: "receive"}}})
	out.Duplicate = c.Duplicate
	httpx.WriteJSON(w, status, out)
	return nil
}

func (a *API) publicUpload(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, blob.MaxSize+1<<16)
	name := ""
	body := r.Body
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		f, fh, err := r.FormFile("file")
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return public.BlobError(blob.ErrTooLarge)
			}
			return errs.Invalidf("field.required").InField("file")
		}
		defer f.Close()
		defer r.MultipartForm.RemoveAll()
		body, name = f, fh.Filename
	}
	att, err := a.Public.Upload(body, name, httpx.ClientIP(r, a.TrustProxy))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return public.BlobError(blob.ErrTooLarge)
		}
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"id": att.SHA256, "mime": att.MIME, "size": att.Size})
	return nil
}

// PublicProofJSON proves who tracks: the tracking code and the phone's
// last four digits or the e-mail given with the report.
type PublicProofJSON struct {
	Code    string `json:"code"`
	Proof   string `json:"proof"`
	Rating  int    `json:"rating,omitempty"`
	Comment string `json:"comment,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

func (a *API) publicTrack(w http.ResponseWriter, r *http.Request) error {
	return a.publicStep(w, r, func(in PublicProofJSON, ip string) (ticket.Tracked, error) {
		return a.Public.Track(r.Context(), in.Code, in.Proof, ip)
	})
}

func (a *API) publicRate(w http.ResponseWriter, r *http.Request) error {
	return a.publicStep(w, r, func(in PublicProofJSON, ip string) (ticket.Tracked, error) {
		return a.Public.Rate(r.Context(), in.Code, in.Proof, ip, in.Rating, in.Comment)
	})
}

func (a *API) publicReopen(w http.ResponseWriter, r *http.Request) error {
	return a.publicStep(w, r, func(in PublicProofJSON, ip string) (ticket.Tracked, error) {
		return a.Public.Reopen(r.Context(), in.Code, in.Proof, ip, in.Reason)
	})
}

func (a *API) publicStep(w http.ResponseWriter, r *http.Request, step func(PublicProofJSON, string) (ticket.Tracked, error)) error {
	var in PublicProofJSON
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	tr, err := step(in, httpx.ClientIP(r, a.TrustProxy))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, publicTicketJSON(r, tr))
	return nil
}

func publicTicketJSON(r *http.Request, tr ticket.Tracked) PublicTicketJSON {
	t := tr.Ticket
	out := PublicTicketJSON{Code: t.Code, State: public.State(t.State), Title: t.Title, ReceivedAt: t.ReceivedAt.UTC(),
		MayRate: tr.MayRate, MayReopen: tr.MayReopen, Timeline: []PublicEntryJSON{}}
	if t.CategoryCode != "" {
		name := t.CategoryName
		if lang(r) == "en" && t.CategoryNameEN != "" {
			name = t.CategoryNameEN
		}
		out.Category = &RefJSON{Code: t.CategoryCode, Name: name}
	}
	if t.AreaCode != "" {
		out.Area = &RefJSON{Code: t.AreaCode, Name: t.AreaName}
	}
	if t.State == ticket.Replied || t.State == ticket.Closed {
		out.Answer = t.Answer
	}
	if t.Rating != 0 {
		out.Rating = &t.Rating
	}
	for _, e := range tr.Timeline {
		out.Timeline = append(out.Timeline, PublicEntryJSON{At: e.At.UTC(), Event: e.Event, Body: e.Body})
	}
	return out
}

// retryAfter sets Retry-After on a refusal for too many attempts.
func retryAfter(w http.ResponseWriter, err error) {
	var l *public.Limited
	if errors.As(err, &l) {
		w.Header().Set("Retry-After", ratelimit.RetryAfter(l.Wait))
	}
}
