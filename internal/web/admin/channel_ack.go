package admin

import (
	"net/http"
	"strconv"
	"time"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/account"
	"github.com/hotline-1022/hotline/internal/channel/ami"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/reply"
	"github.com/hotline-1022/hotline/internal/web"
)

// sampleCode is the tracking code the acknowledgement's preview shows.
const sampleCode = "K7M3P-9QXD2"

type channelData struct {
	subnav
	Account account.Account
	// Default is the catalogue's acknowledgement in Vietnamese (what is
	// sent) and in English (for who reads the console in English).
	Default, DefaultEN string
	Custom             bool   // the account has its own text
	Preview            string // the text sent, with a sample code
	Code               string // the placeholder
	// Mailbox is a mailbox account's intake: its position, its last error
	// (on Account) and the mails that made no ticket; nil for a chat
	// account.
	Mailbox *account.MailboxState
	// AMI is an Asterisk manager account's session on this instance; nil
	// for any other kind.
	AMI      *amiView
	KindName string // the kind's display name
}

// AMIStates is what the channel page reads of the AMI connector: the
// state of an account's session on this instance, and whether it runs one.
type AMIStates interface {
	State(id int64) (ami.State, bool)
}

// amiView is an AMI account's connection as the database has it, the
// same on every instance: who holds it and since when, the last call
// event (the account's last inbound) and the last error.
type amiView struct {
	account.Held
	LastEvent, LastErrorAt time.Time
	LastError              string
}

// channel shows one chat channel account and its acknowledgement.
func (w *Admin) channel(rw http.ResponseWriter, r *http.Request) error {
	a, err := w.accountFor(r)
	if err != nil {
		return err
	}
	p := w.NewPage(r, "admin.channel.title", "admin")
	p.Form["ack"] = a.Ack
	if a.Ack == "" {
		p.Form["ack"] = w.Catalog.T(i18n.VI, "channel.ack", "code", account.AckCode)
	}
	return w.showChannel(rw, r, p, a, http.StatusOK)
}

func (w *Admin) accountFor(r *http.Request) (account.Account, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return account.Account{}, err
	}
	return w.Accounts.Get(r.Context(), id)
}

func (w *Admin) showChannel(rw http.ResponseWriter, r *http.Request, p *web.Page, a account.Account, status int) error {
	d := channelData{subnav: subnavOf("channels"), Account: a, Custom: a.Ack != "", Code: account.AckCode,
		Default:   w.Catalog.T(i18n.VI, "channel.ack", "code", account.AckCode),
		DefaultEN: w.Catalog.T(i18n.EN, "channel.ack", "code", account.AckCode)}
	text := a.Ack
	if text == "" {
		text = d.Default
	}
	d.Preview = reply.Fill(text, map[string]string{"code": sampleCode})
	d.KindName = kindName(p, a.Kind)
	if a.Kind == channel.AMI {
		held, err := w.Accounts.Lease(r.Context(), a.ID, time.Now())
		if err != nil {
			return err
		}
		d.AMI = &amiView{Held: held, LastEvent: a.LastInbound, LastError: a.LastError, LastErrorAt: a.LastErrorAt}
	}
	if a.Kind == channel.Email {
		m, err := w.Accounts.Mailbox(r.Context(), a.ID, 20)
		if err != nil {
			return err
		}
		d.Mailbox = &m
	}
	p.Data = d
	w.Render(rw, r, status, "admin_channel", p)
	return nil
}

// channelAck saves an account's acknowledgement. The catalogue's text, or
// an empty one, or the reset button, go back to the default, so the
// account follows the catalogue when it changes.
func (w *Admin) channelAck(rw http.ResponseWriter, r *http.Request) error {
	a, err := w.accountFor(r)
	if err != nil {
		return err
	}
	text := r.PostFormValue("ack")
	if r.PostFormValue("reset") == "1" || text == w.Catalog.T(i18n.VI, "channel.ack", "code", account.AckCode) {
		text = ""
	}
	if err := w.Accounts.SetAck(r.Context(), web.ActorOf(r), a.ID, text); err != nil {
		p := w.NewPage(r, "admin.channel.title", "admin")
		fill(p, r)
		if !fieldError(p, err, nil) {
			return err
		}
		return w.showChannel(rw, r, p, a, http.StatusBadRequest)
	}
	flash := "admin.flash.channel_ack_saved"
	if text == "" {
		flash = "admin.flash.channel_ack_default"
	}
	return w.Redirect(rw, r, "/console/admin/channels/"+strconv.FormatInt(a.ID, 10), flash)
}
