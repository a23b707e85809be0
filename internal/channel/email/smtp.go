package email

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/hotline-1022/hotline/internal/channel"
)

// Deliver sends m through acct's SMTP submission server. Its errors are
// *channel.SendError: a server that cannot be reached, a 4xx answer or a
// refused login are temporary (the queue retries: a login is fixed by an
// admin, and nothing is lost meanwhile); any other 5xx is permanent, and a
// 5xx to the recipient says it does not exist.
func (a *Adapter) Deliver(ctx context.Context, acct channel.Account, m Mail) error {
	cfg, err := smtpOf(acct)
	if err != nil {
		return err
	}
	raw, err := m.Bytes()
	if err != nil {
		return &channel.SendError{Reason: channel.Rejected, Message: err.Error()}
	}
	timeout := a.Timeout
	if timeout == 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := a.dial(ctx, cfg.server)
	if err != nil {
		return unavailable("connect", err)
	}
	defer c.Close()
	if cfg.user != "" {
		if err := c.Auth(sasl.NewPlainClient("", cfg.user, cfg.password)); err != nil {
			return classify("auth", err)
		}
	}
	if err := c.Mail(cfg.from.Address, nil); err != nil {
		return classify("mail", err)
	}
	if err := c.Rcpt(m.To.Address, nil); err != nil {
		return classify("rcpt", err)
	}
	w, err := c.Data()
	if err != nil {
		return classify("data", err)
	}
	if _, err := w.Write(raw); err != nil {
		return classify("data", err)
	}
	if err := w.Close(); err != nil {
		return classify("data", err)
	}
	_ = c.Quit() // the server has the mail: a failed goodbye changes nothing
	return nil
}

// dial opens an SMTP session in the server's TLS mode, greeted with EHLO,
// closed when ctx ends.
func (a *Adapter) dial(ctx context.Context, s server) (*smtp.Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return nil, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	context.AfterFunc(ctx, func() { conn.Close() })
	var c *smtp.Client
	switch s.tls {
	case TLSImplicit:
		c = smtp.NewClient(tls.Client(conn, a.tlsConfig(s.host)))
	case TLSStart:
		if c, err = smtp.NewClientStartTLS(conn, a.tlsConfig(s.host)); err != nil {
			conn.Close()
			return nil, err
		}
	default:
		c = smtp.NewClient(conn)
	}
	name := a.HelloName
	if name == "" {
		name = helloName()
	}
	// After STARTTLS the session greets again, so the name is ours there
	// too (before it, go-smtp says "localhost").
	if err := c.Hello(name); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (a *Adapter) tlsConfig(host string) *tls.Config {
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if a.TLS != nil {
		c = a.TLS.Clone()
	}
	c.ServerName = host
	return c
}

func unavailable(stage string, err error) error {
	return &channel.SendError{Reason: channel.Unavailable, Message: stage, Err: err}
}

// login are the 5xx answers about the login (RFC 4954): a setting an
// admin fixes, so retried.
var login = map[int]bool{530: true, 534: true, 535: true, 538: true}

// classify turns an SMTP exchange's error into a send error.
func classify(stage string, err error) error {
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return unavailable(stage, err)
	}
	code := strconv.Itoa(se.Code)
	if ec := se.EnhancedCode; ec != smtp.NoEnhancedCode && ec != (smtp.EnhancedCode{}) {
		code += " " + strconv.Itoa(ec[0]) + "." + strconv.Itoa(ec[1]) + "." + strconv.Itoa(ec[2])
	}
	out := &channel.SendError{Code: code, Message: stage + ": " + se.Message}
	switch {
	case se.Code < 500 || stage == "auth" || login[se.Code]:
		out.Reason = channel.Unavailable
	case stage == "rcpt" && (se.Code == 550 || se.Code == 551 || se.Code == 553):
		out.Reason = channel.UnknownRecipient
	default:
		out.Reason = channel.Rejected
	}
	return out
}
