package emailtest

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Where the ordinary mail servers come from. Each variable, when set, is
// the only candidate (a wrong path is reported, not worked around);
// scripts/test installs Debian's dovecot-imapd and python3-aiosmtpd.
const (
	EnvDovecot  = "HOTLINE_TEST_DOVECOT"  // the dovecot binary (/usr/sbin/dovecot)
	EnvAiosmtpd = "HOTLINE_TEST_AIOSMTPD" // a python3 that has aiosmtpd (/usr/bin/python3)
)

//go:embed smtpd.py
var smtpdPy []byte

// MailHost is an ordinary mail host, not ours: Debian's Dovecot serving
// IMAP (with IDLE) and aiosmtpd taking SMTP submissions, over one set of
// maildirs (home/<address>/Maildir), so a mail submitted to an address is
// in that user's IMAP INBOX. Both speak STARTTLS with Cert and require a
// login (the users' passwords). They run unprivileged in a temporary
// directory with their own configuration: as the test's user, or as
// nobody when the test runs as root (Dovecot refuses to run its login
// processes as root).
type MailHost struct {
	IMAPAddr, SMTPAddr string
	Cert               Cert
	dir                string
	users              map[string]string
}

// NewMailHost starts Dovecot and aiosmtpd with these users (address →
// password), stopped when the test ends. Without the servers the test is
// skipped, or fails under CI=true.
func NewMailHost(t testing.TB, users map[string]string) *MailHost {
	t.Helper()
	dovecot, python, err := findMailServers()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the ordinary mail servers are missing: %v.\nCI=true does not allow skipping this test: install Debian's "+
				"dovecot-imapd and python3-aiosmtpd, or set %s and %s", err, EnvDovecot, EnvAiosmtpd)
		}
		t.Skipf("test against ordinary mail servers skipped: %v (apt-get install dovecot-imapd python3-aiosmtpd, or set %s and %s)",
			err, EnvDovecot, EnvAiosmtpd)
	}
	dir, err := os.MkdirTemp("", "hotline-mailhost-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	h := &MailHost{Cert: NewCert(t), dir: dir, users: users}
	cred, uid, gid, name, group := runAs(t)
	var passwd strings.Builder
	for u, p := range users {
		fmt.Fprintf(&passwd, "%s:{PLAIN}%s::::\n", u, p)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(h.Cert.Server.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	files := map[string][]byte{
		"passwd":   []byte(passwd.String()),
		"cert.pem": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h.Cert.Server.Certificate[0]}),
		"key.pem":  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		"smtpd.py": smtpdPy,
		"dovecot.conf": []byte(strings.NewReplacer("$D", dir, "$USER", name, "$GROUP", group, "$UID", strconv.Itoa(uid),
			"$GID", strconv.Itoa(gid), "$PORT", strconv.Itoa(port)).Replace(dovecotConf)),
	}
	for _, d := range []string{"run", "state", "home"} {
		// Dovecot wants its run directory readable by all.
		if err := os.Mkdir(filepath.Join(dir, d), map[bool]os.FileMode{true: 0o755, false: 0o700}[d == "run"]); err != nil {
			t.Fatal(err)
		}
	}
	for f, b := range files {
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if cred != nil {
		filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
			if err == nil {
				err = os.Chown(p, uid, gid)
			}
			return err
		})
	}
	// Dovecot in the foreground, so it is this test's child to stop.
	dc := exec.Command(dovecot, "-F", "-c", filepath.Join(dir, "dovecot.conf"))
	dc.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	start(t, dc, "dovecot", filepath.Join(dir, "dovecot.log"))
	h.IMAPAddr = "127.0.0.1:" + strconv.Itoa(port)
	sc := exec.Command(python, filepath.Join(dir, "smtpd.py"), filepath.Join(dir, "home"), filepath.Join(dir, "cert.pem"),
		filepath.Join(dir, "key.pem"), filepath.Join(dir, "passwd"))
	sc.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	out, err := sc.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := os.Create(filepath.Join(dir, "smtpd.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	sc.Stderr = stderr
	start(t, sc, "aiosmtpd", stderr.Name())
	line, err := bufio.NewReader(out).ReadString('\n')
	p, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		sc.Wait()
		log, _ := os.ReadFile(stderr.Name())
		t.Fatalf("aiosmtpd did not start: %q %v\n%s", line, err, log)
	}
	h.SMTPAddr = "127.0.0.1:" + p
	// Dovecot is ready when it greets.
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := imapclient.DialInsecure(h.IMAPAddr, nil)
		if err == nil {
			err = c.WaitGreeting()
			c.Close()
			if err == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Fatalf("dovecot does not answer on %s: %v\n%s", h.IMAPAddr, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return h
}

// dovecotConf is a whole Dovecot 2.3 configuration: no system file is
// read. Logins are checked against a passwd-file; every user's mail is
// the maildir home/<user>/Maildir, owned by the one user Dovecot runs as.
const dovecotConf = `base_dir = $D/run
state_dir = $D/state
log_path = $D/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = $USER
default_internal_group = $GROUP
default_login_user = $USER
first_valid_uid = $UID
first_valid_gid = $GID
ssl = required
ssl_cert = <$D/cert.pem
ssl_key = <$D/key.pem
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $D/passwd
}
userdb {
  driver = static
  args = uid=$UID gid=$GID home=$D/home/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  chroot =
  inet_listener imap {
    port = $PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`

// findMailServers returns dovecot and a python3 with aiosmtpd, or why
// they are not there.
func findMailServers() (dovecot, python string, err error) {
	find := func(env, def string) (string, error) {
		if p := os.Getenv(env); p != "" {
			found, err := exec.LookPath(p)
			if err != nil {
				return "", fmt.Errorf("%s=%s is not an executable: %v", env, p, err)
			}
			return found, nil
		}
		return exec.LookPath(def)
	}
	if dovecot, err = find(EnvDovecot, "/usr/sbin/dovecot"); err != nil {
		return "", "", err
	}
	if python, err = find(EnvAiosmtpd, "/usr/bin/python3"); err != nil {
		return "", "", err
	}
	if out, err := exec.Command(python, "-c", "import aiosmtpd").CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("%s has no aiosmtpd: %s", python, strings.TrimSpace(string(out)))
	}
	return dovecot, python, nil
}

// runAs is who the servers run as: the test's user, or nobody when that
// is root (cred is then the switch to make).
func runAs(t testing.TB) (cred *syscall.Credential, uid, gid int, name, group string) {
	t.Helper()
	u, err := user.Current()
	if os.Geteuid() == 0 {
		u, err = user.Lookup("nobody")
	}
	if err != nil {
		t.Fatal(err)
	}
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	if os.Geteuid() == 0 {
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	return cred, uid, gid, u.Username, g.Name
}

// start runs cmd until the test ends, then stops it (by its own pid) and
// shows log when the test failed.
func start(t testing.TB, cmd *exec.Cmd, name, log string) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if b, err := os.ReadFile(log); t.Failed() && err == nil {
			t.Logf("%s's log:\n%s", name, b)
		}
	})
}

// freePort is a port of 127.0.0.1 free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Settings are the email account keys of user's mailbox on this host,
// sending through its SMTP server, both over STARTTLS.
func (h *MailHost) Settings(user string) map[string]string {
	return map[string]string{"imap_addr": h.IMAPAddr, "imap_tls": "starttls", "imap_user": user, "imap_password": h.users[user],
		"smtp_addr": h.SMTPAddr, "smtp_tls": "starttls", "smtp_user": user, "smtp_password": h.users[user]}
}

// Submit sends raw to rcpt through the SMTP server, logged in as from
// (one of the host's users), as a mail client would.
func (h *MailHost) Submit(t testing.TB, from, rcpt string, raw []byte) {
	t.Helper()
	c, err := smtp.DialStartTLS(h.SMTPAddr, &tls.Config{RootCAs: h.Cert.Pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Auth(sasl.NewPlainClient("", from, h.users[from])); err != nil {
		t.Fatal(err)
	}
	if err := c.SendMail(from, []string{rcpt}, strings.NewReader(string(raw))); err != nil {
		t.Fatal(err)
	}
}

// Mails are the mails delivered to addr's maildir, oldest first.
func (h *MailHost) Mails(t testing.TB, addr string) [][]byte {
	t.Helper()
	type file struct {
		at  time.Time
		raw []byte
	}
	var files []file
	for _, sub := range []string{"new", "cur"} {
		d := filepath.Join(h.dir, "home", strings.ToLower(addr), "Maildir", sub)
		entries, err := os.ReadDir(d)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			info, err := e.Info()
			if err != nil {
				continue // moved between new and cur meanwhile
			}
			raw, err := os.ReadFile(filepath.Join(d, e.Name()))
			if err != nil {
				continue
			}
			files = append(files, file{info.ModTime(), raw})
		}
	}
	slices.SortStableFunc(files, func(a, b file) int { return a.at.Compare(b.at) })
	out := make([][]byte, len(files))
	for i, f := range files {
		out[i] = f.raw
	}
	return out
}

// IMAP logs in as user over STARTTLS, closed when the test ends.
func (h *MailHost) IMAP(t testing.TB, user string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialStartTLS(h.IMAPAddr, &imapclient.Options{TLSConfig: &tls.Config{RootCAs: h.Cert.Pool, ServerName: "127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(user, h.users[user]).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// Status counts the mails of user's mailbox, and those flagged \Seen.
func (h *MailHost) Status(t testing.TB, user, mailbox string) (seen, all int) {
	t.Helper()
	c := h.IMAP(t, user)
	defer c.Logout()
	st, err := c.Status(mailbox, &imap.StatusOptions{NumMessages: true, NumUnseen: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return int(*st.NumMessages - *st.NumUnseen), int(*st.NumMessages)
}
