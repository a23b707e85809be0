package zalo

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/apicall"
)

// defaultLifetime is what chatwoot assumes when a token answer carries no
// expires_in; Zalo's tokens live 25 h, so this errs on refreshing early.
const defaultLifetime = time.Hour

// Refresh exchanges the refresh token for a new pair (OAuth v4):
//
//	POST {oauth_base}/v4/oa/access_token
//	Content-Type: application/x-www-form-urlencoded
//	secret_key: <app_secret>
//
//	refresh_token=<rt>&app_id=<app_id>&grant_type=refresh_token
//
// It returns the settings access_token and refresh_token, and when the new
// access token expires. The old refresh token is spent even when the answer
// is lost, which is why the caller stores the result before anything else.
// Its errors are *channel.SendError: Unavailable when Zalo could not be
// reached, TokenInvalid when it refused the refresh token or the secret.
func (a *Adapter) Refresh(ctx context.Context, acct channel.Account) (map[string]string, time.Time, error) {
	appID, secret, rt := acct.Settings["app_id"], acct.Settings["app_secret"], acct.Settings["refresh_token"]
	if appID == "" || secret == "" || rt == "" {
		return nil, time.Time{}, &channel.SendError{Reason: channel.TokenInvalid, Message: "the account needs app_id, app_secret and refresh_token to refresh"}
	}
	form := "refresh_token=" + url.QueryEscape(rt) + "&app_id=" + url.QueryEscape(appID) + "&grant_type=refresh_token"
	base := strings.TrimRight(acct.Setting("oauth_base", DefaultOAuthBase), "/")
	req, err := apicall.Form(ctx, base+"/v4/oa/access_token", form)
	if err != nil {
		return nil, time.Time{}, &channel.SendError{Reason: channel.Rejected, Err: err}
	}
	req.Header.Set("secret_key", secret)
	start := a.api.Now()
	resp, err := a.api.Do(req)
	if err != nil {
		return nil, time.Time{}, err
	}
	var tok struct {
		AccessToken      string `json:"access_token"`
		RefreshToken     string `json:"refresh_token"`
		ExpiresIn        loose  `json:"expires_in"`
		Error            loose  `json:"error"`
		ErrorName        string `json:"error_name"`
		ErrorDescription string `json:"error_description"`
	}
	if json.Unmarshal(resp.Body, &tok) != nil {
		return nil, time.Time{}, a.api.ByStatus(resp, "", "")
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" {
		if tok.Error == "" || resp.Status >= 500 || resp.Status == 429 {
			return nil, time.Time{}, a.api.ByStatus(resp, string(tok.Error), tok.ErrorDescription)
		}
		msg := tok.ErrorDescription
		if msg == "" {
			msg = tok.ErrorName
		}
		return nil, time.Time{}, &channel.SendError{Reason: channel.TokenInvalid, Code: string(tok.Error), Message: msg}
	}
	life := defaultLifetime
	if s, err := strconv.ParseInt(string(tok.ExpiresIn), 10, 64); err == nil && s > 0 {
		life = time.Duration(s) * time.Second
	}
	settings := map[string]string{"access_token": tok.AccessToken, "refresh_token": tok.RefreshToken}
	// The lifetime runs from when Zalo answered; counting from before the
	// request errs on the early side.
	return settings, start.Add(life).UTC(), nil
}
