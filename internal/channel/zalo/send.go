package zalo

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/apicall"
	"github.com/hotline-1022/hotline/internal/i18n"
)

// Send posts a consultation message:
//
//	POST {api_base}/v3.0/oa/message/cs
//	access_token: <access_token>
//	{"recipient":{"user_id":"…"},"message":{"text":"…"}}
//
// Zalo answers 200 for its own errors too, with a negative "error".
func (a *Adapter) Send(ctx context.Context, acct channel.Account, m channel.Outbound) (channel.Sent, error) {
	token := acct.Settings["access_token"]
	if token == "" {
		return channel.Sent{}, &channel.SendError{Reason: channel.TokenInvalid, Message: "the account has no access_token"}
	}
	var body struct {
		Recipient struct {
			UserID string `json:"user_id"`
		} `json:"recipient"`
		Message struct {
			Text string `json:"text"`
		} `json:"message"`
	}
	body.Recipient.UserID = m.UserID
	body.Message.Text = m.Text
	req, err := apicall.JSON(ctx, http.MethodPost, apiBase(acct)+"/v3.0/oa/message/cs", body)
	if err != nil {
		return channel.Sent{}, &channel.SendError{Reason: channel.Rejected, Err: err}
	}
	req.Header.Set("access_token", token)
	var data struct {
		MessageID string `json:"message_id"`
	}
	if err := a.call(req, &data); err != nil {
		return channel.Sent{}, err
	}
	return channel.Sent{ProviderID: data.MessageID}, nil
}

// Check asks for the OA's own profile (GET {api_base}/v2.0/oa/getoa), the
// cheapest call that proves the access token works.
func (a *Adapter) Check(ctx context.Context, acct channel.Account) error {
	token := acct.Settings["access_token"]
	if token == "" {
		return &channel.SendError{Reason: channel.TokenInvalid, Message: "the account has no access_token"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, apiBase(acct)+"/v2.0/oa/getoa", nil)
	if err != nil {
		return &channel.SendError{Reason: channel.Rejected, Err: err}
	}
	req.Header.Set("access_token", token)
	var data struct {
		OAID string `json:"oa_id"`
	}
	return a.call(req, &data)
}

func apiBase(acct channel.Account) string {
	return strings.TrimRight(acct.Setting("api_base", DefaultAPIBase), "/")
}

// call sends an OpenAPI request and reads {"error":0,"message":…,"data":…}
// into data; any other answer is a *channel.SendError.
func (a *Adapter) call(req *http.Request, data any) error {
	resp, err := a.api.Do(req)
	if err != nil {
		return err
	}
	var env struct {
		Error   *int            `json:"error"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	if json.Unmarshal(resp.Body, &env) != nil || env.Error == nil {
		return a.api.ByStatus(resp, "", "")
	}
	if *env.Error != 0 {
		return a.failure(*env.Error, env.Message, resp)
	}
	if resp.Status != http.StatusOK {
		return a.api.ByStatus(resp, "", env.Message)
	}
	if len(env.Data) > 0 && json.Unmarshal(env.Data, data) != nil {
		return a.api.ByStatus(resp, "0", env.Message)
	}
	return nil
}

// failure maps Zalo's error codes (channels.md §1.4); the message text
// varies, the number does not.
func (a *Adapter) failure(code int, msg string, resp apicall.Response) *channel.SendError {
	e := &channel.SendError{Code: strconv.Itoa(code), Message: msg}
	switch code {
	case -32:
		e.Reason = channel.RateLimited
	case -216, -220, -223:
		// Invalid, expired or removed token, or a permission the OA has
		// not granted: the account needs a refresh or a new authorisation.
		e.Reason = channel.TokenInvalid
	case -230, -232, -213, -227:
		// No interaction for 7 days, none at all, not a follower, or a
		// user inactive for 45 days: only the user writing again opens it.
		e.Reason = channel.WindowClosed
	case -217, -244:
		e.Reason = channel.Blocked
	case -234:
		// This kind of message may not be sent between 22:00 and 06:00:
		// not a refusal, a wait until morning.
		e.Reason = channel.RateLimited
		e.RetryAfter = untilMorning(a.api.Now())
	default:
		if resp.Status >= 500 {
			e.Reason = channel.Unavailable
		} else {
			e.Reason = channel.Rejected
		}
	}
	if e.Reason == channel.RateLimited && e.RetryAfter == 0 {
		e.RetryAfter = a.api.RetryAfter(resp.Header)
	}
	return e
}

// untilMorning is how long until the next 06:00 in Vietnam.
func untilMorning(now time.Time) time.Duration {
	local := now.In(i18n.Location)
	six := time.Date(local.Year(), local.Month(), local.Day(), 6, 0, 0, 0, i18n.Location)
	if !six.After(local) {
		six = six.AddDate(0, 0, 1)
	}
	return six.Sub(local)
}
