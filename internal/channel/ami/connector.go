package ami

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotline-1022/hotline/internal/call"
	"github.com/hotline-1022/hotline/internal/channel"
	"github.com/hotline-1022/hotline/internal/channel/account"
)

// Recorder stores one call event as the CTI endpoint does
// (cti.Handler.Record).
type Recorder interface {
	Record(ctx context.Context, accountID int64, ev call.Event) error
}

// Connector is the runner that keeps a session open to every enabled AMI
// account's PBX, reconnecting with backoff, and records the calls it
// reads. Of several instances on one database, one at a time holds an
// account's connection: the holder of the account's lease (the mailboxes'
// lease table, renewed at a third of Lease while connected); the others
// look again at half of it and take over when the holder stops (it gives
// the lease back) or its lease runs out.
type Connector struct {
	Accounts *account.Store
	Calls    Recorder
	Log      *slog.Logger
	Now      func() time.Time
	// Poll is how soon an account added or enabled is connected (default
	// 1 min); Retry the first wait after a failure (default 2 s), doubling
	// up to RetryMax (default 5 min); Ping how long a quiet session waits
	// before it asks the PBX whether it is there (default 30 s); Timeout
	// bounds the connection and the login (default 10 s).
	// Lease is how long a holder keeps an account's connection without
	// renewing it (default 1 min).
	Poll, Retry, RetryMax, Ping, Timeout, Lease time.Duration
	// Instance names this instance as the holder of its connections
	// (default hostname:pid, and #n after it for a second connector in
	// one process).
	Instance string

	once sync.Once

	mu      sync.Mutex
	states  map[int64]State
	running map[int64]bool
}

// State is where an account's session stands on this instance, for its
// page.
type State struct {
	Connected bool
	Waiting   bool      // another instance holds the connection
	Since     time.Time // when it connected, or when it was lost
	Version   string    // the PBX's AMI version, from its banner
	Events    int64     // call events recorded in this session
	LastEvent time.Time
	Error     string    // why the last attempt failed
	NextTry   time.Time // when it tries again
}

// State returns account id's session state, and whether this instance
// runs one.
func (c *Connector) State(id int64) (State, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.states[id]
	return s, ok
}

func (c *Connector) setState(id int64, f func(*State)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.states == nil {
		c.states = map[int64]State{}
	}
	s := c.states[id]
	f(&s)
	c.states[id] = s
}

// instances numbers the connectors of this process, for their names.
var instances atomic.Int64

// Name is the instance name this connector holds its connections as.
func (c *Connector) Name() string {
	c.once.Do(func() {
		if c.Instance != "" {
			return
		}
		host, _ := os.Hostname()
		c.Instance = host + ":" + strconv.Itoa(os.Getpid())
		if n := instances.Add(1); n > 1 {
			c.Instance += "#" + strconv.FormatInt(n, 10)
		}
	})
	return c.Instance
}

func (c *Connector) lease() time.Duration {
	if c.Lease == 0 {
		return time.Minute
	}
	return c.Lease
}

func (c *Connector) cfg() (poll, retry, retryMax, ping, timeout time.Duration) {
	or := func(d, def time.Duration) time.Duration {
		if d == 0 {
			return def
		}
		return d
	}
	return or(c.Poll, time.Minute), or(c.Retry, 2*time.Second), or(c.RetryMax, 5*time.Minute), or(c.Ping, 30*time.Second),
		or(c.Timeout, 10*time.Second)
}

// Run connects every enabled AMI account until ctx ends.
func (c *Connector) Run(ctx context.Context) error {
	poll, _, _, _, _ := c.cfg()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		accts, err := c.Accounts.List(ctx)
		if err == nil {
			for _, a := range accts {
				if a.Kind != channel.AMI || !a.Enabled {
					continue
				}
				c.mu.Lock()
				if c.running == nil {
					c.running = map[int64]bool{}
				}
				if !c.running[a.ID] {
					c.running[a.ID] = true
					wg.Add(1)
					go func(id int64) {
						defer wg.Done()
						c.watch(ctx, id)
						c.mu.Lock()
						delete(c.running, id)
						delete(c.states, id)
						c.mu.Unlock()
					}(a.ID)
				}
				c.mu.Unlock()
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(poll):
		}
	}
}

// watch keeps one account's session until ctx ends or the account is
// disabled, while it holds the account's lease.
func (c *Connector) watch(ctx context.Context, id int64) {
	poll, retry, retryMax, _, _ := c.cfg()
	holder := c.Name()
	defer func() { _ = c.Accounts.ReleaseLease(context.WithoutCancel(ctx), id, holder) }()
	backoff := retry
	for ctx.Err() == nil {
		acct, _, err := c.Accounts.OpenEnabled(ctx, id)
		if err != nil {
			return // disabled or removed
		}
		held, err := c.Accounts.ClaimLease(ctx, id, holder, c.Now(), c.lease())
		connected := false
		if err == nil && held {
			connected, err = c.session(ctx, acct, holder)
		}
		if ctx.Err() != nil {
			return
		}
		if connected {
			backoff = retry
		}
		if err == nil && held {
			return // disabled meanwhile
		}
		now := c.Now()
		if errors.Is(err, errLeaseLost) || (err == nil && !held) {
			wait := min(poll, c.lease()/2)
			c.setState(id, func(s *State) { *s = State{Waiting: true, Since: now, NextTry: now.Add(wait)} })
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			continue
		}
		c.setState(id, func(s *State) {
			if s.Connected || s.Since.IsZero() {
				s.Since = now
			}
			s.Connected, s.Waiting, s.Error, s.NextTry = false, false, err.Error(), now.Add(backoff)
		})
		_ = c.Accounts.Failed(ctx, id, "ami: "+err.Error(), now)
		c.Log.Warn("ami unavailable", "account_id", id, "error", err.Error())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, retryMax)
	}
}

// errLeaseLost ends a session whose account another instance now holds.
var errLeaseLost = errors.New("ami: another instance holds this account's connection")

// errSilent is a PBX that answered neither events nor a Ping.
var errSilent = errors.New("ami: the PBX does not answer")

// session logs in and records call events until the connection fails
// (connected says whether it got that far) or the account is disabled
// (nil), renewing holder's lease at a third of it (errLeaseLost once
// another instance holds it).
func (c *Connector) session(ctx context.Context, acct channel.Account, holder string) (connected bool, err error) {
	_, _, _, ping, timeout := c.cfg()
	conn, err := Dial(ctx, acct.Setting("addr", ""), acct.Setting("username", ""), acct.Setting("secret", ""), timeout)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	now := c.Now()
	c.setState(acct.ID, func(s *State) { *s = State{Connected: true, Since: now, Version: conn.Version} })
	c.Log.Info("ami connected", "account_id", acct.ID, "version", conn.Version)
	if err := c.Accounts.Connected(ctx, acct.ID, holder, now, conn.Version); err != nil {
		return true, err
	}
	defer func() {
		_ = c.Accounts.Connected(context.WithoutCancel(ctx), acct.ID, holder, time.Time{}, conn.Version)
	}()
	t := &Tracker{}
	if v := acct.Setting("internal_context", ""); v != "" {
		for _, ctxName := range strings.Split(v, ",") {
			t.Internal = append(t.Internal, strings.TrimSpace(ctxName))
		}
	}
	pinged, renew := false, c.lease()/3
	heard, renewed, pingedAt := time.Now(), time.Now(), time.Time{}
	for {
		if time.Since(renewed) >= renew {
			if held, err := c.Accounts.ClaimLease(ctx, acct.ID, holder, c.Now(), c.lease()); err != nil || !held {
				return true, errors.Join(errLeaseLost, err)
			}
			renewed = time.Now()
		}
		conn.SetReadDeadline(time.Now().Add(min(ping, renew)))
		m, err := conn.Read()
		if IsTimeout(err) {
			if pinged {
				if time.Since(pingedAt) >= ping {
					return true, errSilent
				}
				continue
			}
			if time.Since(heard) < ping {
				continue
			}
			if _, _, err := c.Accounts.OpenEnabled(ctx, acct.ID); err != nil {
				return true, nil
			}
			if _, err := conn.Send("Ping"); err != nil {
				return true, err
			}
			pinged, pingedAt = true, time.Now()
			continue
		}
		if err != nil {
			return true, err
		}
		heard = time.Now()
		pinged = false
		for _, ev := range t.Event(m, c.Now()) {
			if err := c.Calls.Record(ctx, acct.ID, ev); err != nil {
				// The store is down: this event is lost, the session is not.
				c.Log.Error("ami event not recorded", "account_id", acct.ID, "event", string(ev.Type), "error", err.Error())
				continue
			}
			at := c.Now()
			c.setState(acct.ID, func(s *State) { s.Events++; s.LastEvent = at })
		}
	}
}
