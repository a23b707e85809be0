package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/hotline-1022/hotline/internal/channel"
)

// ErrSendOnly is OpenMailbox's answer for an account without imap_addr.
var ErrSendOnly = errors.New("email: the account has no mailbox to read (no imap_addr)")

// Mailbox is an open IMAP session on an account's mailbox (INBOX unless
// the account names another), selected.
type Mailbox struct {
	c           *imapclient.Client
	UIDValidity uint32
	processed   string // folder taken mail is moved to; "": flagged \Seen
	failed      string // folder mail that made no ticket for a fault is moved to
	exists      chan struct{}
}

// OpenMailbox connects to acct's IMAP server in its TLS mode, logs in and
// selects the mailbox. A server that cannot be reached or refuses the
// login is an error the caller retries with backoff.
func (a *Adapter) OpenMailbox(ctx context.Context, acct channel.Account) (*Mailbox, error) {
	if acct.Kind != channel.Email || acct.Setting("imap_addr", "") == "" {
		return nil, ErrSendOnly
	}
	s := serverOf(acct, "imap", "smtp")
	m := &Mailbox{processed: acct.Setting("processed", ""), failed: acct.Setting("failed", ""), exists: make(chan struct{}, 1)}
	opts := &imapclient.Options{
		TLSConfig: a.tlsConfig(s.host),
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				select {
				case m.exists <- struct{}{}:
				default:
				}
			}
		}},
		WordDecoder: wordDecoder,
	}
	var d net.Dialer
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := d.DialContext(dctx, "tcp", s.addr)
	if err != nil {
		return nil, err
	}
	switch s.tls {
	case TLSImplicit:
		m.c = imapclient.New(tls.Client(conn, opts.TLSConfig), opts)
	case TLSStart:
		if m.c, err = imapclient.NewStartTLS(conn, opts); err != nil {
			conn.Close()
			return nil, err
		}
	default:
		m.c = imapclient.New(conn, opts)
	}
	context.AfterFunc(ctx, func() { m.c.Close() })
	if err := m.c.WaitGreeting(); err != nil {
		m.c.Close()
		return nil, err
	}
	if err := m.c.Login(s.user, s.password).Wait(); err != nil {
		m.c.Close()
		return nil, fmt.Errorf("login: %w", err)
	}
	sel, err := m.c.Select(acct.Setting("mailbox", "INBOX"), nil).Wait()
	if err != nil {
		m.c.Close()
		return nil, fmt.Errorf("select: %w", err)
	}
	m.UIDValidity = sel.UIDValidity
	return m, nil
}

// Close logs out.
func (m *Mailbox) Close() error {
	_ = m.c.Logout().Wait()
	return m.c.Close()
}

// NewUIDs lists the UIDs above after, in order.
func (m *Mailbox) NewUIDs(after uint32) ([]uint32, error) {
	var set imap.UIDSet
	set.AddRange(imap.UID(after+1), 0) // after+1:*
	data, err := m.c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, nil).Wait()
	if err != nil {
		return nil, err
	}
	var out []uint32
	for _, uid := range data.AllUIDs() {
		// "n:*" always holds the last message, even below n.
		if uint32(uid) > after {
			out = append(out, uint32(uid))
		}
	}
	return out, nil
}

// Fetch reads one mail whole without marking it \Seen. A mail over max
// bytes is not downloaded: ok false, with its size.
func (m *Mailbox) Fetch(uid uint32, max int64) (raw []byte, size int64, ok bool, err error) {
	msgs, err := m.c.Fetch(imap.UIDSetNum(imap.UID(uid)), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return nil, 0, false, err
	}
	if len(msgs) == 0 {
		return nil, 0, false, nil // expunged meanwhile
	}
	if size = msgs[0].RFC822Size; size > max {
		return nil, size, false, nil
	}
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err = m.c.Fetch(imap.UIDSetNum(imap.UID(uid)), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil || len(msgs) == 0 {
		return nil, size, false, err
	}
	return msgs[0].FindBodySection(section), size, true, nil
}

// Done marks a mail taken in, once its ticket (or the record of why it
// made none) is committed: moved to the processed folder when the account
// names one, or to the failed folder when it could not be read (failed)
// and the account names one; flagged \Seen where it is otherwise, or when
// the move fails.
func (m *Mailbox) Done(uid uint32, failed bool) error {
	set := imap.UIDSetNum(imap.UID(uid))
	folder := m.processed
	if failed && m.failed != "" {
		folder = m.failed
	}
	if folder != "" {
		if _, err := m.c.Move(set, folder).Wait(); err == nil {
			return nil
		}
	}
	return m.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
}

// Wait returns when new mail may have arrived: at once when the server
// announced some, else after IDLE hears of it (where the server offers
// IDLE) or poll has passed, or when ctx ends.
func (m *Mailbox) Wait(ctx context.Context, poll time.Duration) error {
	select {
	case <-m.exists:
		return nil
	default:
	}
	timer := time.NewTimer(poll)
	defer timer.Stop()
	if m.c.Caps().Has(imap.CapIdle) {
		idle, err := m.c.Idle()
		if err != nil {
			return err
		}
		select {
		case <-m.exists:
		case <-timer.C:
		case <-ctx.Done():
		case <-m.c.Closed():
		}
		if err := idle.Close(); err != nil {
			return err
		}
		if err := idle.Wait(); err != nil {
			return err
		}
		return ctx.Err()
	}
	select {
	case <-timer.C:
		return m.c.Noop().Wait() // the server tells of new mail in its answer
	case <-ctx.Done():
		return ctx.Err()
	case <-m.c.Closed():
		return errors.New("email: the IMAP connection closed")
	}
}
