package messenger

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/apicall"
)

// The messaging windows (channels.md §2.4): replies within 24 hours of the
// user's last message; with the HUMAN_AGENT tag, within 7 days.
const (
	Window           = 24 * time.Hour
	HumanAgentWindow = 7 * 24 * time.Hour
)

// MaxText is the Send API's limit on message.text, in characters.
const MaxText = 2000

type recipient struct {
	ID string `json:"id"`
}

type text struct {
	Text string `json:"text"`
}

// request is the Send API body, its fields in the documented order.
type request struct {
	Recipient     recipient `json:"recipient"`
	MessagingType string    `json:"messaging_type"`
	Tag           string    `json:"tag,omitempty"`
	Message       text      `json:"message"`
}

// Send posts to the Send API:
//
//	POST {api_base}/me/messages?access_token=<page_token>
//	{"recipient":{"id":"<PSID>"},"messaging_type":"RESPONSE","message":{"text":"…"}}
//
// messaging_type is RESPONSE within 24 hours of m.LastInbound; after that,
// MESSAGE_TAG with tag HUMAN_AGENT up to 7 days when the account's
// human_agent setting is "true"; otherwise Send does not call Meta and
// returns WindowClosed. A zero LastInbound means the user never wrote,
// which no window allows.
func (a *Adapter) Send(ctx context.Context, acct channel.Account, m channel.Outbound) (channel.Sent, error) {
	token := acct.Settings["page_token"]
	if token == "" {
		return channel.Sent{}, &channel.SendError{Reason: channel.TokenInvalid, Message: "the account has no page_token"}
	}
	if n := utf8.RuneCountInString(m.Text); n > MaxText {
		return channel.Sent{}, &channel.SendError{Reason: channel.Rejected, Message: "the text has " + strconv.Itoa(n) + " characters, Messenger takes " + strconv.Itoa(MaxText)}
	}
	body := request{Recipient: recipient{m.UserID}, Message: text{m.Text}}
	since := a.api.Now().Sub(m.LastInbound)
	switch {
	case m.LastInbound.IsZero():
		return channel.Sent{}, &channel.SendError{Reason: channel.WindowClosed, Message: "the user has not written to the page"}
	case since < Window:
		body.MessagingType = "RESPONSE"
	case acct.Settings["human_agent"] == "true" && since < HumanAgentWindow:
		body.MessagingType, body.Tag = "MESSAGE_TAG", "HUMAN_AGENT"
	case acct.Settings["human_agent"] == "true":
		return channel.Sent{}, &channel.SendError{Reason: channel.WindowClosed, Message: "the user last wrote more than 7 days ago"}
	default:
		return channel.Sent{}, &channel.SendError{Reason: channel.WindowClosed, Message: "the user last wrote more than 24 hours ago"}
	}
	req, err := apicall.JSON(ctx, http.MethodPost, apiBase(acct)+"/me/messages?access_token="+url.QueryEscape(token), body)
	if err != nil {
		return channel.Sent{}, &channel.SendError{Reason: channel.Rejected, Err: err}
	}
	var ok struct {
		RecipientID string `json:"recipient_id"`
		MessageID   string `json:"message_id"`
	}
	if err := a.call(req, &ok); err != nil {
		return channel.Sent{}, err
	}
	return channel.Sent{ProviderID: ok.MessageID}, nil
}

// Check reads the page the token belongs to (GET {api_base}/me), which
// fails exactly when the token does.
func (a *Adapter) Check(ctx context.Context, acct channel.Account) error {
	token := acct.Settings["page_token"]
	if token == "" {
		return &channel.SendError{Reason: channel.TokenInvalid, Message: "the account has no page_token"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, apiBase(acct)+"/me?fields=id,name&access_token="+url.QueryEscape(token), nil)
	if err != nil {
		return &channel.SendError{Reason: channel.Rejected, Err: err}
	}
	var page struct {
		ID string `json:"id"`
	}
	return a.call(req, &page)
}

func apiBase(acct channel.Account) string {
	return strings.TrimRight(acct.Setting("api_base", DefaultAPIBase), "/")
}

// graphError is Graph's error envelope.
type graphError struct {
	Error *struct {
		Message   string `json:"message"`
		Type      string `json:"type"`
		Code      int    `json:"code"`
		Subcode   int    `json:"error_subcode"`
		FBTraceID string `json:"fbtrace_id"`
	} `json:"error"`
}

// call sends a Graph request and reads a 200 answer into out; any other
// answer is a *channel.SendError.
func (a *Adapter) call(req *http.Request, out any) error {
	resp, err := a.api.Do(req)
	if err != nil {
		return err
	}
	var ge graphError
	if json.Unmarshal(resp.Body, &ge) == nil && ge.Error != nil && ge.Error.Code != 0 {
		return a.failure(resp, ge)
	}
	if resp.Status != http.StatusOK || json.Unmarshal(resp.Body, out) != nil {
		return a.api.ByStatus(resp, "", "")
	}
	return nil
}

// failure maps Graph's codes (channels.md §2.5).
func (a *Adapter) failure(resp apicall.Response, ge graphError) *channel.SendError {
	g := ge.Error
	code := strconv.Itoa(g.Code)
	if g.Subcode != 0 {
		code += "/" + strconv.Itoa(g.Subcode)
	}
	e := &channel.SendError{Code: code, Message: g.Message}
	switch {
	case g.Code == 10 && g.Subcode == 2018278:
		e.Reason = channel.WindowClosed
	case g.Code == 551:
		e.Reason = channel.Blocked
	case g.Code == 190:
		e.Reason = channel.TokenInvalid
	case g.Code == 100 && g.Subcode == 2018001:
		e.Reason = channel.UnknownRecipient
	case g.Code == 4 || g.Code == 613:
		e.Reason = channel.RateLimited
		e.RetryAfter = a.api.RetryAfter(resp.Header)
	case g.Code == 2 || g.Code == 1200:
		e.Reason = channel.Unavailable
	default:
		s := a.api.ByStatus(resp, code, g.Message)
		if resp.Status < 400 {
			s.Reason, s.Err = channel.Rejected, nil // an error envelope is Graph's own refusal
		}
		return s
	}
	return e
}
