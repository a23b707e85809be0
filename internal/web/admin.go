package web

// The admin console (/console/admin): users, agencies, categories, routing
// rules, SLA policies and holidays, reply templates, channels, areas and
// the audit log. Every route is for the admin role only; every change goes
// through a domain function that writes its audit event in the same
// transaction. Each section has its own admin_<section>.go file.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/i18n"
)

// adminRoutes registers the admin pages. Each section's file lists its own
// routes; all of them need the admin role.
func (w *Web) adminRoutes(rt *router) {
	rt.page("GET /console/admin", adminRoles, w.adminHome)
	w.adminUserRoutes(rt)
	w.adminAgencyRoutes(rt)
	w.adminCategoryRoutes(rt)
	w.adminRoutingRoutes(rt)
	w.adminSLARoutes(rt)
	w.adminReplyRoutes(rt)
	rt.page("GET /console/admin/channels", adminRoles, w.adminChannels)
	w.adminAreaRoutes(rt)
	w.adminAuditRoutes(rt)
}

// adminSections are the admin sub-navigation, in order: the URL segment is
// also the message key suffix (admin.nav.<key>).
var adminSections = []string{"users", "agencies", "categories", "routing", "sla", "replies", "channels", "areas", "audit"}

// adminBase is embedded in every admin page's data, for the
// sub-navigation.
type adminBase struct {
	Section  string
	Sections []string
}

func adBase(section string) adminBase { return adminBase{Section: section, Sections: adminSections} }

// adminPage prepares an admin page: the top navigation shows Admin, the
// title is admin.<section>.title.
func (w *Web) adminPage(r *http.Request, section string) *page {
	return w.newPage(r, "admin."+section+".title", "admin")
}

// adOption is one choice of a select.
type adOption struct {
	Value, Label string
	Muted        bool // a retired or inactive choice, still selectable
}

// adField describes one form control for the ad_field partial: its label,
// the value to show (what the user typed, or the stored value), and its
// error beside it. Templates build one with $.AdField and refine it with
// the chained methods below.
type adField struct {
	Name, Label, Type, Value, Error, Hint, Auto, List string
	Required, Checked, Ward, Wide                     bool
	Options                                           []adOption
	Min, Max, Step                                    string
	WardName                                          string
}

// AdField returns the form control for field name labelled with a message
// key, filled from p.Form and p.Errors.
func (p *page) AdField(name, labelKey string) adField {
	return adField{Name: name, Label: p.T(labelKey), Type: "text", Value: p.Form[name], Error: p.Errors[name],
		Checked: p.Form[name] == "1"}
}

// As sets the control's type: an input type, "select", "textarea" or
// "checkbox".
func (f adField) As(typ string) adField { f.Type = typ; return f }

// Req marks the field as required.
func (f adField) Req() adField { f.Required = true; return f }

// Help adds a translated hint under the field.
func (f adField) Help(hint string) adField { f.Hint = hint; return f }

// Opts makes the field a select with these choices.
func (f adField) Opts(o []adOption) adField { f.Type = "select"; f.Options = o; return f }

// Picker makes the field a ward picker, showing the chosen ward's name.
func (f adField) Picker(name string) adField { f.Ward = true; f.WardName = name; return f }

// Range bounds a number field.
func (f adField) Range(min, max string) adField { f.Min, f.Max = min, max; return f }

// Complete sets the autocomplete attribute.
func (f adField) Complete(v string) adField { f.Auto = v; return f }

// Suggest offers the choices of a datalist.
func (f adField) Suggest(list string) adField { f.List = list; return f }

// Full makes the field span the form's width.
func (f adField) Full() adField { f.Wide = true; return f }

// AdNumber formats a large count the local way.
func (p *page) AdNumber(n int64) string { return i18n.FormatNumber(p.Lang, n) }

// AdDay shows a stored 'YYYY-MM-DD' date the local way.
func (p *page) AdDay(day string) string {
	t, err := time.ParseInLocation(time.DateOnly, day, i18n.Location)
	if err != nil {
		return day
	}
	return p.Date(t)
}

// adFill copies the posted form into p.Form, so a rejected form shows what
// the user typed. Secrets are never sent back.
func adFill(p *page, r *http.Request) {
	for k, v := range r.PostForm {
		if k == "csrf" || strings.Contains(k, "password") || len(v) == 0 {
			continue
		}
		p.Form[k] = v[0]
	}
}

// adFieldError shows a domain error the user can fix: beside its field when
// it names one of fields (after renaming through alias), above the form
// otherwise. It returns false for errors that are not the user's to fix,
// which the caller returns as they are.
func adFieldError(p *page, err error, alias map[string]string) bool {
	e := errs.As(err)
	switch {
	case e.Code == errs.Invalid, e.Code == errs.Conflict:
	case e.Code == errs.NotFound && e.Field != "":
		// A reference typed in a field (an agency code) that does not exist.
	default:
		return false
	}
	field := e.Field
	if a, ok := alias[field]; ok {
		field = a
	}
	if field != "" {
		p.Errors[field] = p.Err(err)
	} else {
		p.Error = p.Err(err)
	}
	return true
}

// adPathID reads a numeric path value; anything else is "not found".
func adPathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.NotFoundf("error.not_found")
	}
	return id, nil
}

// adInt parses an optional whole number of a form; empty is 0.
func adInt(v, field string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errs.Invalidf("field.invalid").InField(field)
	}
	return n, nil
}

// adID parses an optional id of a select; empty is 0.
func adID(v, field string) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == "0" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, errs.Invalidf("field.invalid").InField(field)
	}
	return n, nil
}

// adAgencyOptions lists agencies for a select, as an indented tree, with
// retired ones muted. value picks the option value: the id or the code.
func (w *Web) adAgencyOptions(ctx context.Context, byCode bool, lang i18n.Lang) ([]adOption, map[int64]agency.Agency, error) {
	list, err := w.Agencies.List(ctx, agency.ListOptions{})
	if err != nil {
		return nil, nil, err
	}
	adToday := w.Now().In(i18n.Location).Format("2006-01-02")
	byID := make(map[int64]agency.Agency, len(list))
	opts := make([]adOption, 0, len(list))
	for _, a := range list {
		byID[a.ID] = a
		v := strconv.FormatInt(a.ID, 10)
		if byCode {
			v = a.Code
		}
		opts = append(opts, adOption{Value: v, Label: strings.Repeat("\u00a0\u00a0", a.Depth) + a.NameIn(string(lang)) + " (" + a.Code + ")",
			Muted: !a.ActiveOn(adToday)})
	}
	return opts, byID, nil
}

// adOnceCookie carries a secret (a generated password, a new API token) from
// the POST that made it to the page that shows it once: POST-redirect-GET
// without keeping secrets on the server. It is HttpOnly, scoped to the
// admin pages, lives two minutes and is deleted when shown.
const adOnceCookie = "hotline_once"

// adOnce is a secret to show once on a user's page.
type adOnce struct {
	UserID int64  `json:"u"`
	Kind   string `json:"k"` // "password" or "token"
	Secret string `json:"s"`
}

func (w *Web) adSetOnce(rw http.ResponseWriter, r *http.Request, o adOnce) {
	b, _ := json.Marshal(o)
	http.SetCookie(rw, &http.Cookie{Name: adOnceCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: "/console/admin/",
		MaxAge: 120, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: w.secure(r)})
}

// adTakeOnce returns the secret for userID, if one waits, and deletes it.
func (w *Web) adTakeOnce(rw http.ResponseWriter, r *http.Request, userID int64) (adOnce, bool) {
	c, err := r.Cookie(adOnceCookie)
	if err != nil {
		return adOnce{}, false
	}
	http.SetCookie(rw, &http.Cookie{Name: adOnceCookie, Value: "", Path: "/console/admin/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: w.secure(r)})
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return adOnce{}, false
	}
	var o adOnce
	if json.Unmarshal(b, &o) != nil || o.UserID != userID || o.Secret == "" {
		return adOnce{}, false
	}
	return o, true
}

// adPasswordAlphabet leaves out look-alikes (0/O, 1/l/I), since a generated
// password is read off a screen and typed.
const adPasswordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// adGeneratePassword returns 16 random characters in groups of four: about
// 93 bits, easy to read out. Bytes that would bias the choice are skipped.
func adGeneratePassword() string {
	const limit = 256 - 256%len(adPasswordAlphabet)
	var s strings.Builder
	buf := make([]byte, 32)
	for n := 0; n < 16; {
		_, _ = rand.Read(buf)
		for _, c := range buf {
			if int(c) >= limit || n == 16 {
				continue
			}
			if n > 0 && n%4 == 0 {
				s.WriteByte('-')
			}
			s.WriteByte(adPasswordAlphabet[int(c)%len(adPasswordAlphabet)])
			n++
		}
	}
	return s.String()
}

// adInvalid is "field.invalid" in field.
func adInvalid(field string) error { return errs.Invalidf("field.invalid").InField(field) }
