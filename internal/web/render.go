package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Cookie names.
const (
	SessionCookie = "hotline_session"
	langCookie    = "hotline_lang"
	flashCookie   = "hotline_flash"
)

// Page is what every template gets: the user, the language, the CSRF
// token, a one-time message, form errors, and the page's own Data.
// Templates call its methods for text ({{$.T "key"}}) and times.
type Page struct {
	Title   string // message key
	Nav     string // the active section
	Lang    i18n.Lang
	User    user.User
	Agency  string // the user's agency, in the page's language; "" for staff of the hotline
	CSRF    string
	Flash   string            // translated one-time message
	Error   string            // translated error for the whole form
	Errors  map[string]string // translated errors by field
	Form    map[string]string // the values the user typed, to refill a rejected form
	Status  int
	Data    any
	Path    string // the request path, for the language switch
	Query   string // the raw query, for the language switch
	Now     time.Time
	Rows    *RowTools // the inbox's row tools, when the list has them
	Unread  int       // the user's unread notifications, up to notification.UnreadCap
	catalog *i18n.Catalog
}

// RowTools is what the inbox rows show besides the ticket: who handles
// it, a "take it" button and a check box for bulk actions.
type RowTools struct {
	Names map[int64]string // staff names by user id
	// Handlers, in an agency's queue: each ticket's handler at the agency,
	// by ticket id, shown instead of the hotline desk's owner.
	Handlers map[int64]int64
	Take     map[int64]bool // tickets the user may take now
	Select   bool           // rows can be selected for bulk actions
	Back     string         // the list's URL, where "take it" comes back to
}

// OwnerName is the name of who handles t in the reader's eyes (the
// agency's handler in an agency's queue, else the desk's owner), or "".
func (p *Page) OwnerName(t ticket.Ticket) string {
	if p.Rows == nil {
		return ""
	}
	id := t.OwnerID
	if p.Rows.Handlers != nil {
		id = p.Rows.Handlers[t.ID]
	}
	return p.Rows.Names[id]
}

// NewPage prepares a page for a request.
func (w *Web) NewPage(r *http.Request, title, nav string) *Page {
	p := &Page{Title: title, Nav: nav, Lang: w.Lang(r), User: CurrentUser(r), Path: r.URL.Path, Query: r.URL.RawQuery,
		Now: w.Now(), catalog: w.Catalog, Errors: map[string]string{}, Form: map[string]string{}}
	if s, ok := httpx.SessionFrom(r.Context()); ok {
		p.CSRF = s.CSRF
	}
	if p.User.AgencyID != 0 && w.Agencies != nil {
		if ag, err := w.Agencies.Get(r.Context(), p.User.AgencyID); err == nil {
			p.Agency = ag.NameIn(string(p.Lang))
		}
	}
	if p.User.ID != 0 && w.Notices != nil {
		// A count that cannot be read shows none: the page still works.
		p.Unread, _ = w.Notices.Unread(r.Context(), p.User.ID)
	}
	return p
}

// Lang picks the page language: the switch cookie, then the user's
// setting, then the browser's, then Vietnamese.
func (w *Web) Lang(r *http.Request) i18n.Lang {
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := i18n.ParseLang(c.Value); ok {
			return l
		}
	}
	if u := CurrentUser(r); u.Locale != "" {
		if l, ok := i18n.ParseLang(u.Locale); ok {
			return l
		}
	}
	return i18n.Negotiate(r.Header.Get("Accept-Language"))
}

// T translates a message key with name/value pairs for its placeholders.
func (p *Page) T(key string, args ...string) string { return p.catalog.T(p.Lang, key, args...) }

// Err translates an error for display.
func (p *Page) Err(err error) string { return p.catalog.Error(p.Lang, err) }

// FilterError places a list's bad filter beside the filters: an Invalid
// error is the user's to fix, shown on its field with 400; any other error
// is returned. No error is 200.
func (p *Page) FilterError(err error) (int, error) {
	if err == nil {
		return http.StatusOK, nil
	}
	e := errs.As(err)
	if e.Code != errs.Invalid {
		return 0, err
	}
	p.Errors[e.Field] = p.Err(err)
	return http.StatusBadRequest, nil
}

// Time shows an instant in Asia/Ho_Chi_Minh.
func (p *Page) Time(t time.Time) string { return i18n.FormatTime(p.Lang, t) }

// Date shows a date in Asia/Ho_Chi_Minh.
func (p *Page) Date(t time.Time) string { return i18n.FormatDate(p.Lang, t) }

// ISO is an instant for machines (data attributes, <time datetime>).
func (p *Page) ISO(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// DurationUnits are the unit words of durations in the page's language,
// "|"-separated, for the live countdown (app.js).
func (p *Page) DurationUnits() string { return i18n.DurationUnits(p.Lang) }

// UnreadLabel is the header's unread count: "" for none, "99+" past the
// cap.
func (p *Page) UnreadLabel() string {
	switch {
	case p.Unread <= 0:
		return ""
	case p.Unread >= 100:
		return "99+"
	}
	return p.Number(p.Unread)
}

// Number formats a count the local way: 8.755 or 8,755.
func (p *Page) Number(n int) string { return i18n.FormatNumber(p.Lang, int64(n)) }

// Percent shows a rate (0–1) as a percentage with one decimal the local
// way ("87,5 %" in Vietnamese), "—" when nothing counts (ok false).
func (p *Page) Percent(rate float64, ok bool) string {
	if !ok {
		return "—"
	}
	s := strconv.FormatFloat(rate*100, 'f', 1, 64)
	if p.Lang == i18n.VI {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + " %"
}

// Is reports whether the signed-in user has one of the roles.
func (p *Page) Is(roles ...string) bool {
	for _, r := range roles {
		if string(p.User.Role) == r {
			return true
		}
	}
	return false
}

// Badge describes a ticket's SLA clock for display.
type Badge struct {
	State    sla.State
	Label    string // "Trong hạn", "Quá hạn"…
	Left     string // after the label: "còn 2 giờ 10 phút" / "35 phút" ("Quá hạn 35 phút"); empty once resolved
	Deadline string // RFC 3339, for the live countdown
}

// SLA returns the badge of a ticket at page time.
func (p *Page) SLA(t ticket.Ticket) Badge {
	st := t.SLA(p.Now)
	b := Badge{State: st, Label: p.T("sla." + string(st))}
	// A paused clock has no countdown: the deadline moves when it resumes.
	if t.Open() && st != sla.Paused {
		b.Deadline = p.ISO(t.Deadline)
		d := t.Deadline.Sub(p.Now)
		if d >= 0 {
			b.Left = p.T("sla.left", "duration", i18n.FormatDuration(p.Lang, d))
		} else {
			b.Left = p.T("sla.late", "duration", i18n.FormatDuration(p.Lang, -d))
		}
	}
	return b
}

// Day shows a stored 'YYYY-MM-DD' date the local way.
func (p *Page) Day(day string) string {
	t, err := time.ParseInLocation(time.DateOnly, day, i18n.Location)
	if err != nil {
		return day
	}
	return p.Date(t)
}

// Has reports whether the catalogue has a message key.
func (p *Page) Has(key string) bool { return p.catalog.Has(key) }

// Field returns the error message for a form field, if any.
func (p *Page) Field(name string) string { return p.Errors[name] }

// Value returns what the user typed into a form field.
func (p *Page) Value(name string) string { return p.Form[name] }

// pageTemplate is one page parsed with the layout and the partials.
type pageTemplate struct {
	t *template.Template
}

// funcs are the few template functions that are not page methods.
var funcs = template.FuncMap{
	"row": func(p *Page, t ticket.Ticket) TicketRow { return TicketRow{P: p, T: t} },
	"snippet": func(s string, n int) string {
		r := []rune(strings.Join(strings.Fields(s), " "))
		if len(r) <= n {
			return string(r)
		}
		return string(r[:n]) + "…"
	},
	"join": strings.Join,
	"str":  func(v any) string { return fmt.Sprint(v) },
	"add":  func(a, b int) int { return a + b },
	"contains": func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	},
	"nl2br": func(s string) template.HTML {
		return template.HTML(strings.ReplaceAll(template.HTMLEscapeString(s), "\n", "<br>"))
	},
}

// TicketRow is the data of the inbox row partial.
type TicketRow struct {
	P *Page
	T ticket.Ticket
}

// templateSet is a room's templates: pages in templates/, partials in
// templates/partials/, and the functions they call.
type templateSet struct {
	fsys  fs.FS
	funcs template.FuncMap
}

// loadTemplates parses every page with the layout and partials once, at
// start, so a template error stops the server instead of a request.
func (w *Web) loadTemplates(sets []templateSet) error {
	shared, err := fs.Glob(templateFS, "templates/partials/*.html")
	if err != nil {
		return err
	}
	base := append([]string{"templates/layout.html"}, shared...)
	if w.partials, err = template.New("partials").Funcs(funcs).ParseFS(templateFS, base...); err != nil {
		return fmt.Errorf("shared templates: %w", err)
	}
	w.pages = map[string]*pageTemplate{}
	for _, set := range sets {
		partials, err := fs.Glob(set.fsys, "templates/partials/*.html")
		if err != nil {
			return err
		}
		pages, err := fs.Glob(set.fsys, "templates/*.html")
		if err != nil {
			return err
		}
		for _, pg := range pages {
			name := strings.TrimSuffix(path.Base(pg), ".html")
			if name == "layout" {
				continue
			}
			if _, dup := w.pages[name]; dup {
				return fmt.Errorf("template %s: two rooms have a page of that name", name)
			}
			t, err := template.New(name).Funcs(funcs).Funcs(set.funcs).ParseFS(templateFS, base...)
			if err == nil {
				t, err = t.ParseFS(set.fsys, append(partials, pg)...)
			}
			if err != nil {
				return fmt.Errorf("template %s: %w", name, err)
			}
			w.pages[name] = &pageTemplate{t: t}
		}
	}
	return nil
}

// Render writes a page. It renders into a buffer first, so a template
// error becomes an error page instead of half a page.
func (w *Web) Render(rw http.ResponseWriter, r *http.Request, status int, name string, p *Page) {
	w.takeFlash(rw, r, p)
	pt, ok := w.pages[name]
	if !ok {
		w.Log.Error("no such template", "template", name)
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := pt.t.ExecuteTemplate(&buf, "layout", p); err != nil {
		w.Log.Error("template", "template", name, "error", err.Error())
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'")
	rw.WriteHeader(status)
	_, _ = rw.Write(buf.Bytes())
}

// Fragment renders a shared partial alone, for live updates.
func (w *Web) Fragment(rw http.ResponseWriter, name string, data any) error {
	var buf bytes.Buffer
	if err := w.partials.ExecuteTemplate(&buf, name, data); err != nil {
		return err
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-store")
	_, err := rw.Write(buf.Bytes())
	return err
}

// takeFlash moves a one-time message from its cookie onto the page.
func (w *Web) takeFlash(rw http.ResponseWriter, r *http.Request, p *Page) {
	c, err := r.Cookie(flashCookie)
	if err != nil || p.Flash != "" {
		return
	}
	key, rawArgs, _ := strings.Cut(c.Value, "|")
	if p.catalog.Has(key) {
		var args []string
		if q, err := url.ParseQuery(rawArgs); err == nil {
			for k, vs := range q {
				args = append(args, k, vs[0])
			}
		}
		p.Flash = p.T(key, args...)
	}
	http.SetCookie(rw, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// staticHandler serves the embedded CSS and JavaScript. File names do not
// change with content, so browsers revalidate after an hour.
func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Cache-Control", "public, max-age=3600")
		rw.Header().Set("X-Content-Type-Options", "nosniff")
		fsrv.ServeHTTP(rw, r)
	})
}
