package admin

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/account"
	"github.com/hotline-1022/hotline/internal/channel/relay"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/web"
)

// ChannelHealth is what the channels page reads of the channel framework:
// every account with its health and backlog, never a secret.
type ChannelHealth interface {
	Health(ctx context.Context) ([]relay.Health, error)
}

// builtIn are the channels hotline receives on by itself, with no adapter
// to configure: calls recorded in the console, the public web form and the
// API (apps and Open311 clients). The value is the message key of how.
var builtIn = map[ticket.Channel]string{
	ticket.Phone: "admin.channels.via_phone",
	ticket.Web:   "admin.channels.via_web",
	ticket.App:   "admin.channels.via_app",
}

// atTheDesk are the channels an operator records on the call-taker besides
// the phone: a walk-in or a letter.
var atTheDesk = map[ticket.Channel]bool{ticket.WalkIn: true, ticket.Letter: true}

// Channel health states.
const (
	healthReceiving     = "receiving"      // something arrived in the last 24 hours
	healthQuiet         = "quiet"          // nothing for 24 hours
	healthNotConfigured = "not_configured" // no adapter, or no enabled account
)

// channelRow is a channel on the health page.
type channelRow struct {
	ticket.ChannelStat
	Health string
	Via    string // message key: how tickets arrive on it
}

// accountRow is a chat channel account on the page.
type accountRow struct {
	relay.Health
	KindName string // the platform's display name
	Webhook  string
}

type channelsData struct {
	subnav
	Channels []channelRow
	Accounts []accountRow
	Kinds    []option
	Keys     string // the settings of every kind, for the form's hint
	Capped   bool   // some count is a lower bound
}

// kindName is a channel kind's display name: the ticket channel's name, or
// the account kind's own (the phone system's CTI).
func kindName(p *web.Page, k channel.Kind) string {
	if p.Has("channel." + string(k)) {
		return p.T("channel." + string(k))
	}
	return p.T("admin.channels.kind_" + string(k))
}

func (w *Admin) channels(rw http.ResponseWriter, r *http.Request) error {
	return w.showChannels(rw, r, w.page(r, "channels"), http.StatusOK)
}

func (w *Admin) showChannels(rw http.ResponseWriter, r *http.Request, p *web.Page, status int) error {
	stats, err := w.Tickets.ChannelStats(r.Context(), p.Now)
	if err != nil {
		return err
	}
	d := channelsData{subnav: subnavOf("channels")}
	enabled := map[ticket.Channel]bool{}
	if w.Channels != nil {
		hs, err := w.Channels.Health(r.Context())
		if err != nil {
			return err
		}
		base := "http://"
		if w.Secure(r) {
			base = "https://"
		}
		base += r.Host
		for _, h := range hs {
			row := accountRow{Health: h, KindName: kindName(p, channel.Kind(h.Kind))}
			if p := h.WebhookPath(); p != "" {
				row.Webhook = base + p
			}
			d.Accounts = append(d.Accounts, row)
			if h.Enabled {
				enabled[ticket.Channel(h.Kind)] = true
			}
		}
	}
	adapters := map[ticket.Channel]bool{}
	var keys []string
	for _, k := range account.Kinds() {
		adapters[ticket.Channel(k)] = true
		d.Kinds = append(d.Kinds, option{Value: string(k), Label: kindName(p, k)})
		keys = append(keys, kindName(p, k)+": "+strings.Join(account.Keys(k), ", "))
	}
	d.Keys = strings.Join(keys, ". ")
	for _, st := range stats {
		row := channelRow{ChannelStat: st, Health: healthNotConfigured, Via: "admin.channels.via_none"}
		via, ok := builtIn[st.Channel]
		switch {
		case ok:
		case atTheDesk[st.Channel]:
			via, ok = "admin.channels.via_desk", true
		case enabled[st.Channel] && st.Channel == ticket.Email:
			via, ok = "admin.channels.via_mailbox", true
		case enabled[st.Channel]:
			via, ok = "admin.channels.via_hooks", true
		case adapters[st.Channel]:
			row.Via = "admin.channels.via_no_account"
		case st.LastInbound.IsZero() && st.Last7d == 0:
			continue // no way in and nothing ever came: nothing to show
		}
		d.Capped = d.Capped || st.Capped
		if ok {
			row.Via, row.Health = via, healthQuiet
			if !st.LastInbound.IsZero() && p.Now.Sub(st.LastInbound) < 24*time.Hour {
				row.Health = healthReceiving
			}
		}
		d.Channels = append(d.Channels, row)
	}
	p.Data = d
	w.Render(rw, r, status, "admin_channels", p)
	return nil
}

// channelAdd adds a chat channel account. The settings are key=value
// lines; they are never shown back, not even after a mistake.
func (w *Admin) channelAdd(rw http.ResponseWriter, r *http.Request) error {
	p := w.page(r, "channels")
	fill(p, r)
	delete(p.Form, "settings")
	settings := map[string]string{}
	var err error
	for _, line := range strings.Split(r.PostFormValue("settings"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(k) == "" {
			err = errs.Invalidf("channel.settings_line").InField("settings")
			break
		}
		settings[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if err == nil {
		_, err = w.Accounts.Add(r.Context(), web.ActorOf(r), channel.Kind(r.PostFormValue("kind")), r.PostFormValue("name"), settings)
	}
	if err != nil {
		e := errs.As(err)
		alias := map[string]string{}
		if e.Field != "" && e.Field != "name" && e.Field != "kind" {
			alias[e.Field] = "settings" // a setting's key is named in the message
		}
		if !fieldError(p, err, alias) {
			return err
		}
		return w.showChannels(rw, r, p, http.StatusBadRequest)
	}
	return w.Redirect(rw, r, "/console/admin/channels", "admin.flash.channel_added")
}

// channelEnabled enables or disables an account.
func (w *Admin) channelEnabled(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	on := r.PostFormValue("enabled") == "1"
	if err := w.Accounts.SetEnabled(r.Context(), web.ActorOf(r), id, on); err != nil {
		return err
	}
	flash := "admin.flash.channel_disabled"
	if on {
		flash = "admin.flash.channel_enabled"
	}
	return w.Redirect(rw, r, "/console/admin/channels", flash)
}
