package portal

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/public"
	"github.com/hotline-1022/hotline/internal/ratelimit"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web"
)

// The tracking page: the code and the proof are posted, never put in a
// URL, so they stay out of histories and logs. The rate and reopen forms
// carry them again as hidden fields.

// trackedData is the public view of the citizen's ticket.
type trackedData struct {
	T       ticket.Tracked
	Status  string // the public state's key: portal.state.*
	Proof   string
	Ratings []int
}

func (p *Portal) trackForm(w http.ResponseWriter, r *http.Request) error {
	pg := p.page(w, r, "portal.track_title")
	pg.Nav = "track"
	pg.Form["code"] = strings.TrimSpace(r.URL.Query().Get("code"))
	p.Render(w, r, http.StatusOK, "portal_track", pg)
	return nil
}

func (p *Portal) track(w http.ResponseWriter, r *http.Request) error {
	return p.step(w, r, func(code, proof, ip string) (ticket.Tracked, string, error) {
		tr, err := p.Public.Track(r.Context(), code, proof, ip)
		return tr, "", err
	})
}

func (p *Portal) rate(w http.ResponseWriter, r *http.Request) error {
	return p.step(w, r, func(code, proof, ip string) (ticket.Tracked, string, error) {
		n, err := strconv.Atoi(r.PostFormValue("rating"))
		if err != nil || n < 1 || n > 5 {
			return ticket.Tracked{}, "", errs.Invalidf("portal.rating_required").InField("rating")
		}
		tr, err := p.Public.Rate(r.Context(), code, proof, ip, n, strings.TrimSpace(r.PostFormValue("comment")))
		return tr, "portal.rated", err
	})
}

func (p *Portal) reopen(w http.ResponseWriter, r *http.Request) error {
	return p.step(w, r, func(code, proof, ip string) (ticket.Tracked, string, error) {
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		if reason == "" {
			return ticket.Tracked{}, "", errs.Invalidf("portal.reason_required").InField("reason")
		}
		tr, err := p.Public.Reopen(r.Context(), code, proof, ip, reason)
		return tr, "portal.reopened", err
	})
}

// step runs a tracking-page form: the code and proof find the ticket (the
// same message for a wrong code and a wrong proof), then the action. A
// refusal shows beside its field, with what was typed kept.
func (p *Portal) step(w http.ResponseWriter, r *http.Request, do func(code, proof, ip string) (ticket.Tracked, string, error)) error {
	pg := p.page(w, r, "portal.track_title")
	pg.Nav = "track"
	for _, f := range []string{"code", "proof", "rating", "comment", "reason"} {
		pg.Form[f] = strings.TrimSpace(r.PostFormValue(f))
	}
	if err := checkCSRF(r); err != nil {
		pg.Error = pg.Err(err)
		p.Render(w, r, http.StatusForbidden, "portal_track", pg)
		return nil
	}
	code, proof := pg.Form["code"], pg.Form["proof"]
	tr, done, err := do(code, proof, httpx.ClientIP(r, p.TrustProxy))
	if err == nil {
		pg.Flash = ""
		if done != "" {
			pg.Flash = pg.T(done)
		}
		return p.showTracked(w, r, pg, tr, http.StatusOK)
	}
	e := errs.As(err)
	var l *public.Limited
	if errors.As(err, &l) {
		w.Header().Set("Retry-After", retryAfter(l))
	}
	switch {
	case e.Code == errs.Invalid && (e.Field == "code" || e.Field == "proof"),
		e.Code == errs.NotFound, e.Code == errs.RateLimited:
		// Not found: back to the form, with nothing telling the code from the proof.
		if e.Field != "" {
			pg.Errors[e.Field] = pg.Err(err)
		} else {
			pg.Error = pg.Err(err)
		}
		p.Render(w, r, httpx.Status(e.Code), "portal_track", pg)
		return nil
	case e.Code == errs.Invalid || e.Code == errs.Conflict:
		// The ticket was found; the rating or the reopening was refused.
		tr, terr := p.Public.Track(r.Context(), code, proof, httpx.ClientIP(r, p.TrustProxy))
		if terr != nil {
			return terr
		}
		field := e.Field
		if field == "" {
			field = "form"
		}
		pg.Errors[field] = pg.Err(err)
		return p.showTracked(w, r, pg, tr, httpx.Status(e.Code))
	}
	return err
}

func (p *Portal) showTracked(w http.ResponseWriter, r *http.Request, pg *web.Page, tr ticket.Tracked, status int) error {
	pg.Title = "portal.tracked_title"
	pg.Data = trackedData{T: tr, Status: "portal.state." + public.State(tr.Ticket.State), Proof: pg.Form["proof"], Ratings: []int{5, 4, 3, 2, 1}}
	p.Render(w, r, status, "portal_tracked", pg)
	return nil
}

func retryAfter(l *public.Limited) string { return ratelimit.RetryAfter(l.Wait) }
