package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/httpx"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/user"
)

// loginCSRFCookie protects the sign-in form, which has no session yet,
// with a double-submit token.
const loginCSRFCookie = "hotline_login_csrf"

func (w *Web) authRoutes(rt *Router) {
	rt.Public("GET /login", w.loginForm)
	rt.Public("POST /login", w.login)
	rt.Public("GET /lang", w.switchLang)
	rt.Page("POST /logout", AllStaff, w.logout)
	rt.Page("GET /console/account", AllStaff, w.account)
	rt.Page("POST /console/account/password", AllStaff, w.changePassword)
	rt.Page("POST /console/account/sessions/{id}/end", AllStaff, w.endSession)
	rt.Page("POST /console/account/sessions/end-others", AllStaff, w.endOtherSessions)
}

// safeNext keeps redirects after sign-in on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/console"
	}
	return next
}

// RandomToken is an unguessable token for forms without a session (the
// sign-in page, the public portal): 24 random bytes, base64url.
func RandomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

type loginData struct {
	Next  string
	Email string
}

func (w *Web) loginForm(rw http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if _, _, err := w.Users.BySession(r.Context(), c.Value); err == nil {
			http.Redirect(rw, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
			return nil
		}
	}
	w.showLogin(rw, r, http.StatusOK, loginData{Next: safeNext(r.URL.Query().Get("next"))}, "")
	return nil
}

func (w *Web) showLogin(rw http.ResponseWriter, r *http.Request, status int, d loginData, errMsg string) {
	token := RandomToken()
	http.SetCookie(rw, &http.Cookie{Name: loginCSRFCookie, Value: token, Path: "/login", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: w.Secure(r)})
	p := w.NewPage(r, "login.title", "login")
	p.CSRF = token
	p.Error = errMsg
	p.Data = d
	w.Render(rw, r, status, "login", p)
}

func (w *Web) login(rw http.ResponseWriter, r *http.Request) error {
	d := loginData{Next: safeNext(r.PostFormValue("next")), Email: strings.TrimSpace(r.PostFormValue("email"))}
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		w.showLogin(rw, r, http.StatusForbidden, d, w.Catalog.T(w.Lang(r), "auth.csrf_invalid"))
		return nil
	}
	ctx := r.Context()
	ip := httpx.ClientIP(r, w.TrustProxy)
	email := strings.ToLower(d.Email)
	if err := w.Users.CheckThrottle(ctx, email, ip); err != nil {
		if errs.CodeOf(err) != errs.RateLimited {
			return err
		}
		w.Log.Warn("sign-in throttled", "ip", ip)
		w.showLogin(rw, r, httpx.Status(errs.CodeOf(err)), d, w.Catalog.Error(w.Lang(r), err))
		return nil
	}
	u, err := w.Users.Authenticate(ctx, email, r.PostFormValue("password"))
	if err != nil {
		if errs.CodeOf(err) == errs.Unauthorized {
			if rerr := w.Users.RecordFailure(ctx, email, ip); rerr != nil {
				return rerr
			}
		}
		w.showLogin(rw, r, httpx.Status(errs.CodeOf(err)), d, w.Catalog.Error(w.Lang(r), err))
		return nil
	}
	if err := w.Users.ClearFailures(ctx, email); err != nil {
		return err
	}
	secret, _, err := w.Users.CreateSession(ctx, u, ip, r.UserAgent())
	if err != nil {
		return err
	}
	http.SetCookie(rw, &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: w.Secure(r), MaxAge: int(user.MaxSessionAge.Seconds())})
	http.SetCookie(rw, &http.Cookie{Name: loginCSRFCookie, Value: "", Path: "/login", MaxAge: -1})
	w.Log.Info("signed in", "user_id", u.ID, "role", u.Role)
	if u.Role == user.Viewer && (d.Next == "/console" || d.Next == "/") {
		d.Next = "/console/reports" // a leader's console is the figures
	}
	http.Redirect(rw, r, d.Next, http.StatusSeeOther)
	return nil
}

func (w *Web) clearSessionCookie(rw http.ResponseWriter, r *http.Request) {
	http.SetCookie(rw, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: w.Secure(r)})
}

func (w *Web) logout(rw http.ResponseWriter, r *http.Request) error {
	s, _ := httpx.SessionFrom(r.Context())
	u := CurrentUser(r)
	if err := w.Users.EndSession(r.Context(), ActorOf(r), u.ID, s.ID); err != nil {
		return err
	}
	w.clearSessionCookie(rw, r)
	return w.Redirect(rw, r, "/login", "login.signed_out")
}

// switchLang remembers the chosen language for a year.
func (w *Web) switchLang(rw http.ResponseWriter, r *http.Request) error {
	l, ok := i18n.ParseLang(r.URL.Query().Get("to"))
	if !ok {
		return errs.Invalidf("field.invalid").InField("to")
	}
	http.SetCookie(rw, &http.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, Secure: w.Secure(r)})
	http.Redirect(rw, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
	return nil
}

type accountData struct {
	Sessions []user.Session
	Current  int64
}

func (w *Web) account(rw http.ResponseWriter, r *http.Request) error {
	p := w.NewPage(r, "account.title", "account")
	return w.showAccount(rw, r, p, http.StatusOK)
}

func (w *Web) showAccount(rw http.ResponseWriter, r *http.Request, p *Page, status int) error {
	u := CurrentUser(r)
	s, _ := httpx.SessionFrom(r.Context())
	sessions, err := w.Users.Sessions(r.Context(), u.ID)
	if err != nil {
		return err
	}
	p.Data = accountData{Sessions: sessions, Current: s.ID}
	w.Render(rw, r, status, "account", p)
	return nil
}

func (w *Web) changePassword(rw http.ResponseWriter, r *http.Request) error {
	u := CurrentUser(r)
	s, _ := httpx.SessionFrom(r.Context())
	p := w.NewPage(r, "account.title", "account")
	next, confirm := r.PostFormValue("new_password"), r.PostFormValue("confirm_password")
	var err error
	if next != confirm {
		err = errs.Invalidf("account.password_mismatch").InField("confirm_password")
	} else {
		err = w.Users.SetPassword(r.Context(), ActorOf(r), u.ID, r.PostFormValue("current_password"), next, s.ID)
	}
	if err != nil {
		if e := errs.As(err); e.Code == errs.Invalid {
			field := e.Field
			if field == "password" {
				field = "new_password"
			}
			p.Errors[field] = p.Err(err)
			return w.showAccount(rw, r, p, http.StatusBadRequest)
		}
		return err
	}
	return w.Redirect(rw, r, "/console/account", "account.password_changed")
}

func (w *Web) endSession(rw http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.NotFoundf("error.not_found")
	}
	u := CurrentUser(r)
	if err := w.Users.EndSession(r.Context(), ActorOf(r), u.ID, id); err != nil {
		return err
	}
	return w.Redirect(rw, r, "/console/account", "account.session_ended")
}

func (w *Web) endOtherSessions(rw http.ResponseWriter, r *http.Request) error {
	u := CurrentUser(r)
	s, _ := httpx.SessionFrom(r.Context())
	if err := w.Users.EndOtherSessions(r.Context(), ActorOf(r), u.ID, s.ID); err != nil {
		return err
	}
	return w.Redirect(rw, r, "/console/account", "account.sessions_ended")
}
