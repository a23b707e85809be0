package desk

import (
	"errors"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/blob"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web"
)

// answer is the agency's answer with its attachments. Every file is
// checked before any is stored, so one bad file stores nothing; the answer
// and the attachment records then commit together.
func (w *Desk) answer(rw http.ResponseWriter, r *http.Request, t ticket.Ticket) error {
	text := r.PostFormValue("text")
	var parts []*multipart.FileHeader
	if r.MultipartForm != nil {
		// A form with no file chosen still sends one empty part.
		parts = slices.DeleteFunc(slices.Clone(r.MultipartForm.File["files"]), func(h *multipart.FileHeader) bool {
			return h.Filename == "" && h.Size == 0
		})
	}
	a := web.ActorOf(r)
	// Nothing is stored for an answer that will be refused anyway.
	if strings.TrimSpace(text) == "" || !slices.Contains(ticket.Allowed(a, t), ticket.AnswerAction) {
		parts = nil
	}
	if len(parts) > ticket.MaxAttachments {
		return w.failed(rw, r, t, "answer", errs.Invalidf("ws.attach.too_many", "max", strconv.Itoa(ticket.MaxAttachments)).InField("files"))
	}
	for _, h := range parts {
		if err := checkPart(h); err != nil {
			return w.failed(rw, r, t, "answer", err)
		}
	}
	files := make([]ticket.NewAttachment, 0, len(parts))
	for _, h := range parts {
		f, err := h.Open()
		if err != nil {
			return err
		}
		info, err := w.Blobs.Put(f)
		f.Close()
		if err != nil {
			return w.failed(rw, r, t, "answer", blobError(err, h.Filename))
		}
		files = append(files, ticket.NewAttachment{SHA256: info.SHA256, Name: blob.SafeName(h.Filename, info.MIME), MIME: info.MIME, Size: info.Size})
	}
	after, err := w.Tickets.AnswerWith(r.Context(), a, t.ID, ticket.Input{Text: text}, files)
	if err != nil {
		return w.failed(rw, r, t, "answer", err)
	}
	return w.done(rw, r, after, ticket.AnswerAction)
}

// checkPart checks an uploaded file's size and type without storing it.
func checkPart(h *multipart.FileHeader) error {
	f, err := h.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := blob.Detect(f, h.Size); err != nil {
		return blobError(err, h.Filename)
	}
	return nil
}

// blobError says what is wrong with an uploaded file, beside the field.
func blobError(err error, name string) error {
	name = blob.SafeName(name, "")
	switch {
	case errors.Is(err, blob.ErrTypeNotAllowed):
		return errs.Invalidf("ws.attach.type", "name", name).InField("files")
	case errors.Is(err, blob.ErrTooLarge):
		return errs.E(errs.TooLarge, "ws.attach.too_large", "name", name, "mb", strconv.Itoa(blob.MaxSize>>20)).InField("files")
	case errors.Is(err, blob.ErrEmpty):
		return errs.Invalidf("ws.attach.empty", "name", name).InField("files")
	case errors.Is(err, blob.ErrNoStore):
		return errs.E(errs.Unavailable, "ws.attach.unavailable").InField("files").Wrap(err)
	}
	return err
}

// attachment sends a stored file to a user who may see its ticket, always
// as a download: never rendered by the browser, whatever it contains.
func (w *Desk) attachment(rw http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.NotFoundf("error.not_found")
	}
	a, err := w.Tickets.Attachment(r.Context(), web.ActorOf(r), id)
	if err != nil {
		return err
	}
	f, err := w.Blobs.Open(a.SHA256)
	if errors.Is(err, blob.ErrNotFound) || errors.Is(err, blob.ErrNoStore) {
		return errs.NotFoundf("error.not_found")
	} else if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	ct := a.MIME
	if !blob.Allowed(ct) {
		ct = "application/octet-stream"
	}
	h := rw.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": blob.SafeName(a.Name, a.MIME)}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	http.ServeContent(rw, r, "", st.ModTime(), f)
	return nil
}
