package web

import (
	"net/http"
	"time"

	"github.com/hotline-1022/hotline/internal/ticket"
)

// adBuiltIn are the channels hotline receives on by itself, with no adapter
// to configure: calls recorded in the console, the public web form and the
// API (apps and Open311 clients). The value is the message key of how.
var adBuiltIn = map[ticket.Channel]string{
	ticket.Phone: "admin.channels.via_phone",
	ticket.Web:   "admin.channels.via_web",
	ticket.App:   "admin.channels.via_app",
}

// Channel health states.
const (
	healthReceiving     = "receiving"      // something arrived in the last 24 hours
	healthQuiet         = "quiet"          // nothing for 24 hours
	healthNotConfigured = "not_configured" // no adapter
)

// adChannelRow is a channel on the health page.
type adChannelRow struct {
	ticket.ChannelStat
	Health string
	Via    string // message key: how tickets arrive on it
}

type adChannelsData struct {
	adminBase
	Channels []adChannelRow
}

func (w *Web) adminChannels(rw http.ResponseWriter, r *http.Request) error {
	p := w.adminPage(r, "channels")
	stats, err := w.Tickets.ChannelStats(r.Context(), p.Now)
	if err != nil {
		return err
	}
	d := adChannelsData{adminBase: adBase("channels")}
	for _, st := range stats {
		row := adChannelRow{ChannelStat: st, Health: healthNotConfigured, Via: "admin.channels.via_none"}
		if via, ok := adBuiltIn[st.Channel]; ok {
			row.Via, row.Health = via, healthQuiet
			if !st.LastInbound.IsZero() && p.Now.Sub(st.LastInbound) < 24*time.Hour {
				row.Health = healthReceiving
			}
		}
		d.Channels = append(d.Channels, row)
	}
	p.Data = d
	w.render(rw, r, http.StatusOK, "admin_channels", p)
	return nil
}
