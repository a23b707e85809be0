package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/agency"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/vntext"
)

func (w *Web) adminUserRoutes(rt *router) {
	rt.page("GET /console/admin/users", adminRoles, w.adminUsers)
	rt.page("GET /console/admin/users/new", adminRoles, w.adminUserNew)
	rt.page("POST /console/admin/users", adminRoles, w.adminUserCreate)
	rt.page("GET /console/admin/users/{id}", adminRoles, w.adminUser)
	rt.page("POST /console/admin/users/{id}", adminRoles, w.adminUserUpdate)
	rt.page("POST /console/admin/users/{id}/password", adminRoles, w.adminUserPassword)
	rt.page("POST /console/admin/users/{id}/sessions/end", adminRoles, w.adminUserEndSessions)
	rt.page("POST /console/admin/users/{id}/tokens", adminRoles, w.adminTokenCreate)
	rt.page("POST /console/admin/users/{id}/tokens/{token}/revoke", adminRoles, w.adminTokenRevoke)
}

// adUserRow is a user in the list, with the name of their agency.
type adUserRow struct {
	user.User
	Agency string
}

type adUsersData struct {
	adminBase
	Users  []adUserRow
	Total  int
	Q      string
	Role   string
	State  string
	Roles  []user.Role
	Agency string // filter by agency code
}

func (w *Web) adminUsers(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := w.adminPage(r, "users")
	q := r.URL.Query()
	d := adUsersData{adminBase: adBase("users"), Q: strings.TrimSpace(q.Get("q")), Role: q.Get("role"), State: q.Get("state"),
		Agency: strings.ToUpper(strings.TrimSpace(q.Get("agency"))), Roles: user.Roles}
	all, err := w.Users.List(ctx)
	if err != nil {
		return err
	}
	list, err := w.Agencies.List(ctx, agency.ListOptions{})
	if err != nil {
		return err
	}
	byID := map[int64]agency.Agency{}
	for _, a := range list {
		byID[a.ID] = a
	}
	fold := vntext.Fold(d.Q)
	d.Total = len(all)
	for _, u := range all {
		ag := byID[u.AgencyID]
		switch {
		case d.Role != "" && string(u.Role) != d.Role,
			d.State == "active" && !u.Active, d.State == "inactive" && u.Active,
			d.Agency != "" && ag.Code != d.Agency,
			fold != "" && !strings.Contains(vntext.Fold(u.Name), fold) && !strings.Contains(u.Email, strings.ToLower(d.Q)):
			continue
		}
		row := adUserRow{User: u}
		if u.AgencyID != 0 {
			row.Agency = ag.NameIn(string(p.Lang))
		}
		d.Users = append(d.Users, row)
	}
	p.Data = d
	w.render(rw, r, http.StatusOK, "admin_users", p)
	return nil
}

// adUserFormData is the new-user page.
type adUserFormData struct {
	adminBase
	Roles    []adOption
	Agencies []adOption
	Locales  []adOption
}

func (w *Web) adUserForm(r *http.Request, p *page) (adUserFormData, error) {
	d := adUserFormData{adminBase: adBase("users")}
	for _, role := range user.Roles {
		d.Roles = append(d.Roles, adOption{Value: string(role), Label: p.T("role." + string(role))})
	}
	opts, _, err := w.adAgencyOptions(r.Context(), true, p.Lang)
	if err != nil {
		return d, err
	}
	d.Agencies = []adOption{{Value: "", Label: p.T("admin.user.no_agency")}}
	for _, o := range opts {
		// Retired agencies take no new staff; a user's own stays listed.
		if !o.Muted || o.Value == p.Form["agency"] {
			d.Agencies = append(d.Agencies, o)
		}
	}
	d.Locales = []adOption{{Value: "vi", Label: p.T("lang.vi")}, {Value: "en", Label: p.T("lang.en")}}
	return d, nil
}

func (w *Web) adminUserNew(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "admin.user.new", "admin")
	p.Form["role"] = string(user.Operator)
	p.Form["generate"] = "1"
	return w.adShowUserNew(rw, r, p, http.StatusOK)
}

func (w *Web) adShowUserNew(rw http.ResponseWriter, r *http.Request, p *page, status int) error {
	d, err := w.adUserForm(r, p)
	if err != nil {
		return err
	}
	p.Data = d
	w.render(rw, r, status, "admin_user_new", p)
	return nil
}

func (w *Web) adminUserCreate(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "admin.user.new", "admin")
	adFill(p, r)
	role := user.Role(r.PostFormValue("role"))
	in := user.NewUser{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Role: role, Password: r.PostFormValue("password")}
	if role == user.Agency {
		in.AgencyCode = r.PostFormValue("agency")
	}
	generated := r.PostFormValue("generate") == "1"
	if generated {
		in.Password = adGeneratePassword()
	}
	// Check what can be checked without the database first, so that every
	// mistake shows at once rather than one per attempt.
	var checks []error
	if _, err := user.NormalizeEmail(in.Email); err != nil {
		checks = append(checks, err)
	}
	if vntext.Line(in.Name) == "" {
		checks = append(checks, errs.Invalidf("field.required").InField("name"))
	}
	if _, err := user.ParseRole(string(role)); err != nil {
		checks = append(checks, err)
	}
	if role == user.Agency && strings.TrimSpace(in.AgencyCode) == "" {
		checks = append(checks, errs.Invalidf("user.agency_required").InField("agency"))
	}
	switch {
	case generated:
	case in.Password == "":
		checks = append(checks, errs.Invalidf("field.required").InField("password"))
	case user.CheckPassword(in.Password) != nil:
		checks = append(checks, user.CheckPassword(in.Password))
	case in.Password != r.PostFormValue("password_confirm"):
		checks = append(checks, errs.Invalidf("account.password_mismatch").InField("password_confirm"))
	}
	for _, err := range checks {
		adFieldError(p, err, nil)
	}
	if len(checks) > 0 {
		return w.adShowUserNew(rw, r, p, http.StatusBadRequest)
	}
	u, err := w.Users.Create(r.Context(), actorOf(r), in)
	if err != nil {
		if !adFieldError(p, err, nil) {
			return err
		}
		return w.adShowUserNew(rw, r, p, http.StatusBadRequest)
	}
	if generated {
		w.adSetOnce(rw, r, adOnce{UserID: u.ID, Kind: "password", Secret: in.Password})
	}
	return w.redirect(rw, r, "/console/admin/users/"+strconv.FormatInt(u.ID, 10), "admin.flash.user_created")
}

// adUserData is a user's admin page: profile, password, sessions, tokens.
type adUserData struct {
	adUserFormData
	User     user.User
	Agency   agency.Agency
	Self     bool
	Sessions int
	Tokens   []adTokenRow
	Once     adOnce
	Expiries []adOption
}

// adTokenRow is an API token with its state at page time.
type adTokenRow struct {
	user.Token
	State string // active, expired, revoked
}

func (w *Web) adminUser(rw http.ResponseWriter, r *http.Request) error {
	id, err := adPathID(r, "id")
	if err != nil {
		return err
	}
	u, err := w.Users.Get(r.Context(), id)
	if err != nil {
		return err
	}
	p := w.newPage(r, "admin.user.title", "admin")
	w.adKeepUserForm(r, p, u)
	p.Form["generate"] = "1"
	o, _ := w.adTakeOnce(rw, r, u.ID)
	return w.adShowUser(rw, r, p, u, o, http.StatusOK)
}

func (w *Web) adShowUser(rw http.ResponseWriter, r *http.Request, p *page, u user.User, o adOnce, status int) error {
	ctx := r.Context()
	f, err := w.adUserForm(r, p)
	if err != nil {
		return err
	}
	d := adUserData{adUserFormData: f, User: u, Self: u.ID == currentUser(r).ID, Once: o}
	if u.AgencyID != 0 {
		if d.Agency, err = w.Agencies.Get(ctx, u.AgencyID); err != nil && errs.CodeOf(err) != errs.NotFound {
			return err
		}
	}
	sessions, err := w.Users.Sessions(ctx, u.ID)
	if err != nil {
		return err
	}
	d.Sessions = len(sessions)
	tokens, err := w.Users.Tokens(ctx, u.ID)
	if err != nil {
		return err
	}
	now := w.Now()
	for _, t := range tokens {
		st := "active"
		switch {
		case t.Revoked:
			st = "revoked"
		case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
			st = "expired"
		}
		d.Tokens = append(d.Tokens, adTokenRow{Token: t, State: st})
	}
	for _, e := range []string{"30", "90", "365", "0"} {
		d.Expiries = append(d.Expiries, adOption{Value: e, Label: p.T("admin.token.expires_" + e)})
	}
	if _, ok := p.Form["token_expires"]; !ok {
		p.Form["token_expires"] = "90"
	}
	p.Data = d
	w.render(rw, r, status, "admin_user", p)
	return nil
}

// adUserFor loads the user of a POST to /console/admin/users/{id}/….
func (w *Web) adUserFor(r *http.Request) (user.User, error) {
	id, err := adPathID(r, "id")
	if err != nil {
		return user.User{}, err
	}
	return w.Users.Get(r.Context(), id)
}

func adUserURL(id int64) string { return "/console/admin/users/" + strconv.FormatInt(id, 10) }

func (w *Web) adminUserUpdate(rw http.ResponseWriter, r *http.Request) error {
	u, err := w.adUserFor(r)
	if err != nil {
		return err
	}
	p := w.newPage(r, "admin.user.title", "admin")
	adFill(p, r)
	name, locale := r.PostFormValue("name"), r.PostFormValue("locale")
	role := user.Role(r.PostFormValue("role"))
	active := r.PostFormValue("active") == "1"
	code := ""
	if role == user.Agency {
		code = r.PostFormValue("agency")
	}
	ch := user.Change{Name: &name, Role: &role, AgencyCode: &code, Active: &active, Locale: &locale}
	if u.ID == currentUser(r).ID && role != u.Role {
		// An admin who demotes themself may leave nobody to undo it.
		err = errs.Invalidf("admin.user.own_role").InField("role")
	} else {
		_, err = w.Users.Update(r.Context(), actorOf(r), u.ID, ch)
	}
	if err != nil {
		if errs.As(err).Key == "user.cannot_deactivate_self" {
			err = errs.As(err).InField("active")
		}
		if !adFieldError(p, err, nil) {
			return err
		}
		return w.adShowUser(rw, r, p, u, adOnce{}, http.StatusBadRequest)
	}
	flash := "admin.flash.user_saved"
	if u.Active && !active {
		flash = "admin.flash.user_deactivated"
	}
	return w.redirect(rw, r, adUserURL(u.ID), flash)
}

func (w *Web) adminUserPassword(rw http.ResponseWriter, r *http.Request) error {
	u, err := w.adUserFor(r)
	if err != nil {
		return err
	}
	p := w.newPage(r, "admin.user.title", "admin")
	adFill(p, r)
	next := r.PostFormValue("password")
	generated := r.PostFormValue("generate") == "1"
	if generated {
		next = adGeneratePassword()
	}
	switch {
	case u.ID == currentUser(r).ID:
		// Your own password needs your current one: the account page asks.
		err = errs.Invalidf("admin.user.own_password").InField("password")
	case !generated && next == "":
		err = errs.Invalidf("field.required").InField("password")
	case !generated && next != r.PostFormValue("password_confirm"):
		err = errs.Invalidf("account.password_mismatch").InField("password_confirm")
	default:
		err = w.Users.SetPassword(r.Context(), actorOf(r), u.ID, "", next, 0)
	}
	if err != nil {
		if !adFieldError(p, err, nil) {
			return err
		}
		w.adKeepUserForm(r, p, u)
		return w.adShowUser(rw, r, p, u, adOnce{}, http.StatusBadRequest)
	}
	if generated {
		w.adSetOnce(rw, r, adOnce{UserID: u.ID, Kind: "password", Secret: next})
	}
	return w.redirect(rw, r, adUserURL(u.ID), "admin.flash.password_reset")
}

// adKeepUserForm fills the profile form from the stored user when another
// form of the page was rejected.
func (w *Web) adKeepUserForm(r *http.Request, p *page, u user.User) {
	p.Form["name"], p.Form["role"], p.Form["locale"] = u.Name, string(u.Role), u.Locale
	if u.Active {
		p.Form["active"] = "1"
	}
	if u.AgencyID != 0 {
		if a, err := w.Agencies.Get(r.Context(), u.AgencyID); err == nil {
			p.Form["agency"] = a.Code
		}
	}
}

func (w *Web) adminUserEndSessions(rw http.ResponseWriter, r *http.Request) error {
	u, err := w.adUserFor(r)
	if err != nil {
		return err
	}
	if u.ID == currentUser(r).ID {
		return w.redirect(rw, r, "/console/account", "")
	}
	if err := w.Users.EndOtherSessions(r.Context(), actorOf(r), u.ID, 0); err != nil {
		return err
	}
	return w.redirect(rw, r, adUserURL(u.ID), "admin.flash.sessions_ended")
}

// adTokenExpiries are the lifetimes offered for new API tokens, in days; 0
// never expires.
var adTokenExpiries = []int{30, 90, 365, 0}

func (w *Web) adminTokenCreate(rw http.ResponseWriter, r *http.Request) error {
	u, err := w.adUserFor(r)
	if err != nil {
		return err
	}
	p := w.newPage(r, "admin.user.title", "admin")
	adFill(p, r)
	name := vntext.Line(r.PostFormValue("token_name"))
	days, perr := strconv.Atoi(r.PostFormValue("token_expires"))
	switch {
	case name == "":
		err = errs.Invalidf("field.required").InField("token_name")
	case vntext.Len(name) > 100:
		err = errs.Invalidf("field.too_long", "max", "100").InField("token_name")
	case perr != nil || !slices.Contains(adTokenExpiries, days):
		err = errs.Invalidf("field.invalid").InField("token_expires")
	}
	var secret string
	if err == nil {
		secret, _, err = w.Users.CreateToken(r.Context(), actorOf(r), u.ID, name, time.Duration(days)*24*time.Hour)
	}
	if err != nil {
		if errs.As(err).Key == "user.inactive" {
			err = errs.As(err).InField("token_name")
		}
		if !adFieldError(p, err, nil) {
			return err
		}
		w.adKeepUserForm(r, p, u)
		return w.adShowUser(rw, r, p, u, adOnce{}, http.StatusBadRequest)
	}
	w.adSetOnce(rw, r, adOnce{UserID: u.ID, Kind: "token", Secret: secret})
	return w.redirect(rw, r, adUserURL(u.ID), "admin.flash.token_created")
}

func (w *Web) adminTokenRevoke(rw http.ResponseWriter, r *http.Request) error {
	u, err := w.adUserFor(r)
	if err != nil {
		return err
	}
	tid, err := adPathID(r, "token")
	if err != nil {
		return err
	}
	if err := w.Users.RevokeToken(r.Context(), actorOf(r), u.ID, tid); err != nil {
		return err
	}
	return w.redirect(rw, r, adUserURL(u.ID), "admin.flash.token_revoked")
}
