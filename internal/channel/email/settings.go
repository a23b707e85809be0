package email

import (
	"net"
	"net/mail"
	"strings"

	"github.com/hotline-1022/hotline/internal/channel"
)

// TLS modes of a server connection (DESIGN §8).
const (
	TLSNone     = "none"
	TLSImplicit = "tls"
	TLSStart    = "starttls"
)

// server is how to reach one of an account's servers.
type server struct {
	addr, host, tls, user, password string
}

type smtpConfig struct {
	server
	from *mail.Address
}

// tlsDefault is the mode a port implies when none is set: 465 and 993 are
// implicit TLS, anything else STARTTLS.
func tlsDefault(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	if port == "465" || port == "993" {
		return TLSImplicit
	}
	return TLSStart
}

func serverOf(acct channel.Account, prefix, other string) server {
	s := server{addr: acct.Setting(prefix+"_addr", ""), user: acct.Setting(prefix+"_user", acct.Setting(other+"_user", "")),
		password: acct.Setting(prefix+"_password", acct.Setting(other+"_password", ""))}
	s.host, _, _ = net.SplitHostPort(s.addr)
	s.tls = strings.ToLower(acct.Setting(prefix+"_tls", tlsDefault(s.addr)))
	return s
}

// smtpOf reads an account's sending settings; the account store has
// checked them, so an error here means a mistaken account kind.
func smtpOf(acct channel.Account) (smtpConfig, error) {
	if acct.Kind != channel.Email {
		return smtpConfig{}, &channel.SendError{Reason: channel.Rejected, Message: "not an email account"}
	}
	c := smtpConfig{server: serverOf(acct, "smtp", "imap")}
	from, err := mail.ParseAddress(acct.Setting("from", ""))
	if err != nil || c.addr == "" {
		return smtpConfig{}, &channel.SendError{Reason: channel.Rejected, Message: "no sender address or SMTP server"}
	}
	if from.Name == "" {
		from.Name = acct.Name
	}
	c.from = from
	return c, nil
}
