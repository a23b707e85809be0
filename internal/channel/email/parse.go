package email

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"

	"github.com/hotline-1022/hotline/internal/vntext"
)

// Limits bound what one mail may bring in; zero values take the defaults.
type Limits struct {
	MaxMail  int64 // the whole mail; default 25 MiB
	MaxFile  int64 // one attachment; default 10 MiB
	MaxFiles int   // attachments kept; default 10
}

// WithDefaults is l with the defaults in place of zero values.
func (l Limits) WithDefaults() Limits {
	if l.MaxMail == 0 {
		l.MaxMail = 25 << 20
	}
	if l.MaxFile == 0 {
		l.MaxFile = 10 << 20
	}
	if l.MaxFiles == 0 {
		l.MaxFiles = 10
	}
	return l
}

// File is an attachment or inline image of a mail.
type File struct {
	Name   string
	MIME   string
	Data   []byte
	Inline bool // an inline image (Content-ID), not an attachment
}

// Bounce is what a delivery status notification (RFC 3464) says about a
// mail we sent.
type Bounce struct {
	// OriginalID is the Message-ID of the mail that could not be
	// delivered, without brackets; empty when the report does not say.
	OriginalID string
	Status     string // e.g. 5.1.1
	Diagnostic string // the remote server's words
}

// Parsed is a mail as hotline reads it.
type Parsed struct {
	MessageID  string   // without brackets; empty when the mail has none
	InReplyTo  []string // without brackets
	References []string // without brackets, oldest first
	From       *mail.Address
	Recipients []string // To, Cc, Delivered-To and X-Original-To addresses, lower case
	Subject    string
	Date       time.Time // UTC; zero when missing or unreadable
	// Text is the body as plain text with a trailing quoted reply cut
	// off; Full is all of it.
	Text, Full string
	Files      []File
	// Auto says why the mail was written by a machine ("" for a person's
	// mail): AutoSubmitted, Precedence, MailingList, AutoReply, Loop or
	// Bounced. Such mail never makes a ticket.
	Auto   string
	Bounce *Bounce
	// Problems lists what could not be read (an unknown charset, broken
	// MIME, a file over the limit): the rest of the mail still counts.
	Problems []string
}

// Why a mail is automatic.
const (
	AutoSubmittedReason = "auto_submitted"
	PrecedenceReason    = "precedence"
	MailingListReason   = "mailing_list"
	AutoReplyReason     = "auto_reply"
	LoopReason          = "loop"
	BouncedReason       = "bounce"
)

// Errors of Parse: the mail cannot become anything.
var (
	ErrTooLarge = errors.New("email: mail over the size limit")
	ErrNoSender = errors.New("email: mail without a readable From")
	ErrNotMail  = errors.New("email: not a mail")
)

// maxDepth bounds nested multiparts.
const maxDepth = 8

// Parse reads one RFC 5322 mail. It fails only when the mail has no
// header, no sender, or is over the size limit; anything else it cannot
// read is a Problem and the rest is kept.
func Parse(raw []byte, lim Limits) (*Parsed, error) {
	lim = lim.WithDefaults()
	if int64(len(raw)) > lim.MaxMail {
		return nil, ErrTooLarge
	}
	msg, err := mail.ReadMessage(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return nil, ErrNotMail
	}
	p := &parser{lim: lim, out: &Parsed{}}
	h := msg.Header
	out := p.out
	from, err := p.addresses(h.Get("From"))
	if err != nil || len(from) == 0 || !strings.Contains(from[0].Address, "@") {
		return nil, ErrNoSender
	}
	out.From = from[0]
	out.From.Address = strings.ToLower(out.From.Address)
	out.From.Name = vntext.Line(out.From.Name)
	for _, k := range []string{"To", "Cc", "Delivered-To", "X-Original-To"} {
		for _, v := range h[textproto.CanonicalMIMEHeaderKey(k)] {
			as, _ := p.addresses(v)
			for _, a := range as {
				out.Recipients = append(out.Recipients, strings.ToLower(a.Address))
			}
		}
	}
	out.MessageID = first(msgIDs(h.Get("Message-ID")))
	out.InReplyTo = msgIDs(h.Get("In-Reply-To"))
	out.References = msgIDs(h.Get("References"))
	out.Subject = vntext.Line(p.header(h.Get("Subject")))
	if d, err := h.Date(); err == nil {
		out.Date = d.UTC()
	}
	out.Auto = autoReason(h, out.From.Address)
	p.walk(textproto.MIMEHeader(h), msg.Body, 0)
	out.Full = clean(strings.Join(p.texts, "\n\n"))
	out.Text = TrimQuoted(out.Full)
	if out.Bounce != nil {
		out.Auto = BouncedReason
	}
	return out, nil
}

type parser struct {
	lim   Limits
	out   *Parsed
	texts []string
}

func (p *parser) problem(s string) {
	if len(p.out.Problems) < 20 {
		p.out.Problems = append(p.out.Problems, s)
	}
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// header decodes RFC 2047 words; a word it cannot decode stays as sent.
func (p *parser) header(v string) string {
	s, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		p.problem("header: " + err.Error())
		return v
	}
	return s
}

func (p *parser) addresses(v string) ([]*mail.Address, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	ap := mail.AddressParser{WordDecoder: wordDecoder}
	as, err := ap.ParseList(v)
	if err != nil {
		// A display name with unquoted specials ("Nguyen, An" <a@b>) is
		// common: fall back to the address in angle brackets.
		if i, j := strings.LastIndexByte(v, '<'), strings.LastIndexByte(v, '>'); i >= 0 && j > i {
			if a, err := ap.Parse(v[i : j+1]); err == nil {
				a.Name = p.header(strings.Trim(strings.TrimSpace(v[:i]), `"`))
				return []*mail.Address{a}, nil
			}
		}
		return nil, err
	}
	return as, nil
}

// walk reads one MIME entity: texts into p.texts, files into the output.
func (p *parser) walk(h textproto.MIMEHeader, body io.Reader, depth int) {
	if depth > maxDepth {
		p.problem("mime: nested too deep")
		return
	}
	ctype, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		if h.Get("Content-Type") != "" {
			p.problem("mime: content type: " + err.Error())
		}
		ctype, params = "text/plain", map[string]string{}
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	if strings.HasPrefix(ctype, "multipart/") {
		p.multipart(ctype, params, body, depth)
		return
	}
	body = decodeTransfer(h.Get("Content-Transfer-Encoding"), body)
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	switch {
	case disp != "attachment" && name == "" && (ctype == "text/plain" || ctype == "text/html"):
		b, err := io.ReadAll(io.LimitReader(body, p.lim.MaxMail))
		if err != nil {
			p.problem("mime: body: " + err.Error())
		}
		text := p.decodeCharset(params["charset"], b)
		if ctype == "text/html" {
			text = HTMLText(text)
		}
		p.texts = append(p.texts, text)
	case ctype == "message/delivery-status":
		p.deliveryStatus(body)
	case ctype == "message/rfc822" || ctype == "text/rfc822-headers":
		if p.out.Bounce != nil && p.out.Bounce.OriginalID == "" {
			if m, err := mail.ReadMessage(bufio.NewReader(body)); err == nil {
				p.out.Bounce.OriginalID = first(msgIDs(m.Header.Get("Message-ID")))
			}
			return
		}
		p.file(h, ctype, "forwarded.eml", body)
	default:
		p.file(h, ctype, name, body)
	}
}

func (p *parser) multipart(ctype string, params map[string]string, body io.Reader, depth int) {
	if ctype == "multipart/report" && params["report-type"] == "delivery-status" && p.out.Bounce == nil {
		p.out.Bounce = &Bounce{}
	}
	if params["boundary"] == "" {
		p.problem("mime: multipart without a boundary")
		return
	}
	mr := multipart.NewReader(body, params["boundary"])
	before := len(p.texts)
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			p.problem("mime: " + err.Error())
			break
		}
		p.walk(part.Header, part, depth+1)
	}
	if ctype == "multipart/alternative" && len(p.texts) > before+1 {
		// The same text twice (plain and HTML): keep the first that says
		// something, the plain one in the usual order.
		alts := p.texts[before:]
		keep := alts[0]
		for _, a := range alts {
			if strings.TrimSpace(a) != "" {
				keep = a
				break
			}
		}
		p.texts = append(p.texts[:before], keep)
	}
}

// file keeps an attachment within the limits.
func (p *parser) file(h textproto.MIMEHeader, ctype, name string, body io.Reader) {
	name = safeName(p.header(name))
	if name == "" {
		name = "file"
	}
	if len(p.out.Files) >= p.lim.MaxFiles {
		p.problem("file " + name + ": too many files")
		return
	}
	b, err := io.ReadAll(io.LimitReader(body, p.lim.MaxFile+1))
	switch {
	case err != nil:
		p.problem("file " + name + ": " + err.Error())
	case int64(len(b)) > p.lim.MaxFile:
		p.problem("file " + name + ": too large")
	case len(b) > 0:
		disp, _, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
		p.out.Files = append(p.out.Files, File{Name: name, MIME: ctype, Data: b, Inline: disp != "attachment" && h.Get("Content-ID") != ""})
	}
}

// deliveryStatus reads a DSN's per-recipient fields.
func (p *parser) deliveryStatus(body io.Reader) {
	if p.out.Bounce == nil {
		p.out.Bounce = &Bounce{}
	}
	b, _ := io.ReadAll(io.LimitReader(body, 64<<10))
	for _, line := range strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = clean(strings.TrimSpace(v))
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "status":
			p.out.Bounce.Status = v
		case "diagnostic-code":
			p.out.Bounce.Diagnostic = v
		}
	}
}

func decodeTransfer(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &base64Cleaner{r: r})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// base64Cleaner drops what is not base64 (spaces, stray characters some
// mailers leave), which the standard decoder would stop at.
type base64Cleaner struct{ r io.Reader }

func (c *base64Cleaner) Read(b []byte) (int, error) {
	for {
		n, err := c.r.Read(b)
		j := 0
		for _, ch := range b[:n] {
			if ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '+' || ch == '/' || ch == '=' {
				b[j] = ch
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

// decodeCharset turns a part's bytes into UTF-8 from its declared
// charset (any the WHATWG encoding standard names, windows-1258 for
// Vietnamese among them). Undeclared, ASCII and UTF-8 text is taken as
// UTF-8; an unknown charset is a Problem and the bytes are kept as far as
// they are UTF-8.
func (p *parser) decodeCharset(charset string, b []byte) string {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "", "us-ascii", "ascii", "utf-8", "utf8":
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	enc, err := htmlindex.Get(charset)
	if err != nil {
		p.problem("charset " + clean(charset) + ": unknown")
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		p.problem("charset " + clean(charset) + ": " + err.Error())
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	enc, err := htmlindex.Get(charset)
	if err != nil {
		return nil, err
	}
	return enc.NewDecoder().Reader(r), nil
}

// autoReason is why h marks a machine's mail (RFC 3834 and the headers
// mailers use in practice), "" for a person's.
func autoReason(h mail.Header, from string) string {
	switch {
	case h.Get(LoopHeader) != "":
		return LoopReason
	case h.Get("Auto-Submitted") != "" && !strings.EqualFold(strings.TrimSpace(h.Get("Auto-Submitted")), "no"):
		return AutoSubmittedReason
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "list", "junk", "auto_reply":
		return PrecedenceReason
	}
	switch {
	case h.Get("List-Id") != "" || h.Get("List-Unsubscribe") != "":
		return MailingListReason
	case h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" || strings.EqualFold(strings.TrimSpace(h.Get("X-Auto-Response-Suppress")), "all"):
		return AutoReplyReason
	case isTrue(h.Get("X-Loop")):
		return LoopReason
	}
	local, _, _ := strings.Cut(from, "@")
	if local == "mailer-daemon" || local == "postmaster" || strings.TrimSpace(h.Get("Return-Path")) == "<>" {
		return BouncedReason
	}
	return ""
}

func isTrue(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	return v == "yes" || v == "true" || v == "1"
}

// msgIDs reads the <id> list of a Message-ID, In-Reply-To or References
// field, without brackets; a bare id without brackets is taken too. An id
// that is not valid UTF-8 is dropped: it can thread nothing, and what is
// stored is text.
func msgIDs(v string) []string {
	var ids []string
	for {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			break
		}
		if id := strings.TrimSpace(v[i+1 : i+j]); id != "" && !strings.ContainsAny(id, " \t<") && len(id) <= 250 && utf8.ValidString(id) {
			ids = append(ids, id)
		}
		v = v[i+j+1:]
	}
	if len(ids) == 0 {
		if f := strings.Fields(v); len(f) == 1 && strings.Contains(f[0], "@") && len(f[0]) <= 250 && utf8.ValidString(f[0]) {
			ids = append(ids, f[0])
		}
	}
	if len(ids) > 50 { // a thread that long: the newest matter
		ids = ids[len(ids)-50:]
	}
	return ids
}

func first(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// safeName is a file name without a path, control characters or
// surrounding dots and spaces.
func safeName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.Trim(name, ". ")
	if len(name) > 200 {
		name = name[:200]
		name = strings.ToValidUTF8(name, "")
	}
	return name
}

// clean is s as the timeline keeps text: valid UTF-8 in NFC (legacy
// Vietnamese charsets decode to combining tone marks), no control
// characters but line ends and tabs.
func clean(s string) string { return vntext.Clean(s) }
