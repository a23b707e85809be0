// Package public is what citizens do without staff credentials, on the
// web portal (internal/web/portal) and through the mobile-app API
// (/api/v1/public/…): submit a report with files, track it by its code
// and a proof (the phone's last four digits or the e-mail), rate the
// answer and reopen it. It adds the anti-abuse rules (limits per client
// address, per phone number and per tracking code, idempotency keys) to
// the ticket service, which checks the citizen like any other actor.
package public

import (
	"context"
	"encoding/hex"
	"io"
	"log/slog"
	"math"
	"mime/multipart"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotline-1022/hotline/internal/blob"
	"github.com/hotline-1022/hotline/internal/contact"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/i18n"
	"github.com/hotline-1022/hotline/internal/phone"
	"github.com/hotline-1022/hotline/internal/ratelimit"
	"github.com/hotline-1022/hotline/internal/secret"
	"github.com/hotline-1022/hotline/internal/ticket"
	"github.com/hotline-1022/hotline/internal/user"
)

// Limits are the anti-abuse limits, per hour.
type Limits struct {
	SubmitsPerIP    int // reports from one client address
	SubmitsPerPhone int // reports giving one phone number
	TracksPerIP     int // tracking attempts, right or wrong, from one address
	TracksPerCode   int // tracking attempts on one code: four digits are guessable
	UploadsPerIP    int // separate attachment uploads (the app's JSON flow)
}

// DefaultLimits are generous for people and tight for scripts.
var DefaultLimits = Limits{SubmitsPerIP: 20, SubmitsPerPhone: 5, TracksPerIP: 60, TracksPerCode: 10, UploadsPerIP: 60}

// Service is the citizens' side of the hotline.
type Service struct {
	Tickets *ticket.Service
	Blobs   *blob.Store
	Box     *secret.Box // keys the idempotency fingerprints, which cover the contact
	Now     func() time.Time

	// The confirmation e-mailed to a citizen who gave an address: Sender
	// names the email account that sends it (0: none, and nothing is
	// sent), Catalog its text, TrackURL the absolute address of /track
	// the mail links to. Without Sender no confirmation is sent.
	Sender   func(context.Context) (int64, error)
	Catalog  *i18n.Catalog
	TrackURL string
	Log      *slog.Logger

	submitIP, submitPhone, trackIP, trackCode, uploadIP *ratelimit.Limiter
}

// New wires a Service with limits.
func New(tickets *ticket.Service, blobs *blob.Store, box *secret.Box, now func() time.Time, l Limits) *Service {
	return &Service{Tickets: tickets, Blobs: blobs, Box: box, Now: now,
		submitIP:    ratelimit.New(l.SubmitsPerIP, time.Hour, now),
		submitPhone: ratelimit.New(l.SubmitsPerPhone, time.Hour, now),
		trackIP:     ratelimit.New(l.TracksPerIP, time.Hour, now),
		trackCode:   ratelimit.New(l.TracksPerCode, time.Hour, now),
		uploadIP:    ratelimit.New(l.UploadsPerIP, time.Hour, now),
	}
}

// Limited is a refusal for too many attempts, with the wait to announce
// in Retry-After.
type Limited struct {
	Err  error
	Wait time.Duration
}

func (l *Limited) Error() string { return l.Err.Error() }
func (l *Limited) Unwrap() error { return l.Err }

func allow(l *ratelimit.Limiter, key string) error {
	if wait, err := l.Allow(key); err != nil {
		return &Limited{Err: err, Wait: wait}
	}
	return nil
}

// State is what a citizen is told of a ticket's state: "received",
// "handling" (the desk's and the agency's own steps: classified,
// forwarded, accepted, returned, answered, approved), "replied",
// "closed", "refused" or "merged".
func State(s ticket.State) string {
	switch s {
	case ticket.Received, ticket.Replied, ticket.Closed, ticket.Refused, ticket.Merged:
		return string(s)
	}
	return "handling"
}

// Submission is a report from the portal or the app.
type Submission struct {
	Channel  ticket.Channel // ticket.Web or ticket.App
	Key      string         // the client's idempotency key; the same key makes one ticket
	Kind     string
	Category string
	Area     string // ward code
	Address  string
	Lat, Lng *float64
	Content  string
	Name     string
	Phone    string
	Email    string
	Consent  bool // the reporter agreed to the consent text
	Hide     bool // hide the reporter's identity from agencies
	Files    []ticket.NewAttachment
	IP       string
	// Keyed is a report from a client holding its own key (Open311): the
	// client answers for the consent and applies its key's limits, so the
	// per-address limit does not apply, and a contact is optional, as the
	// GeoReport spec has it.
	Keyed bool
	Lang  i18n.Lang // the citizen's language, for the confirmation
}

// ParsePoint reads a geo point given as two decimal texts (a form's lat
// and lng): both empty is no point; anything but two finite numbers in
// range is refused on the location field.
func ParsePoint(lat, lng string) (*float64, *float64, error) {
	lat, lng = strings.TrimSpace(lat), strings.TrimSpace(lng)
	if lat == "" && lng == "" {
		return nil, nil, nil
	}
	la, err1 := strconv.ParseFloat(lat, 64)
	ln, err2 := strconv.ParseFloat(lng, 64)
	if err1 != nil || err2 != nil || math.IsNaN(la) || math.IsNaN(ln) || la < -90 || la > 90 || ln < -180 || ln > 180 {
		return nil, nil, errs.Invalidf("ticket.location_invalid").InField("location")
	}
	return &la, &ln, nil
}

var keyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{16,100}$`)

// FieldErrors is every field-level problem of a submission at once, for
// a form that shows each beside its field.
type FieldErrors map[string]error

func (f FieldErrors) Error() string {
	var b strings.Builder
	for k, e := range f {
		b.WriteString(k + ": " + e.Error() + "; ")
	}
	return b.String()
}

// Unwrap gives the first error, so errs.As sees an Invalid error.
func (f FieldErrors) Unwrap() error {
	for _, e := range f {
		return e
	}
	return nil
}

// Check validates what can be checked before the ticket service sees it,
// all fields at once.
func (s Submission) Check() FieldErrors {
	bad := FieldErrors{}
	if strings.TrimSpace(s.Content) == "" {
		bad["content"] = errs.Invalidf("ticket.content_required").InField("content")
	}
	if s.Phone == "" && s.Email == "" && !s.Keyed {
		bad["phone"] = errs.Invalidf("public.phone_or_email").InField("phone")
	}
	if s.Phone != "" {
		if _, err := phone.Normalize(s.Phone); err != nil {
			bad["phone"] = errs.As(err).InField("phone")
		}
	}
	if s.Email != "" {
		if _, err := contact.Normalize(contact.Input{Email: s.Email}); err != nil {
			bad["email"] = errs.As(err).InField("email")
		}
	}
	if !s.Consent {
		bad["consent"] = errs.Invalidf("public.consent_required").InField("consent")
	}
	if s.Key != "" && !keyPattern.MatchString(s.Key) {
		bad["idempotency_key"] = errs.Invalidf("public.key_invalid").InField("idempotency_key")
	}
	if len(bad) == 0 {
		return nil
	}
	return bad
}

// Submit records a report as the portal's or the app's channel. The
// same idempotency key returns the ticket the first request made.
func (s *Service) Submit(ctx context.Context, sub Submission) (ticket.Created, error) {
	if bad := sub.Check(); bad != nil {
		return ticket.Created{}, bad
	}
	if !sub.Keyed {
		if err := allow(s.submitIP, sub.IP); err != nil {
			return ticket.Created{}, err
		}
	}
	if sub.Phone != "" {
		n, _ := phone.Normalize(sub.Phone)
		if err := allow(s.submitPhone, n); err != nil {
			return ticket.Created{}, err
		}
	}
	n := ticket.NewTicket{Channel: sub.Channel, Content: sub.Content, Kind: sub.Kind, Category: sub.Category, Area: sub.Area,
		Address: sub.Address, Lat: sub.Lat, Lng: sub.Lng, ShareIdentity: !sub.Hide, Files: sub.Files,
		Contact: contact.Input{Name: sub.Name, Phone: sub.Phone, Email: sub.Email}}
	if sub.Key != "" {
		n.ProviderID = "idem:" + sub.Key
		n.Fingerprint = s.fingerprint(sub)
	}
	mailed := false
	if sub.Email != "" && s.Sender != nil {
		acct, err := s.Sender(ctx)
		if err != nil {
			return ticket.Created{}, err
		}
		if acct != 0 {
			n.Confirm = &ticket.Confirmation{AccountID: acct, Text: s.confirmation(sub.Lang)}
			mailed = true
		}
	}
	actor := user.Actor{Origin: "channel:" + string(sub.Channel), IP: sub.IP}
	c, err := s.Tickets.Create(ctx, actor, n)
	if err == nil && !c.Duplicate && sub.Email != "" && !mailed && s.Log != nil {
		// Nothing of the citizen's: their address is theirs alone.
		s.Log.Warn("public report not confirmed by e-mail: no email account can send", "ticket_id", c.Ticket.ID, "channel", string(sub.Channel))
	}
	return c, err
}

// confirmation is the text of the mail confirming a report, in lang:
// the tracking code and the link to follow it.
func (s *Service) confirmation(lang i18n.Lang) func(code string) string {
	return func(code string) string {
		text := s.Catalog.T(lang, "portal2.confirm", "code", code)
		if s.TrackURL != "" {
			text += "\n\n" + s.Catalog.T(lang, "portal2.confirm_track", "url", s.TrackURL+"?code="+url.QueryEscape(code))
		}
		return text + "\n\n" + s.Catalog.T(lang, "portal2.confirm_sign")
	}
}

// fingerprint is a keyed digest of what the submission says, so that
// a replay with the same idempotency key is recognised and the same key
// with another report is refused. It covers the contact, so it is keyed:
// a database reader cannot test guesses of a phone number against it.
func (s *Service) fingerprint(sub Submission) string {
	var b strings.Builder
	point := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'g', -1, 64)
	}
	for _, v := range []string{sub.Kind, sub.Category, sub.Area, sub.Address, point(sub.Lat), point(sub.Lng),
		strings.TrimSpace(sub.Content), sub.Name, sub.Phone, sub.Email, strconv.FormatBool(sub.Hide)} {
		b.WriteString(strconv.Itoa(len(v)) + ":" + v)
	}
	for _, f := range sub.Files {
		b.WriteString("f:" + f.SHA256)
	}
	return hex.EncodeToString(s.Box.Hash("public.idempotency", b.String()))
}

// Accepted are the file types a citizen may send: photos and PDF. The
// blob store takes office documents from staff too.
var Accepted = []string{blob.JPEG, blob.PNG, blob.WebP, blob.GIF, blob.PDF}

// Upload stores one file, checked by its content, for a later Submit
// (the app's JSON flow). It returns what Submit takes.
func (s *Service) Upload(r io.Reader, name, ip string) (ticket.NewAttachment, error) {
	if err := allow(s.uploadIP, ip); err != nil {
		return ticket.NewAttachment{}, err
	}
	return s.store(r, name)
}

func (s *Service) store(r io.Reader, name string) (ticket.NewAttachment, error) {
	info, err := s.Blobs.Put(r)
	if err != nil {
		return ticket.NewAttachment{}, BlobError(err)
	}
	if !slices.Contains(Accepted, info.MIME) {
		// Stored already; nothing refers to it, so housekeeping removes it.
		return ticket.NewAttachment{}, BlobError(blob.ErrTypeNotAllowed)
	}
	return ticket.NewAttachment{SHA256: info.SHA256, Name: name, MIME: info.MIME, Size: info.Size}, nil
}

// Store stores a file that comes with a submission.
func (s *Service) Store(r io.Reader, name string) (ticket.NewAttachment, error) {
	return s.store(r, name)
}

// Uploaded finds a file uploaded before by its hash, with its type read
// again from its content.
func (s *Service) Uploaded(sha, name string) (ticket.NewAttachment, error) {
	f, err := s.Blobs.Open(sha)
	if err != nil {
		return ticket.NewAttachment{}, errs.Invalidf("public.attachment_unknown").InField("attachments")
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ticket.NewAttachment{}, err
	}
	mime, err := blob.Detect(f, st.Size())
	if err != nil {
		return ticket.NewAttachment{}, BlobError(err)
	}
	if !slices.Contains(Accepted, mime) {
		return ticket.NewAttachment{}, BlobError(blob.ErrTypeNotAllowed)
	}
	return ticket.NewAttachment{SHA256: sha, Name: name, MIME: mime, Size: st.Size()}, nil
}

// BlobError turns the blob store's refusals into errors for the user.
func BlobError(err error) error {
	switch err {
	case blob.ErrTooLarge:
		return errs.E(errs.TooLarge, "public.file_too_large", "mb", strconv.Itoa(blob.MaxSize>>20)).InField("files")
	case blob.ErrTypeNotAllowed:
		return errs.Invalidf("public.file_type").InField("files")
	case blob.ErrEmpty:
		return errs.Invalidf("public.file_empty").InField("files")
	}
	return err
}

// Track finds a ticket by its code and proof, counting the attempt
// against the address and the code.
func (s *Service) Track(ctx context.Context, code, proof, ip string) (ticket.Tracked, error) {
	if strings.TrimSpace(code) == "" {
		return ticket.Tracked{}, errs.Invalidf("public.code_required").InField("code")
	}
	if strings.TrimSpace(proof) == "" {
		return ticket.Tracked{}, errs.Invalidf("public.proof_required").InField("proof")
	}
	if err := allow(s.trackIP, ip); err != nil {
		return ticket.Tracked{}, err
	}
	if err := allow(s.trackCode, ticket.NormalizeCode(code)); err != nil {
		return ticket.Tracked{}, err
	}
	return s.Tickets.Track(ctx, code, proof, ip)
}

// Rate records the citizen's rating of the answer, 1–5 with a comment.
func (s *Service) Rate(ctx context.Context, code, proof, ip string, rating int, comment string) (ticket.Tracked, error) {
	tr, err := s.Track(ctx, code, proof, ip)
	if err != nil {
		return ticket.Tracked{}, err
	}
	if _, err := s.Tickets.Do(ctx, tr.Citizen, tr.Ticket.ID, ticket.Rate, ticket.Input{Rating: rating, Comment: comment}); err != nil {
		return ticket.Tracked{}, err
	}
	return s.Tickets.Track(ctx, code, proof, ip)
}

// Reopen reopens the citizen's answered ticket within seven days, with
// their reason.
func (s *Service) Reopen(ctx context.Context, code, proof, ip, reason string) (ticket.Tracked, error) {
	tr, err := s.Track(ctx, code, proof, ip)
	if err != nil {
		return ticket.Tracked{}, err
	}
	if _, err := s.Tickets.Do(ctx, tr.Citizen, tr.Ticket.ID, ticket.Reopen, ticket.Input{Reason: reason}); err != nil {
		return ticket.Tracked{}, err
	}
	return s.Tickets.Track(ctx, code, proof, ip)
}

// StoreAll stores a submission's uploaded files, each checked by its
// content; the first refusal stops and names the file's field.
func (s *Service) StoreAll(files []*multipart.FileHeader) ([]ticket.NewAttachment, error) {
	if len(files) > ticket.MaxAttachments {
		return nil, errs.Invalidf("public.too_many_files", "max", strconv.Itoa(ticket.MaxAttachments)).InField("files")
	}
	var out []ticket.NewAttachment
	for _, fh := range files {
		if fh.Size == 0 && fh.Filename == "" {
			continue // an empty file input
		}
		if fh.Size > blob.MaxSize {
			return nil, BlobError(blob.ErrTooLarge)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		a, err := s.store(f, fh.Filename)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}
