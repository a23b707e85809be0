package viber

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/apicall"
)

// MaxSenderName is Viber's limit on sender.name, in characters.
const MaxSenderName = 28

// request is the send_message body, its fields in the documented order.
type request struct {
	Receiver      string `json:"receiver"`
	MinAPIVersion int    `json:"min_api_version"`
	Sender        struct {
		Name string `json:"name"`
	} `json:"sender"`
	Type string `json:"type"`
	Text string `json:"text"`
}

// Send posts a text message:
//
//	POST {api_base}/send_message
//	X-Viber-Auth-Token: <auth_token>
//	{"receiver":"…","min_api_version":1,"sender":{"name":"…"},"type":"text","text":"…"}
//
// Viber answers 200 for its own errors too, with a non-zero status.
func (a *Adapter) Send(ctx context.Context, acct channel.Account, m channel.Outbound) (channel.Sent, error) {
	name := SenderName(acct)
	if name == "" {
		return channel.Sent{}, &channel.SendError{Reason: channel.Rejected, Message: "the account has no sender_name"}
	}
	body := request{Receiver: m.UserID, MinAPIVersion: 1, Type: "text", Text: m.Text}
	body.Sender.Name = name
	var out struct {
		MessageToken json.Number `json:"message_token"`
	}
	if err := a.call(ctx, acct, "/send_message", body, &out); err != nil {
		return channel.Sent{}, err
	}
	return channel.Sent{ProviderID: string(out.MessageToken)}, nil
}

// SenderName is the name our messages show: the sender_name setting, or
// the account's name, cut to Viber's 28 characters.
func SenderName(acct channel.Account) string {
	name := strings.TrimSpace(acct.Setting("sender_name", acct.Name))
	if r := []rune(name); len(r) > MaxSenderName {
		name = strings.TrimSpace(string(r[:MaxSenderName]))
	}
	return name
}

// Check asks for the bot's account info (POST {api_base}/get_account_info),
// which fails exactly when the token does or the bot is blocked.
func (a *Adapter) Check(ctx context.Context, acct channel.Account) error {
	var info struct {
		ID string `json:"id"`
	}
	return a.call(ctx, acct, "/get_account_info", struct{}{}, &info)
}

// call posts body to a Bot API method and reads a status-0 answer into out;
// any other answer is a *channel.SendError.
func (a *Adapter) call(ctx context.Context, acct channel.Account, method string, body, out any) error {
	token := acct.Settings["auth_token"]
	if token == "" {
		return &channel.SendError{Reason: channel.TokenInvalid, Message: "the account has no auth_token"}
	}
	base := strings.TrimRight(acct.Setting("api_base", DefaultAPIBase), "/")
	req, err := apicall.JSON(ctx, http.MethodPost, base+method, body)
	if err != nil {
		return &channel.SendError{Reason: channel.Rejected, Err: err}
	}
	req.Header.Set("X-Viber-Auth-Token", token)
	resp, err := a.api.Do(req)
	if err != nil {
		return err
	}
	var st struct {
		Status        *int   `json:"status"`
		StatusMessage string `json:"status_message"`
	}
	if json.Unmarshal(resp.Body, &st) != nil || st.Status == nil {
		return a.api.ByStatus(resp, "", "")
	}
	if *st.Status != 0 {
		return a.failure(*st.Status, st.StatusMessage, resp)
	}
	dec := json.NewDecoder(bytes.NewReader(resp.Body))
	dec.UseNumber()
	if resp.Status != http.StatusOK || dec.Decode(out) != nil {
		return a.api.ByStatus(resp, "0", st.StatusMessage)
	}
	return nil
}

// failure maps Viber's status codes (channels.md §3.4; 0–14 are
// confirmed, higher ones differ between sources and are Rejected).
func (a *Adapter) failure(status int, msg string, resp apicall.Response) *channel.SendError {
	e := &channel.SendError{Code: strconv.Itoa(status), Message: msg}
	switch status {
	case 2: // invalidAuthToken
		e.Reason = channel.TokenInvalid
	case 5: // receiverNotRegistered
		e.Reason = channel.UnknownRecipient
	case 6: // receiverNotSubscribed: unsubscribed, or never subscribed
		e.Reason = channel.Blocked
	case 12: // tooManyRequests: 100 messages an hour to a user who has not replied
		e.Reason = channel.RateLimited
		e.RetryAfter = a.api.RetryAfter(resp.Header)
	default:
		// 1 invalidUrl, 3 badData, 4 missingData, 7–9 our bot blocked, not
		// found or suspended, 10 webhookNotSet, 11 no suitable device,
		// 13–14 API version: sending again will not help.
		if resp.Status >= 500 {
			e.Reason = channel.Unavailable
		} else {
			e.Reason = channel.Rejected
		}
	}
	return e
}
