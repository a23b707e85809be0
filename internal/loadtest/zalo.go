package loadtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Zalo makes a run post signed Zalo OA webhooks instead of API reports:
// user_send_text events, each with its own msg_id, to
// /hooks/zalo/{Channel}, signed as Zalo signs them (shared/reference/
// channels.md §1.3). The account is one made with
// `hotline channel add zalo … app_id=… oa_secret=…`.
type Zalo struct {
	Channel  int64  // the channel account's id
	AppID    string // its app_id
	OASecret string // its oa_secret, which signs webhooks
	// Returning is the share of events, in percent, from citizens who
	// already wrote in this run (their message joins the ticket the first
	// one opened); the others come from citizens writing for the first
	// time, and each opens a ticket.
	Returning int
}

func (z *Zalo) validate() error {
	switch {
	case z.Channel <= 0:
		return errors.New("loadtest: the Zalo channel id must be positive (hotline channel list shows it)")
	case z.AppID == "":
		return errors.New("loadtest: the Zalo app_id is required")
	case z.OASecret == "":
		return errors.New("loadtest: the Zalo oa_secret is required")
	case z.Returning < 0 || z.Returning > 100:
		return fmt.Errorf("loadtest: the share of returning citizens is a percentage, not %d", z.Returning)
	}
	return nil
}

// ZaloSignature is the X-ZEvent-Signature of body: "mac=" and the hex
// SHA-256 of app id, the raw body, the body's timestamp as sent, and the
// OA secret.
func ZaloSignature(appID, oaSecret string, body []byte, timestamp string) string {
	h := sha256.New()
	h.Write([]byte(appID))
	h.Write(body)
	h.Write([]byte(timestamp))
	h.Write([]byte(oaSecret))
	return "mac=" + hex.EncodeToString(h.Sum(nil))
}

// zaloText is a user_send_text body as Zalo posts it.
type zaloText struct {
	AppID       string `json:"app_id"`
	UserIDByApp string `json:"user_id_by_app"`
	EventName   string `json:"event_name"`
	Timestamp   string `json:"timestamp"`
	Sender      zaloID `json:"sender"`
	Recipient   zaloID `json:"recipient"`
	Message     struct {
		MsgID string `json:"msg_id"`
		Text  string `json:"text"`
	} `json:"message"`
}

type zaloID struct {
	ID string `json:"id"`
}

// zaloSender is one worker's citizens and message ids. Both carry the
// run's start time, so that another run's ids never collide with them.
type zaloSender struct {
	z      *Zalo
	prefix string // the run and the worker
	sent   int    // events made so far; the message id's sequence
	users  int    // citizens who wrote so far
}

func newZaloSender(z *Zalo, start time.Time, worker int) *zaloSender {
	return &zaloSender{z: z, prefix: "lt" + strconv.FormatInt(start.UnixNano(), 36) + "w" + strconv.Itoa(worker)}
}

// next returns the next signed event: from a new citizen, or, Returning
// percent of the time once there is one, from one who wrote before.
func (s *zaloSender) next(g *Generator, now time.Time) (body []byte, signature string) {
	user := s.users
	if s.users > 0 && g.chance(s.z.Returning) {
		user = g.r.IntN(s.users)
	} else {
		s.users++
	}
	s.sent++
	content, _ := g.Report(nil, nil)["content"].(string)
	ev := zaloText{AppID: s.z.AppID, EventName: "user_send_text", Timestamp: strconv.FormatInt(now.UnixMilli(), 10),
		Sender: zaloID{s.prefix + "u" + strconv.Itoa(user)}, Recipient: zaloID{"loadtest-oa"}}
	ev.UserIDByApp = ev.Sender.ID
	ev.Message.MsgID = s.prefix + "m" + strconv.Itoa(s.sent)
	ev.Message.Text = content
	body, err := json.Marshal(ev)
	if err != nil {
		panic(err) // strings always marshal
	}
	return body, ZaloSignature(s.z.AppID, s.z.OASecret, body, ev.Timestamp)
}

// postZalo posts one signed event; like postTicket, it returns the status,
// a description of a failure, and for 2xx the answer when keep is set.
func (a *api) postZalo(ctx context.Context, channel int64, body []byte, signature string, keep bool) (status int, problem string, answer []byte) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/hooks/zalo/"+strconv.FormatInt(channel, 10), bytes.NewReader(body))
	if err != nil {
		return 0, transportMessage(err), nil
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "hotline-loadtest")
	req.Header.Set("X-ZEvent-Signature", signature)
	return a.do(req, keep)
}

// checkHook looks at one 2xx answer to a webhook: hotline answers
// {"status":"ok"} once the event is stored.
func checkHook(body []byte) bool {
	var ok struct {
		Status string `json:"status"`
	}
	return json.Unmarshal(body, &ok) == nil && ok.Status == "ok"
}
