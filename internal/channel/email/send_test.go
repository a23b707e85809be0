package email_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/channeltest"
	"github.com/hotline-1022/hotline/internal/channel/email"
	"github.com/hotline-1022/hotline/internal/channel/email/emailtest"
	"github.com/hotline-1022/hotline/internal/i18n"
)

var sentAt = time.Date(2026, 3, 9, 2, 30, 0, 0, time.UTC)

func newAdapter(srv *emailtest.SMTP) *email.Adapter {
	a := email.New(i18n.MustLoad(), func() time.Time { return sentAt })
	a.TLS = srv.Cert.Client()
	a.HelloName = "hotline.test"
	return a
}

func account(srv *emailtest.SMTP) channel.Account {
	return channel.Account{ID: 7, Kind: channel.Email, Name: "Đường dây nóng 1022", Enabled: true,
		Settings: srv.Settings("1022@tinh.gov.vn")}
}

var reply = channel.Outbound{UserID: "an.nguyen@example.vn", Text: "Đơn vị đã sửa đèn.\n\nXin cảm ơn <ông/bà> & gia đình.",
	MessageID: 42, Code: "K7M3P-9QXD2", Subject: "Re: Đèn đường hỏng trước số 12 Lê Lợi",
	InReplyTo: "CAF=abc@mail.gmail.com", References: []string{"CAF=abc@mail.gmail.com", "hotline.k7m3p-9qxd2.40.7@tinh.gov.vn"}}

// parts reads a multipart/alternative body with the standard library
// alone, by content type.
func parts(t *testing.T, r emailtest.Received) map[string]string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q", r.Header.Get("Content-Type"))
	}
	m, _ := mail.ReadMessage(bytes.NewReader(r.Raw))
	out := map[string]string{}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, cp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if cp["charset"] != "UTF-8" || p.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
			t.Fatalf("part headers %v", p.Header)
		}
		b, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		out[ct] = string(b)
	}
	return out
}

func TestSendInEveryTLSMode(t *testing.T) {
	for _, mode := range []string{"none", "starttls", "tls"} {
		t.Run(mode, func(t *testing.T) {
			srv := emailtest.NewSMTP(t, emailtest.SMTPConfig{TLS: mode, User: "1022@tinh.gov.vn", Password: "mật-khẩu"})
			a := newAdapter(srv)
			sent, err := a.Send(context.Background(), account(srv), reply)
			if err != nil {
				t.Fatal(err)
			}
			got := srv.Received()
			if len(got) != 1 {
				t.Fatalf("%d mails", len(got))
			}
			r := got[0]
			if r.TLS != (mode != "none") || r.User != "1022@tinh.gov.vn" || r.From != "1022@tinh.gov.vn" ||
				len(r.To) != 1 || r.To[0] != "an.nguyen@example.vn" || r.Hello != "hotline.test" {
				t.Fatalf("session: tls %v user %q from %q to %v hello %q", r.TLS, r.User, r.From, r.To, r.Hello)
			}
			h := r.Header
			subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
			if err != nil || subject != "Re: Đèn đường hỏng trước số 12 Lê Lợi [1022 #K7M3P-9QXD2]" {
				t.Fatalf("subject %q (%v) from %q", subject, err, h.Get("Subject"))
			}
			want := "hotline.k7m3p-9qxd2.42.7@tinh.gov.vn"
			if sent.ProviderID != want || h.Get("Message-ID") != "<"+want+">" {
				t.Fatalf("Message-ID %q, provider id %q", h.Get("Message-ID"), sent.ProviderID)
			}
			if h.Get("In-Reply-To") != "<CAF=abc@mail.gmail.com>" ||
				strings.Join(strings.Fields(h.Get("References")), " ") != "<CAF=abc@mail.gmail.com> <hotline.k7m3p-9qxd2.40.7@tinh.gov.vn>" {
				t.Fatalf("In-Reply-To %q References %q", h.Get("In-Reply-To"), h.Get("References"))
			}
			from, _ := h.AddressList("From")
			replyTo, _ := h.AddressList("Reply-To")
			if len(from) != 1 || from[0].Name != "Đường dây nóng 1022" || len(replyTo) != 1 || replyTo[0].Address != "1022+k7m3p-9qxd2@tinh.gov.vn" {
				t.Fatalf("From %v Reply-To %v", from, replyTo)
			}
			if d, _ := h.Date(); !d.Equal(sentAt) {
				t.Fatalf("Date %v", d)
			}
			if h.Get("Auto-Submitted") != "" || h.Get("X-Hotline-Loop") != "hotline; 1022@tinh.gov.vn" {
				t.Fatalf("a person's reply: Auto-Submitted %q, loop %q", h.Get("Auto-Submitted"), h.Get("X-Hotline-Loop"))
			}
			body := parts(t, r)
			if !strings.Contains(body["text/plain"], "Đơn vị đã sửa đèn.\r\n\r\nXin cảm ơn <ông/bà> & gia đình.") ||
				!strings.Contains(body["text/plain"], "K7M3P-9QXD2") {
				t.Fatalf("text part %q", body["text/plain"])
			}
			if !strings.Contains(body["text/html"], "<p>Xin cảm ơn &lt;ông/bà&gt; &amp; gia đình.</p>") {
				t.Fatalf("html part %q", body["text/html"])
			}
		})
	}
}

// The acknowledgement is an automatic reply (RFC 3834) that Exchange's
// out-of-office does not answer; a retry keeps the Message-ID.
func TestTheAcknowledgementIsAutoSubmitted(t *testing.T) {
	srv := emailtest.NewSMTP(t, emailtest.SMTPConfig{TLS: "starttls"})
	a := newAdapter(srv)
	ack := reply
	ack.Auto, ack.Subject, ack.References = true, "Đèn đường hỏng", []string{"CAF=abc@mail.gmail.com"}
	for range 2 {
		if _, err := a.Send(context.Background(), account(srv), ack); err != nil {
			t.Fatal(err)
		}
	}
	got := srv.Received()
	h := got[0].Header
	if h.Get("Auto-Submitted") != "auto-replied" || h.Get("X-Auto-Response-Suppress") != "All" || got[0].User != "" {
		t.Fatalf("Auto-Submitted %q, suppress %q, user %q", h.Get("Auto-Submitted"), h.Get("X-Auto-Response-Suppress"), got[0].User)
	}
	if got[1].Header.Get("Message-ID") != h.Get("Message-ID") {
		t.Fatalf("a resend has another Message-ID: %q, %q", got[1].Header.Get("Message-ID"), h.Get("Message-ID"))
	}
	if body := parts(t, got[0])["text/plain"]; !strings.Contains(body, "gửi tự động") {
		t.Fatalf("the acknowledgement does not say it is automatic: %q", body)
	}
}

// A long Vietnamese subject is folded into encoded words, each line short.
func TestALongSubjectIsFolded(t *testing.T) {
	srv := emailtest.NewSMTP(t, emailtest.SMTPConfig{TLS: "none"})
	long := reply
	long.Subject = strings.Repeat("Phản ánh về tình trạng ngập úng kéo dài ", 4)
	if _, err := newAdapter(srv).Send(context.Background(), account(srv), long); err != nil {
		t.Fatal(err)
	}
	r := srv.Received()[0]
	for _, line := range strings.Split(string(r.Raw), "\r\n") {
		if line == "" {
			break
		}
		if len(line) > 78 && !strings.HasPrefix(line, "References:") {
			t.Fatalf("header line of %d characters: %q", len(line), line)
		}
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(r.Header.Get("Subject"))
	if !strings.HasPrefix(subject, "Re: "+strings.TrimSpace(long.Subject)) {
		t.Fatalf("subject %q", subject)
	}
}

func TestSendFailures(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(*emailtest.SMTP, *channel.Account)
		reason channel.Reason
		code   string
	}{
		{"greylisted", func(s *emailtest.SMTP, _ *channel.Account) {
			s.Fail(1, "mail", 451, smtp.EnhancedCode{4, 7, 1}, "Greylisted, try again later")
		}, channel.Unavailable, "451 4.7.1"},
		{"mailbox full for now", func(s *emailtest.SMTP, _ *channel.Account) {
			s.Fail(1, "rcpt", 452, smtp.EnhancedCode{4, 2, 2}, "Mailbox full")
		}, channel.Unavailable, "452 4.2.2"},
		{"no such user", func(s *emailtest.SMTP, _ *channel.Account) { s.Refuse("an.nguyen@example.vn") }, channel.UnknownRecipient, "550 5.1.1"},
		{"refused as spam", func(s *emailtest.SMTP, _ *channel.Account) {
			s.Fail(1, "data", 554, smtp.EnhancedCode{5, 7, 1}, "Message rejected as spam")
		}, channel.Rejected, "554 5.7.1"},
		{"wrong password", func(_ *emailtest.SMTP, a *channel.Account) { a.Settings["smtp_password"] = "sai" }, channel.Unavailable, "535 5.7.8"},
		{"no login", func(_ *emailtest.SMTP, a *channel.Account) {
			delete(a.Settings, "smtp_user")
			delete(a.Settings, "smtp_password")
		}, channel.Unavailable, "530 5.7.0"},
		{"server down", func(_ *emailtest.SMTP, a *channel.Account) { a.Settings["smtp_addr"] = closedAddr(t) }, channel.Unavailable, ""},
		{"implicit TLS to a STARTTLS server", func(_ *emailtest.SMTP, a *channel.Account) { a.Settings["smtp_tls"] = "tls" }, channel.Unavailable, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := emailtest.NewSMTP(t, emailtest.SMTPConfig{TLS: "starttls", User: "u", Password: "p"})
			acct := account(srv)
			c.setup(srv, &acct)
			a := newAdapter(srv)
			a.Timeout = 5 * time.Second
			_, err := a.Send(context.Background(), acct, reply)
			se := channeltest.MustSendError(t, err)
			if se.Reason != c.reason || se.Code != c.code {
				t.Fatalf("got %+v, want %s %q", se, c.reason, c.code)
			}
			if len(srv.Received()) != 0 {
				t.Fatal("the server took the mail")
			}
		})
	}
}

// closedAddr is a local address nothing listens on.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
