// Package admin is the admin console (/console/admin): users, agencies,
// categories, routing rules, SLA policies and holidays, working calendars, reply templates,
// channels, areas and the audit log. Every route is for the admin role
// only; every change goes through a domain function that writes its audit
// event in the same transaction. Each section has its own <section>.go
// file.
package admin

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/area"
	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/category"
	"github.com/hotline-1022/hotline/internal/channel/account"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/notification"
	"github.com/hotline-1022/hotline/internal/open311"
	"github.com/hotline-1022/hotline/internal/reply"
	"github.com/hotline-1022/hotline/internal/routing"
	"github.com/hotline-1022/hotline/internal/sla"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/web"
	"github.com/hotline-1022/hotline/internal/webhook"
)

//go:embed templates
var templates embed.FS

// Admin serves the admin pages.
type Admin struct {
	*web.Web
	DB         *db.DB
	Tickets    *ticket.Service
	Areas      *area.Store
	Categories *category.Store
	Rules      *routing.Store
	SLA        *sla.Store
	Audit      *audit.Log
	Anchors    audit.AnchorFile // where the server anchors the audit chain; empty: none
	Replies    *reply.Store
	Accounts   *account.Store   // chat channel accounts
	Channels   ChannelHealth    // their health; nil without the personal-data key
	AMI        AMIStates        // the Asterisk manager sessions of this instance; may be nil
	Province   string           // the deployment's province code, for ward pickers
	Webhooks   *webhook.Service // outgoing webhooks; nil without the personal-data key
	Open311    *open311.Keys    // the api_keys of Open311 clients
	// Notifications holds the notification e-mails' templates.
	Notifications *notification.Store
}

// roles may use the admin pages.
var roles = []user.Role{user.Admin}

// Routes registers the admin pages and their templates.
func (w *Admin) Routes(rt *web.Router) {
	rt.Templates(templates, template.FuncMap{"field": newField, "number64": number64})
	rt.Page("GET /console/admin", roles, w.home)
	rt.Page("GET /console/admin/users", roles, w.users)
	rt.Page("GET /console/admin/users/new", roles, w.userNew)
	rt.Page("POST /console/admin/users", roles, w.userCreate)
	rt.Page("GET /console/admin/users/{id}", roles, w.user)
	rt.Page("POST /console/admin/users/{id}", roles, w.userUpdate)
	rt.Page("POST /console/admin/users/{id}/password", roles, w.userPassword)
	rt.Page("POST /console/admin/users/{id}/sessions/end", roles, w.userEndSessions)
	rt.Page("POST /console/admin/users/{id}/tokens", roles, w.tokenCreate)
	rt.Page("POST /console/admin/users/{id}/tokens/{token}/revoke", roles, w.tokenRevoke)
	rt.Page("GET /console/admin/agencies", roles, w.agencies)
	rt.Page("GET /console/admin/agencies/new", roles, w.agencyNew)
	rt.Page("POST /console/admin/agencies", roles, w.agencySave)
	rt.Page("GET /console/admin/agencies/{id}", roles, w.agency)
	rt.Page("POST /console/admin/agencies/{id}", roles, w.agencySave)
	rt.Page("POST /console/admin/agencies/{id}/retire", roles, w.agencyRetire)
	rt.Page("POST /console/admin/agencies/{id}/lead", roles, w.agencyLead)
	rt.Page("POST /console/admin/agencies/{id}/reinstate", roles, w.agencyReinstate)
	rt.Page("GET /console/admin/categories", roles, w.categories)
	rt.Page("GET /console/admin/categories/new", roles, w.categoryNew)
	rt.Page("POST /console/admin/categories", roles, w.categorySave)
	rt.Page("GET /console/admin/categories/{id}", roles, w.category)
	rt.Page("POST /console/admin/categories/{id}", roles, w.categorySave)
	rt.Page("POST /console/admin/categories/{id}/active", roles, w.categoryActive)
	rt.Page("GET /console/admin/routing", roles, w.routing)
	rt.Page("GET /console/admin/routing/new", roles, w.ruleNew)
	rt.Page("POST /console/admin/routing", roles, w.ruleSave)
	rt.Page("GET /console/admin/routing/{id}", roles, w.rule)
	rt.Page("POST /console/admin/routing/{id}", roles, w.ruleSave)
	rt.Page("POST /console/admin/routing/{id}/delete", roles, w.ruleDelete)
	rt.Page("GET /console/admin/sla", roles, w.sla)
	rt.Page("GET /console/admin/sla/new", roles, w.policyNew)
	rt.Page("POST /console/admin/sla", roles, w.policySave)
	rt.Page("GET /console/admin/sla/{id}", roles, w.policy)
	rt.Page("POST /console/admin/sla/{id}", roles, w.policySave)
	rt.Page("POST /console/admin/sla/holidays", roles, w.holidayAdd)
	rt.Page("POST /console/admin/sla/holidays/{day}/delete", roles, w.holidayRemove)
	rt.Page("GET /console/admin/calendars", roles, w.calendars)
	rt.Page("GET /console/admin/calendars/new", roles, w.calendarNew)
	rt.Page("POST /console/admin/calendars", roles, w.calendarSave)
	rt.Page("GET /console/admin/calendars/{code}", roles, w.calendar)
	rt.Page("POST /console/admin/calendars/{code}", roles, w.calendarSave)
	rt.Page("GET /console/admin/replies", roles, w.replies)
	rt.Page("GET /console/admin/replies/new", roles, w.replyNew)
	rt.Page("POST /console/admin/replies", roles, w.replySave)
	rt.Page("GET /console/admin/replies/{id}", roles, w.reply)
	rt.Page("POST /console/admin/replies/{id}", roles, w.replySave)
	rt.Page("GET /console/admin/channels", roles, w.channels)
	rt.Page("POST /console/admin/channels", roles, w.channelAdd)
	rt.Page("POST /console/admin/channels/{id}/enabled", roles, w.channelEnabled)
	rt.Page("GET /console/admin/channels/{id}", roles, w.channel)
	rt.Page("POST /console/admin/channels/{id}/ack", roles, w.channelAck)
	rt.Page("GET /console/admin/webhooks", roles, w.webhooks)
	rt.Page("GET /console/admin/webhooks/new", roles, w.webhookNew)
	rt.Page("POST /console/admin/webhooks", roles, w.webhookSave)
	rt.Page("GET /console/admin/webhooks/{id}", roles, w.webhook)
	rt.Page("POST /console/admin/webhooks/{id}", roles, w.webhookSave)
	rt.Page("POST /console/admin/webhooks/{id}/active", roles, w.webhookActive)
	rt.Page("POST /console/admin/webhooks/{id}/test", roles, w.webhookTest)
	rt.Page("POST /console/admin/webhooks/{id}/delete", roles, w.webhookDelete)
	rt.Page("POST /console/admin/webhooks/{id}/deliveries/{delivery}/replay", roles, w.webhookReplay)
	rt.Page("GET /console/admin/areas", roles, w.areas)
	rt.Page("GET /console/admin/areas/{code}", roles, w.province)
	rt.Page("GET /console/admin/audit", roles, w.audit)
	rt.Page("POST /console/admin/audit/verify", roles, w.auditVerify)
	rt.Page("GET /console/admin/audit.csv", roles, w.auditCSV)
	rt.Page("GET /console/admin/open311", roles, w.open311Keys)
	rt.Page("POST /console/admin/open311", roles, w.open311Create)
	rt.Page("POST /console/admin/open311/{id}/revoke", roles, w.open311Revoke)
	rt.Page("GET /console/admin/notifications", roles, w.notifications)
	rt.Page("GET /console/admin/notifications/{kind}", roles, w.notice)
	rt.Page("POST /console/admin/notifications/{kind}", roles, w.noticeSave)
}

// sections are the admin sub-navigation, in order: the URL segment is
// also the message key suffix (admin.nav.<key>).
var sections = []string{"users", "agencies", "categories", "routing", "sla", "calendars", "replies", "channels", "webhooks", "areas", "audit", "open311", "notifications"}

// subnav is embedded in every admin page's data, for the
// sub-navigation.
type subnav struct {
	Section  string
	Sections []string
}

func subnavOf(section string) subnav { return subnav{Section: section, Sections: sections} }

// page prepares an admin page: the top navigation shows Admin, the
// title is admin.<section>.title.
func (w *Admin) page(r *http.Request, section string) *web.Page {
	return w.NewPage(r, "admin."+section+".title", "admin")
}

// option is one choice of a select.
type option struct {
	Value, Label string
	Muted        bool // a retired or inactive choice, still selectable
}

// field describes one form control for the ad_field partial: its label,
// the value to show (what the user typed, or the stored value), and its
// error beside it. Templates build one with (field $ name labelKey) and
// refine it with the chained methods below.
type field struct {
	Name, Label, Type, Value, Error, Hint, Auto, List string
	Required, Checked, Ward, Wide                     bool
	Options                                           []option
	Min, Max, Step                                    string
	WardName                                          string
}

// newField returns the form control for field name labelled with a
// message key, filled from p.Form and p.Errors: the template function
// field.
func newField(p *web.Page, name, labelKey string) field {
	return field{Name: name, Label: p.T(labelKey), Type: "text", Value: p.Form[name], Error: p.Errors[name],
		Checked: p.Form[name] == "1"}
}

// As sets the control's type: an input type, "select", "textarea" or
// "checkbox".
func (f field) As(typ string) field { f.Type = typ; return f }

// Req marks the field as required.
func (f field) Req() field { f.Required = true; return f }

// Help adds a translated hint under the field.
func (f field) Help(hint string) field { f.Hint = hint; return f }

// Opts makes the field a select with these choices.
func (f field) Opts(o []option) field { f.Type = "select"; f.Options = o; return f }

// Picker makes the field a ward picker, showing the chosen ward's name.
func (f field) Picker(name string) field { f.Ward = true; f.WardName = name; return f }

// Range bounds a number field.
func (f field) Range(min, max string) field { f.Min, f.Max = min, max; return f }

// Complete sets the autocomplete attribute.
func (f field) Complete(v string) field { f.Auto = v; return f }

// Suggest offers the choices of a datalist.
func (f field) Suggest(list string) field { f.List = list; return f }

// Full makes the field span the form's width.
func (f field) Full() field { f.Wide = true; return f }

// number64 formats a large count the local way: the template function
// number64.
func number64(p *web.Page, n int64) string { return i18n.FormatNumber(p.Lang, n) }

// fill copies the posted form into p.Form, so a rejected form shows what
// the user typed. Secrets are never sent back.
func fill(p *web.Page, r *http.Request) {
	for k, v := range r.PostForm {
		if k == "csrf" || strings.Contains(k, "password") || len(v) == 0 {
			continue
		}
		p.Form[k] = v[0]
	}
}

// fieldError shows a domain error the user can fix: beside its field when
// it names one of fields (after renaming through alias), above the form
// otherwise. It returns false for errors that are not the user's to fix,
// which the caller returns as they are.
func fieldError(p *web.Page, err error, alias map[string]string) bool {
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

// pathID reads a numeric path value; anything else is "not found".
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.NotFoundf("error.not_found")
	}
	return id, nil
}

// formInt parses an optional whole number of a form; empty is 0.
func formInt(v, field string) (int, error) {
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

// formID parses an optional id of a select; empty is 0.
func formID(v, field string) (int64, error) {
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

// agencyOptions lists agencies for a select, as an indented tree, with
// retired ones muted. value picks the option value: the id or the code.
func (w *Admin) agencyOptions(ctx context.Context, byCode bool, lang i18n.Lang) ([]option, map[int64]agency.Agency, error) {
	list, err := w.Agencies.List(ctx, agency.ListOptions{})
	if err != nil {
		return nil, nil, err
	}
	today := w.Today()
	byID := make(map[int64]agency.Agency, len(list))
	opts := make([]option, 0, len(list))
	for _, a := range list {
		byID[a.ID] = a
		v := strconv.FormatInt(a.ID, 10)
		if byCode {
			v = a.Code
		}
		opts = append(opts, option{Value: v, Label: strings.Repeat("\u00a0\u00a0", a.Depth) + a.NameIn(string(lang)) + " (" + a.Code + ")",
			Muted: !a.ActiveOn(today)})
	}
	return opts, byID, nil
}

// onceCookie carries a secret (a generated password, a new API token) from
// the POST that made it to the page that shows it once: POST-redirect-GET
// without keeping secrets on the server. It is HttpOnly, scoped to the
// admin pages, lives two minutes and is deleted when shown.
const onceCookie = "hotline_once"

// onceSecret is a secret to show once on a user's page.
type onceSecret struct {
	UserID int64  `json:"u"`
	Kind   string `json:"k"` // "password" or "token"
	Secret string `json:"s"`
}

func (w *Admin) setOnce(rw http.ResponseWriter, r *http.Request, o onceSecret) {
	b, _ := json.Marshal(o)
	http.SetCookie(rw, &http.Cookie{Name: onceCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: "/console/admin/",
		MaxAge: 120, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: w.Secure(r)})
}

// takeOnce returns the secret for userID, if one waits, and deletes it.
func (w *Admin) takeOnce(rw http.ResponseWriter, r *http.Request, userID int64) (onceSecret, bool) {
	c, err := r.Cookie(onceCookie)
	if err != nil {
		return onceSecret{}, false
	}
	http.SetCookie(rw, &http.Cookie{Name: onceCookie, Value: "", Path: "/console/admin/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: w.Secure(r)})
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return onceSecret{}, false
	}
	var o onceSecret
	if json.Unmarshal(b, &o) != nil || o.UserID != userID || o.Secret == "" {
		return onceSecret{}, false
	}
	return o, true
}

// passwordAlphabet leaves out look-alikes (0/O, 1/l/I), since a generated
// password is read off a screen and typed.
const passwordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// generatePassword returns 16 random characters in groups of four: about
// 93 bits, easy to read out. Bytes that would bias the choice are skipped.
func generatePassword() string {
	const limit = 256 - 256%len(passwordAlphabet)
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
			s.WriteByte(passwordAlphabet[int(c)%len(passwordAlphabet)])
			n++
		}
	}
	return s.String()
}

// invalidField is "field.invalid" in field.
func invalidField(field string) error { return errs.Invalidf("field.invalid").InField(field) }
