package admin

import (
	"net/http"
	"time"

	"github.com/hotline-1022/hotline/internal/ticket"
)

// builtIn are the channels hotline receives on by itself, with no adapter
// to configure: calls recorded in the console, the public web form and the
// API (apps and Open311 clients). The value is the message key of how.
var builtIn = map[ticket.Channel]string{
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

// channelRow is a channel on the health page.
type channelRow struct {
	ticket.ChannelStat
	Health string
	Via    string // message key: how tickets arrive on it
}

type channelsData struct {
	subnav
	Channels []channelRow
}

func (w *Admin) channels(rw http.ResponseWriter, r *http.Request) error {
	p := w.page(r, "channels")
	stats, err := w.Tickets.ChannelStats(r.Context(), p.Now)
	if err != nil {
		return err
	}
	d := channelsData{subnav: subnavOf("channels")}
	for _, st := range stats {
		row := channelRow{ChannelStat: st, Health: healthNotConfigured, Via: "admin.channels.via_none"}
		if via, ok := builtIn[st.Channel]; ok {
			row.Via, row.Health = via, healthQuiet
			if !st.LastInbound.IsZero() && p.Now.Sub(st.LastInbound) < 24*time.Hour {
				row.Health = healthReceiving
			}
		}
		d.Channels = append(d.Channels, row)
	}
	p.Data = d
	w.Render(rw, r, http.StatusOK, "admin_channels", p)
	return nil
}
