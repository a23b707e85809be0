// Package account keeps channel accounts as rows: which platform, its name,
// its settings, its secrets (sealed with the personal-data key), whether it
// is enabled, and its health (last inbound and outbound, last error, token
// expiry). Every change is audited; secrets never leave the package except
// inside channel.Account for the adapters.
package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"maps"
	"net"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hotline-1022/hotline/internal/audit"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/db"
	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/secret"
	"github.com/hotline-1022/hotline/internal/user"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// keys are the settings each kind accepts (DESIGN §8), and whether each is
// a secret. Anything else is refused.
var keys = map[channel.Kind]map[string]bool{
	channel.Zalo: {"app_id": false, "oa_secret": true, "app_secret": true, "access_token": true, "refresh_token": true,
		"api_base": false, "oauth_base": false},
	channel.Messenger: {"app_secret": true, "verify_token": true, "page_token": true, "api_base": false, "human_agent": false},
	channel.Viber:     {"auth_token": true, "sender_name": false, "api_base": false},
	// The phone system's token is the only authentication of its events
	// (Zammad's Generic CTI, channels.md §4a); generated when absent.
	channel.CTI: {"token": true},
	// An Asterisk PBX's manager interface (channels.md §4b): host:port,
	// the manager.conf user and its secret; internal_context lists the
	// dialplan contexts an operator's phone dials out from (default
	// from-internal), comma-separated.
	channel.AMI: {"addr": false, "username": false, "secret": true, "internal_context": false},
	// A mailbox (DESIGN §8). Without imap_addr it only sends; notify=true
	// marks the account staff notifications go out from. processed is the
	// folder a mail is moved to once its ticket is stored (empty: it is
	// flagged \Seen where it is), failed the folder for a mail that
	// cannot be read.
	channel.Email: {"imap_addr": false, "imap_user": false, "imap_password": true, "imap_tls": false, "mailbox": false,
		"smtp_addr": false, "smtp_user": false, "smtp_password": true, "smtp_tls": false, "from": false, "notify": false,
		"processed": false, "failed": false},
}

// aliases are other names a kind's keys are given by: an email account's
// username and password are its SMTP login (and its IMAP one unless that
// is set apart).
var aliases = map[channel.Kind]map[string]string{
	channel.Email: {"username": "smtp_user", "password": "smtp_password"},
}

// required are the settings without which an account cannot verify a
// webhook or send.
var required = map[channel.Kind][]string{
	channel.Zalo:      {"app_id", "oa_secret", "access_token"},
	channel.Messenger: {"app_secret", "verify_token", "page_token"},
	channel.Viber:     {"auth_token", "sender_name"},
	channel.Email:     {"smtp_addr", "from"},
	channel.AMI:       {"addr", "username", "secret"},
}

// Kinds lists the kinds an account can be made for.
func Kinds() []channel.Kind {
	return slices.Sorted(maps.Keys(keys))
}

// Keys lists the settings of kind, sorted.
func Keys(kind channel.Kind) []string { return slices.Sorted(maps.Keys(keys[kind])) }

// Secret reports whether key is a secret of kind.
func Secret(kind channel.Kind, key string) bool { return keys[kind][key] }

// MaxName bounds an account's name, in characters.
const MaxName = 100

// Account is a channel account with its health, secrets left out.
type Account struct {
	ID       int64
	Kind     channel.Kind
	Name     string
	Enabled  bool
	Settings map[string]string // the non-secret settings
	Secrets  []string          // the names of the secrets that are set
	// Ack is the acknowledgement a new ticket gets, with {code} for its
	// tracking code, as an admin wrote it; empty: the catalogue's default.
	Ack string

	LastInbound  time.Time
	LastOutbound time.Time
	LastError    string
	LastErrorAt  time.Time
	TokenExpires time.Time
	CreatedAt    time.Time
}

// Store keeps channel accounts.
type Store struct {
	db  *db.DB
	box *secret.Box
	now func() time.Time
}

// NewStore returns a Store that seals secrets with box.
func NewStore(d *db.DB, box *secret.Box, now func() time.Time) *Store {
	return &Store{db: d, box: box, now: now}
}

func (s *Store) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

const sealPurpose = "channel.secrets"

// split validates settings for kind and separates the secrets.
func split(kind channel.Kind, settings map[string]string) (plain, secrets map[string]string, err error) {
	allowed, ok := keys[kind]
	if !ok {
		return nil, nil, errs.Invalidf("channel.kind_unknown", "kind", string(kind)).InField("kind")
	}
	plain, secrets = map[string]string{}, map[string]string{}
	for k, v := range settings {
		if to, ok := aliases[kind][k]; ok {
			if _, both := settings[to]; both {
				return nil, nil, errs.Invalidf("channel.key_twice", "key", to).InField(k)
			}
			k = to
		}
		isSecret, ok := allowed[k]
		if !ok {
			return nil, nil, errs.Invalidf("channel.key_unknown", "key", k, "keys", strings.Join(Keys(kind), ", ")).InField(k)
		}
		v = strings.TrimSpace(v)
		if len(v) > 4096 || !utf8.ValidString(v) {
			return nil, nil, errs.Invalidf("field.too_long", "max", "4096").InField(k)
		}
		if v == "" {
			continue
		}
		if isSecret {
			secrets[k] = v
		} else {
			plain[k] = v
		}
	}
	if n := plain["sender_name"]; utf8.RuneCountInString(n) > 28 {
		// Viber refuses a longer sender name.
		return nil, nil, errs.Invalidf("field.too_long", "max", "28").InField("sender_name")
	}
	for _, k := range required[kind] {
		if plain[k] == "" && secrets[k] == "" {
			return nil, nil, errs.Invalidf("field.required").InField(k)
		}
	}
	if kind == channel.Email {
		if err := checkEmail(plain); err != nil {
			return nil, nil, err
		}
	}
	if kind == channel.AMI {
		if host, port, err := net.SplitHostPort(plain["addr"]); err != nil || host == "" || port == "" {
			return nil, nil, errs.Invalidf("field.invalid").InField("addr")
		}
	}
	return plain, secrets, nil
}

// Add creates an account. Unknown keys and missing required ones are
// refused, naming the key.
func (s *Store) Add(ctx context.Context, actor user.Actor, kind channel.Kind, name string, settings map[string]string) (Account, error) {
	name = vntext.Line(name)
	if name == "" {
		return Account{}, errs.Invalidf("field.required").InField("name")
	}
	if vntext.Len(name) > MaxName {
		return Account{}, errs.Invalidf("field.too_long", "max", strconv.Itoa(MaxName)).InField("name")
	}
	plain, secrets, err := split(kind, settings)
	if err != nil {
		return Account{}, err
	}
	var hookKey []byte
	if kind == channel.CTI {
		if secrets["token"] == "" {
			secrets["token"] = rand.Text()
		}
		if len(secrets["token"]) < 16 {
			return Account{}, errs.Invalidf("channel.token_short", "min", "16").InField("token")
		}
		if s.box != nil {
			hookKey = s.box.Hash(hookPurpose, secrets["token"])
		}
	}
	now := s.clock()
	var id int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		sealed, err := s.seal(secrets)
		if err != nil {
			return err
		}
		pj, _ := json.Marshal(plain)
		if err := tx.QueryRowContext(ctx, `INSERT INTO channel_accounts (kind, name, settings, secrets_enc, hook_key, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, string(kind), name, string(pj), sealed, hookKey, now).Scan(&id); err != nil {
			if db.IsUnique(err) {
				return errs.Conflictf("channel.name_taken").InField("name")
			}
			return db.Fail(err)
		}
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
			Action: "channel.add", Object: "channel:" + strconv.FormatInt(id, 10),
			Detail: map[string]any{"kind": string(kind), "name": name, "keys": slices.Sorted(maps.Keys(settings))}})
	})
	if err != nil {
		return Account{}, err
	}
	return s.Get(ctx, id)
}

func (s *Store) seal(secrets map[string]string) ([]byte, error) {
	if s.box == nil {
		return nil, errs.E(errs.Internal, "channel.no_key")
	}
	b, err := json.Marshal(secrets)
	if err != nil {
		return nil, err
	}
	return s.box.Seal(sealPurpose, string(b)), nil
}

// SetEnabled enables or disables an account. A disabled account's
// webhooks answer 404 and nothing is sent through it.
func (s *Store) SetEnabled(ctx context.Context, actor user.Actor, id int64, enabled bool) error {
	now := s.clock()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE channel_accounts SET enabled = $1, updated_at = $2 WHERE id = $3`, enabled, now, id)
		if err != nil {
			return db.Fail(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.NotFoundf("channel.not_found")
		}
		action := "channel.disable"
		if enabled {
			action = "channel.enable"
		}
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
			Action: action, Object: "channel:" + strconv.FormatInt(id, 10)})
	})
}

// MaxAck bounds an acknowledgement template, in characters: it must fit
// every platform's text message once the code is in (Messenger takes
// fewer than 2,000).
const MaxAck = 1000

// AckCode is the placeholder an acknowledgement template must hold: the
// new ticket's tracking code.
const AckCode = "{code}"

// SetAck sets the acknowledgement the account sends on a new ticket; an
// empty text goes back to the catalogue's default. A text without the
// tracking code's placeholder is refused: the citizen needs the code.
func (s *Store) SetAck(ctx context.Context, actor user.Actor, id int64, text string) error {
	text = vntext.Clean(text)
	switch {
	case vntext.Len(text) > MaxAck:
		return errs.Invalidf("field.too_long", "max", strconv.Itoa(MaxAck)).InField("ack")
	case text != "" && !strings.Contains(text, AckCode):
		return errs.Invalidf("channel.ack_no_code", "code", AckCode).InField("ack")
	}
	now := s.clock()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE channel_accounts SET ack_template = $1, updated_at = $2 WHERE id = $3`, text, now, id)
		if err != nil {
			return db.Fail(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.NotFoundf("channel.not_found")
		}
		return audit.Append(ctx, tx, audit.Event{At: now, ActorID: actor.UserID, Actor: actor.Label(), IP: actor.IP,
			Action: "channel.ack", Object: "channel:" + strconv.FormatInt(id, 10), Detail: map[string]any{"default": text == ""}})
	})
}

const selectAccount = `SELECT id, kind, name, enabled, settings, secrets_enc, ack_template, last_inbound_at, last_outbound_at,
	last_error, last_error_at, token_expires_at, created_at FROM channel_accounts`

type scanner interface{ Scan(...any) error }

// scan reads a row; with open, the secrets are decrypted into secrets.
func (s *Store) scan(row scanner, secrets map[string]string) (Account, error) {
	var a Account
	var kind, settings string
	var sealed []byte
	var in, out, errAt, exp sql.NullTime
	if err := row.Scan(&a.ID, &kind, &a.Name, &a.Enabled, &settings, &sealed, &a.Ack, &in, &out, &a.LastError, &errAt, &exp, &a.CreatedAt); err != nil {
		return Account{}, err
	}
	a.Kind = channel.Kind(kind)
	a.LastInbound, a.LastOutbound, a.LastErrorAt, a.TokenExpires = in.Time, out.Time, errAt.Time, exp.Time
	if err := json.Unmarshal([]byte(settings), &a.Settings); err != nil {
		return Account{}, errs.E(errs.Internal, "channel.corrupt").Wrap(err)
	}
	if len(sealed) > 0 && s.box != nil {
		plain, err := s.box.Open(sealPurpose, sealed)
		if err != nil {
			return Account{}, errs.E(errs.Internal, "channel.undecryptable").Wrap(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal([]byte(plain), &m); err != nil {
			return Account{}, errs.E(errs.Internal, "channel.corrupt").Wrap(err)
		}
		a.Secrets = slices.Sorted(maps.Keys(m))
		if secrets != nil {
			maps.Copy(secrets, m)
		}
	}
	return a, nil
}

// Get returns an account without its secrets.
func (s *Store) Get(ctx context.Context, id int64) (Account, error) {
	a, err := s.scan(s.db.R().QueryRowContext(ctx, selectAccount+` WHERE id = $1`, id), nil)
	return a, db.NotFound(err, "channel.not_found")
}

// List returns every account, without secrets, by kind and name.
func (s *Store) List(ctx context.Context) ([]Account, error) {
	rows, err := s.db.R().QueryContext(ctx, selectAccount+` ORDER BY kind, name, id`)
	if err != nil {
		return nil, db.Fail(err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		a, err := s.scan(rows, nil)
		if err != nil {
			return nil, db.Fail(err)
		}
		out = append(out, a)
	}
	return out, db.Fail(rows.Err())
}

// Open returns the account for its adapter, secrets decrypted into
// Settings. Disabled accounts are NotFound unless disabledToo.
func (s *Store) Open(ctx context.Context, id int64, disabledToo bool) (channel.Account, error) {
	c, _, err := s.open(ctx, s.db.R(), id, disabledToo)
	return c, err
}

// OpenEnabled is Open of an enabled account for a webhook, with the
// account's own record beside it (its last inbound, which the webhook
// need not write again within the second).
func (s *Store) OpenEnabled(ctx context.Context, id int64) (channel.Account, Account, error) {
	return s.open(ctx, s.db.R(), id, false)
}

func (s *Store) open(ctx context.Context, q db.Querier, id int64, disabledToo bool) (channel.Account, Account, error) {
	secrets := map[string]string{}
	a, err := s.scan(q.QueryRowContext(ctx, selectAccount+` WHERE id = $1`, id), secrets)
	if err != nil {
		return channel.Account{}, Account{}, db.NotFound(err, "channel.not_found")
	}
	if !a.Enabled && !disabledToo {
		return channel.Account{}, Account{}, errs.NotFoundf("channel.not_found")
	}
	settings := maps.Clone(a.Settings)
	maps.Copy(settings, secrets)
	return channel.Account{ID: a.ID, Kind: a.Kind, Name: a.Name, Enabled: a.Enabled, Settings: settings, Ack: a.Ack}, a, nil
}

// ClaimRefresh takes the account's refresh lease until until, when no
// other holder's lease runs at now: one conditional UPDATE, so of two
// instances asking at once one gets it. lease is the holder's own token.
func (s *Store) ClaimRefresh(ctx context.Context, id int64, lease string, now, until time.Time) (bool, error) {
	res, err := s.db.W().ExecContext(ctx, `UPDATE channel_accounts SET refresh_lease = $1, refresh_lease_until = $2
		WHERE id = $3 AND (refresh_lease_until IS NULL OR refresh_lease_until < $4)`, lease, until.UTC(), id, now.UTC())
	if err != nil {
		return false, db.Fail(err)
	}
	n, err := res.RowsAffected()
	return n == 1, db.Fail(err)
}

// Refreshing reports whether someone holds the account's refresh lease at
// now: a new token pair may be on its way.
func (s *Store) Refreshing(ctx context.Context, id int64, now time.Time) (bool, error) {
	var n int
	err := s.db.W().QueryRowContext(ctx, `SELECT count(*) FROM channel_accounts WHERE id = $1 AND refresh_lease_until >= $2`, id, now.UTC()).Scan(&n)
	return n > 0, db.Fail(err)
}

// ReleaseRefresh gives the lease back, if lease still holds it.
func (s *Store) ReleaseRefresh(ctx context.Context, id int64, lease string) error {
	_, err := s.db.W().ExecContext(ctx, `UPDATE channel_accounts SET refresh_lease = '', refresh_lease_until = NULL
		WHERE id = $1 AND refresh_lease = $2`, id, lease)
	return db.Fail(err)
}

// StoreRefresh replaces some settings (a refreshed token pair) and the
// token expiry in one statement, so a single-use refresh token is never
// lost half-way, and gives back the refresh lease. The pair is stored even
// when the lease ran out meanwhile: the platform spent the old refresh
// token, so this pair is the only one that works.
func (s *Store) StoreRefresh(ctx context.Context, id int64, lease string, changed map[string]string, expires time.Time) error {
	now := s.clock()
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		acct, _, err := s.open(ctx, tx, id, true)
		if err != nil {
			return err
		}
		maps.Copy(acct.Settings, changed)
		plain, secrets, err := split(acct.Kind, acct.Settings)
		if err != nil {
			return err
		}
		sealed, err := s.seal(secrets)
		if err != nil {
			return err
		}
		pj, _ := json.Marshal(plain)
		var exp sql.NullTime
		if !expires.IsZero() {
			exp = sql.NullTime{Time: expires.UTC(), Valid: true}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE channel_accounts SET settings = $1, secrets_enc = $2, token_expires_at = COALESCE($3, token_expires_at), updated_at = $4,
			refresh_lease = CASE WHEN refresh_lease = $6 THEN '' ELSE refresh_lease END,
			refresh_lease_until = CASE WHEN refresh_lease = $6 THEN NULL ELSE refresh_lease_until END WHERE id = $5`,
			string(pj), sealed, exp, now, id, lease); err != nil {
			return db.Fail(err)
		}
		return audit.Append(ctx, tx, audit.Event{At: now, Actor: user.System.Label(), Action: "channel.settings",
			Object: "channel:" + strconv.FormatInt(id, 10), Detail: map[string]any{"keys": slices.Sorted(maps.Keys(changed))}})
	})
}

// inboundGrain is how fine last_inbound_at (and last_outbound_at) is kept. Every webhook of an
// account updating its one row would serialise them all on PostgreSQL's
// row lock, each waiting for the previous one's commit; at most one a
// second takes it.
const inboundGrain = time.Second

// Inbound records, inside the caller's transaction, that an account took
// in a webhook at now (to within a second). last is the account's last
// inbound as the caller read it: within the second, nothing is written.
func Inbound(ctx context.Context, q db.Querier, id int64, at, last time.Time) error {
	at = at.UTC()
	if d := at.Sub(last); d >= 0 && d < inboundGrain {
		return nil
	}
	_, err := q.ExecContext(ctx, `UPDATE channel_accounts SET last_inbound_at = $1
		WHERE id = $2 AND (last_inbound_at IS NULL OR last_inbound_at < $3)`, at, id, at.Add(-inboundGrain))
	return db.Fail(err)
}

// Inbound records that account id took in an event at at.
func (s *Store) Inbound(ctx context.Context, id int64, at time.Time) error {
	return Inbound(ctx, s.db.W(), id, at, time.Time{})
}

// Outbound records a successful send at at, to within a second as
// Inbound does: a backlog drained by several workers would otherwise
// write (and on SQLite sync) the one row once per message.
func (s *Store) Outbound(ctx context.Context, id int64, at time.Time) error {
	at = at.UTC()
	_, err := s.db.W().ExecContext(ctx, `UPDATE channel_accounts SET last_outbound_at = $1
		WHERE id = $2 AND (last_outbound_at IS NULL OR last_outbound_at < $3)`, at, id, at.Add(-inboundGrain))
	return db.Fail(err)
}

// Failed records a send or refresh error (the platform's code and message,
// never a citizen's data) at at.
func (s *Store) Failed(ctx context.Context, id int64, msg string, at time.Time) error {
	return Failed(ctx, s.db.W(), id, msg, at)
}

// Failed records, with q (the caller's transaction, say), an account's
// error at at: a delivery failure a webhook reported.
func Failed(ctx context.Context, q db.Querier, id int64, msg string, at time.Time) error {
	if len(msg) > 500 {
		msg = msg[:500]
	}
	_, err := q.ExecContext(ctx, `UPDATE channel_accounts SET last_error = $1, last_error_at = $2 WHERE id = $3`, strings.ToValidUTF8(msg, ""), at.UTC(), id)
	return db.Fail(err)
}

const hookPurpose = "channel.hook_key"

// ByToken opens the enabled account of kind whose URL token is token
// (a CTI account's), secrets decrypted; NotFound for any other token.
func (s *Store) ByToken(ctx context.Context, kind channel.Kind, token string) (channel.Account, error) {
	if s.box == nil || token == "" {
		return channel.Account{}, errs.NotFoundf("channel.not_found")
	}
	var id int64
	err := s.db.R().QueryRowContext(ctx, `SELECT id FROM channel_accounts WHERE hook_key = $1 AND kind = $2`,
		s.box.Hash(hookPurpose, token), string(kind)).Scan(&id)
	if err != nil {
		return channel.Account{}, db.NotFound(err, "channel.not_found")
	}
	acct, err := s.Open(ctx, id, false)
	if err != nil {
		return channel.Account{}, err
	}
	// The hash matched; compare the token itself too, in constant time.
	if subtle.ConstantTimeCompare([]byte(acct.Settings["token"]), []byte(token)) != 1 {
		return channel.Account{}, errs.NotFoundf("channel.not_found")
	}
	return acct, nil
}

// checkEmail refuses an email account's settings that could never work:
// a TLS mode that is not one, an address that is not host:port, a sender
// that is not an address.
func checkEmail(plain map[string]string) error {
	for _, k := range []string{"smtp_tls", "imap_tls"} {
		switch plain[k] {
		case "", "none", "tls", "starttls":
		default:
			return errs.Invalidf("channel.tls_mode", "modes", "none, tls, starttls").InField(k)
		}
	}
	for _, k := range []string{"smtp_addr", "imap_addr"} {
		if v := plain[k]; v != "" {
			if host, port, err := net.SplitHostPort(v); err != nil || host == "" || port == "" {
				return errs.Invalidf("channel.host_port").InField(k)
			}
		}
	}
	if a, err := mail.ParseAddress(plain["from"]); err != nil || !strings.Contains(a.Address, "@") {
		return errs.Invalidf("email.invalid").InField("from")
	}
	switch plain["notify"] {
	case "", "true", "false":
	default:
		return errs.Invalidf("field.invalid").InField("notify")
	}
	return nil
}

// HookURLPath is where the platform posts an opened account's events:
// a CTI account's /api/v1/cti/{token} (DESIGN §8), or WebhookPath.
func HookURLPath(a channel.Account) string {
	switch a.Kind {
	case channel.CTI:
		return "/api/v1/cti/" + a.Settings["token"]
	case channel.Email, channel.AMI:
		return "" // a mailbox, a PBX's manager interface: read, not posted to
	}
	return Account{ID: a.ID, Kind: a.Kind}.WebhookPath()
}

// WebhookPath is where the platform posts this account's events
// (DESIGN §8): /hooks/{kind}/{id}.
// A CTI account's path holds its secret token, so here it is shown as
// /api/v1/cti/{token}; HookURLPath gives the real one.
func (a Account) WebhookPath() string {
	switch a.Kind {
	case channel.CTI:
		return "/api/v1/cti/{token}"
	case channel.Email, channel.AMI:
		return ""
	}
	return "/hooks/" + string(a.Kind) + "/" + strconv.FormatInt(a.ID, 10)
}

// Sender is the email account that sends the hotline's own mails to
// citizens (a web report's confirmation): the enabled one marked
// notify=true, else the oldest enabled one that can send (it has an SMTP
// server and a From address); 0 when there is none.
func (s *Store) Sender(ctx context.Context) (int64, error) {
	accts, err := s.List(ctx)
	if err != nil {
		return 0, err
	}
	var first int64
	for _, a := range accts {
		if a.Kind != channel.Email || !a.Enabled || a.Settings["smtp_addr"] == "" || a.Settings["from"] == "" {
			continue
		}
		if a.Settings["notify"] == "true" {
			return a.ID, nil
		}
		if first == 0 || a.ID < first {
			first = a.ID
		}
	}
	return first, nil
}
