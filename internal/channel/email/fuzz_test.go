package email_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hotline-1022/hotline/internal/channel/email"
)

// FuzzParse: any bytes give a mail the intake can store, or one of
// Parse's three errors, never a panic: a sender with an address, valid
// UTF-8 text, files within the limits, a reason only from the list.
func FuzzParse(f *testing.F) {
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	for _, p := range fixtures {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("From: a@b.vn\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: multipart/alternative; boundary=y\r\n\r\n--y\r\n\r\nhi\r\n--y--\r\n--x--\r\n"))
	lim := email.Limits{MaxMail: 1 << 20, MaxFile: 512, MaxFiles: 3}
	reasons := map[string]bool{"": true, email.AutoSubmittedReason: true, email.PrecedenceReason: true, email.MailingListReason: true,
		email.AutoReplyReason: true, email.LoopReason: true, email.BouncedReason: true}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := email.Parse(raw, lim)
		if err != nil {
			if p != nil || !(errors.Is(err, email.ErrNotMail) || errors.Is(err, email.ErrNoSender) || errors.Is(err, email.ErrTooLarge)) {
				t.Fatalf("%v with %+v", err, p)
			}
			return
		}
		if p.From == nil || !strings.Contains(p.From.Address, "@") || !reasons[p.Auto] {
			t.Fatalf("from %v, auto %q", p.From, p.Auto)
		}
		for _, s := range []string{p.Text, p.Full, p.Subject, p.From.Name, p.MessageID} {
			if !utf8.ValidString(s) {
				t.Fatalf("not UTF-8: %q", s)
			}
		}
		if len(p.Files) > lim.MaxFiles {
			t.Fatalf("%d files", len(p.Files))
		}
		for _, f := range p.Files {
			if int64(len(f.Data)) > lim.MaxFile || len(f.Data) == 0 || f.Name == "" || strings.ContainsAny(f.Name, "/\\\x00") {
				t.Fatalf("file %q of %d bytes", f.Name, len(f.Data))
			}
		}
		if len(p.Text) > len(p.Full) {
			t.Fatalf("trimmed text longer than the whole")
		}
	})
}
