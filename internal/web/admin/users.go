package admin

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
	"github.com/hotline-1022/hotline/internal/web"
)

// userRow is a user in the list, with the name of their agency.
type userRow struct {
	user.User
	Agency string
}

type usersData struct {
	subnav
	Users  []userRow
	Total  int
	Q      string
	Role   string
	State  string
	Roles  []user.Role
	Agency string // filter by agency code
}

func (w *Admin) users(rw http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := w.page(r, "users")
	q := r.URL.Query()
	d := usersData{subnav: subnavOf("users"), Q: strings.TrimSpace(q.Get("q")), Role: q.Get("role"), State: q.Get("state"),
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
		row := userRow{User: u}
		if u.AgencyID != 0 {
			row.Agency = ag.NameIn(string(p.Lang))
		}
		d.Users = append(d.Users, row)
	}
	p.Data = d
	w.Render(rw, r, http.StatusOK, "admin_users", p)
	return nil
}

// userFormData is the new-user page.
type userFormData struct {
	subnav
	Roles    []option
	Agencies []option
	Locales  []option
}

func (w *Admin) userForm(r *http.Request, p *web.Page) (userFormData, error) {
	d := userFormData{subnav: subnavOf("users")}
	for _, role := range user.Roles {
		d.Roles = append(d.Roles, option{Value: string(role), Label: p.T("role." + string(role))})
	}
	opts, _, err := w.agencyOptions(r.Context(), true, p.Lang)
	if err != nil {
		return d, err
	}
	d.Agencies = []option{{Value: "", Label: p.T("admin.user.no_agency")}}
	for _, o := range opts {
		// Retired agencies take no new staff; a user's own stays listed.
		if !o.Muted || o.Value == p.Form["agency"] {
			d.Agencies = append(d.Agencies, o)
		}
	}
	d.Locales = []option{{Value: "vi", Label: p.T("lang.vi")}, {Value: "en", Label: p.T("lang.en")}}
	return d, nil
}

func (w *Admin) userNew(rw http.ResponseWriter, r *http.Request) error {
	p := w.NewPage(r, "admin.user.new", "admin")
	p.Form["role"] = string(user.Operator)
	p.Form["generate"] = "1"
	return w.showUserNew(rw, r, p, http.StatusOK)
}

func (w *Admin) showUserNew(rw http.ResponseWriter, r *http.Request, p *web.Page, status int) error {
	d, err := w.userForm(r, p)
	if err != nil {
		return err
	}
	p.Data = d
	w.Render(rw, r, status, "admin_user_new", p)
	return nil
}

func (w *Admin) userCreate(rw http.ResponseWriter, r *http.Request) error {
	p := w.NewPage(r, "admin.user.new", "admin")
	fill(p, r)
	role := user.Role(r.PostFormValue("role"))
	in := user.NewUser{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Role: role, Password: r.PostFormValue("password")}
	if role == user.Agency {
		in.AgencyCode = r.PostFormValue("agency")
	}
	generated := r.PostFormValue("generate") == "1"
	if generated {
		in.Password = generatePassword()
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
		fieldError(p, err, nil)
	}
	if len(checks) > 0 {
		return w.showUserNew(rw, r, p, http.StatusBadRequest)
	}
	u, err := w.Users.Create(r.Context(), web.ActorOf(r), in)
	if err != nil {
		if !fieldError(p, err, nil) {
			return err
		}
		return w.showUserNew(rw, r, p, http.StatusBadRequest)
	}
	if generated {
		w.setOnce(rw, r, onceSecret{UserID: u.ID, Kind: "password", Secret: in.Password})
	}
	return w.Redirect(rw, r, "/console/admin/users/"+strconv.FormatInt(u.ID, 10), "admin.flash.user_created")
}

// userData is a user's admin page: profile, password, sessions, tokens.
type userData struct {
	userFormData
	User     user.User
	Agency   agency.Agency
	Self     bool
	Sessions int
	Tokens   []tokenRow
	Once     onceSecret
	Expiries []option
}

// tokenRow is an API token with its state at page time.
type tokenRow struct {
	user.Token
	State string // active, expired, revoked
}

func (w *Admin) user(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := w.Users.Get(r.Context(), id)
	if err != nil {
		return err
	}
	p := w.NewPage(r, "admin.user.title", "admin")
	w.keepUserForm(r, p, u)
	p.Form["generate"] = "1"
	o, _ := w.takeOnce(rw, r, u.ID)
	return w.showUser(rw, r, p, u, o, http.StatusOK)
}

func (w *Admin) showUser(rw http.ResponseWriter, r *http.Request, p *web.Page, u user.User, o onceSecret, status int) error {
	ctx := r.Context()
	f, err := w.userForm(r, p)
	if err != nil {
		return err
	}
	d := userData{userFormData: f, User: u, Self: u.ID == web.CurrentUser(r).ID, Once: o}
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
		d.Tokens = append(d.Tokens, tokenRow{Token: t, State: st})
	}
	for _, e := range []string{"30", "90", "365", "0"} {
		d.Expiries = append(d.Expiries, option{Value: e, Label: p.T("admin.token.expires_" + e)})
	}
	if _, ok := p.Form["token_expires"]; !ok {
		p.Form["token_expires"] = "90"
	}
	p.Data = d
	w.Render(rw, r, status, "admin_user", p)
	return nil
}

// userFor loads the user of a POST to /console/admin/users/{id}/….
func (w *Admin) userFor(r *http.Request) (user.User, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return user.User{}, err
	}
	return w.Users.Get(r.Context(), id)
}

func userURL(id int64) string { return "/console/admin/users/" + strconv.FormatInt(id, 10) }

func (w *Admin) userUpdate(rw http.ResponseWriter, r *http.Request) error {
	u, err := w.userFor(r)
	if err != nil {
		return err
	}
	p := w.NewPage(r, "admin.user.title", "admin")
	fill(p, r)
	name, locale := r.PostFormValue("name"), r.PostFormValue("locale")
	role := user.Role(r.PostFormValue("role"))
	active := r.PostFormValue("active") == "1"
	code := ""
	if role == user.Agency {
		code = r.PostFormValue("agency")
	}
	ch := user.Change{Name: &name, Role: &role, AgencyCode: &code, Active: &active, Locale: &locale}
	if u.ID == web.CurrentUser(r).ID && role != u.Role {
		// An admin who demotes themself may leave nobody to undo it.
		err = errs.Invalidf("admin.user.own_role").InField("role")
	} else {
		_, err = w.Users.Update(r.Context(), web.ActorOf(r), u.ID, ch)
	}
	if err != nil {
		if errs.As(err).Key == "user.cannot_deactivate_self" {
			err = errs.As(err).InField("active")
		}
		if !fieldError(p, err, nil) {
			return err
		}
		return w.showUser(rw, r, p, u, onceSecret{}, http.StatusBadRequest)
	}
	flash := "admin.flash.user_saved"
	if u.Active && !active {
		flash = "admin.flash.user_deactivated"
	}
	return w.Redirect(rw, r, userURL(u.ID), flash)
}

func (w *Admin) userPassword(rw http.ResponseWriter, r *http.Request) error {
	u, err := w.userFor(r)
	if err != nil {
		return err
	}
	p := w.NewPage(r, "admin.user.title", "admin")
	fill(p, r)
	next := r.PostFormValue("password")
	generated := r.PostFormValue("generate") == "1"
	if generated {
		next = generatePassword()
	}
	switch {
	case u.ID == web.CurrentUser(r).ID:
		// Your own password needs your current one: the account page asks.
		err = errs.Invalidf("admin.user.own_password").InField("password")
	case !generated && next == "":
		err = errs.Invalidf("field.required").InField("password")
	case !generated && next != r.PostFormValue("password_confirm"):
		err = errs.Invalidf("account.password_mismatch").InField("password_confirm")
	default:
		err = w.Users.SetPassword(r.Context(), web.ActorOf(r), u.ID, "", next, 0)
	}
	if err != nil {
		if !fieldError(p, err, nil) {
			return err
		}
		w.keepUserForm(r, p, u)
		return w.showUser(rw, r, p, u, onceSecret{}, http.StatusBadRequest)
	}
	if generated {
		w.setOnce(rw, r, onceSecret{UserID: u.ID, Kind: "password", Secret: next})
	}
	return w.Redirect(rw, r, userURL(u.ID), "admin.flash.password_reset")
}

// keepUserForm fills the profile form from the stored user when another
// form of the page was rejected.
func (w *Admin) keepUserForm(r *http.Request, p *web.Page, u user.User) {
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

func (w *Admin) userEndSessions(rw http.ResponseWriter, r *http.Request) error {
	u, err := w.userFor(r)
	if err != nil {
		return err
	}
	if u.ID == web.CurrentUser(r).ID {
		return w.Redirect(rw, r, "/console/account", "")
	}
	if err := w.Users.EndOtherSessions(r.Context(), web.ActorOf(r), u.ID, 0); err != nil {
		return err
	}
	return w.Redirect(rw, r, userURL(u.ID), "admin.flash.sessions_ended")
}

// tokenExpiries are the lifetimes offered for new API tokens, in days; 0
// never expires.
var tokenExpiries = []int{30, 90, 365, 0}

func (w *Admin) tokenCreate(rw http.ResponseWriter, r *http.Request) error {
	u, err := w.userFor(r)
	if err != nil {
		return err
	}
	p := w.NewPage(r, "admin.user.title", "admin")
	fill(p, r)
	name := vntext.Line(r.PostFormValue("token_name"))
	days, perr := strconv.Atoi(r.PostFormValue("token_expires"))
	switch {
	case name == "":
		err = errs.Invalidf("field.required").InField("token_name")
	case vntext.Len(name) > 100:
		err = errs.Invalidf("field.too_long", "max", "100").InField("token_name")
	case perr != nil || !slices.Contains(tokenExpiries, days):
		err = errs.Invalidf("field.invalid").InField("token_expires")
	}
	var secret string
	if err == nil {
		secret, _, err = w.Users.CreateToken(r.Context(), web.ActorOf(r), u.ID, name, time.Duration(days)*24*time.Hour)
	}
	if err != nil {
		if errs.As(err).Key == "user.inactive" {
			err = errs.As(err).InField("token_name")
		}
		if !fieldError(p, err, nil) {
			return err
		}
		w.keepUserForm(r, p, u)
		return w.showUser(rw, r, p, u, onceSecret{}, http.StatusBadRequest)
	}
	w.setOnce(rw, r, onceSecret{UserID: u.ID, Kind: "token", Secret: secret})
	return w.Redirect(rw, r, userURL(u.ID), "admin.flash.token_created")
}

func (w *Admin) tokenRevoke(rw http.ResponseWriter, r *http.Request) error {
	u, err := w.userFor(r)
	if err != nil {
		return err
	}
	tid, err := pathID(r, "token")
	if err != nil {
		return err
	}
	if err := w.Users.RevokeToken(r.Context(), web.ActorOf(r), u.ID, tid); err != nil {
		return err
	}
	return w.Redirect(rw, r, userURL(u.ID), "admin.flash.token_revoked")
}
