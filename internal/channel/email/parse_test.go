package email_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/channel/channeltest"
	"github.com/hotline-1022/hotline/internal/channel/email"
)

func mustParse(t *testing.T, file string, lim email.Limits) *email.Parsed {
	t.Helper()
	p, err := email.Parse(channeltest.MustRead(t, file), lim)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return p
}

func TestParseFixtures(t *testing.T) {
	cases := []struct {
		file                    string
		from, name, subject, id string
		text                    []string // the text holds each
		notText                 []string // and none of these
		auto                    string
		files                   []string // name/mime
		problems                int
	}{
		{file: "gmail.eml", from: "an.nguyen@gmail.com", name: "Nguyễn Văn An", subject: "Đèn đường hỏng trước số 12 Lê Lợi",
			id: "CAF4ov=Yx3kQh7Z2mT9pJd@mail.gmail.com", text: []string{"Đèn đường trước số 12 Lê Lợi, phường Thủ Dầu Một bị hỏng"}, notText: []string{"<div"}},
		{file: "outlook.eml", from: "bich.tran@outlook.com", name: "Tran, Thi Bich", subject: "Công nghè và cống tắc",
			id:   "SG2PR01MB1234ABCD5678EF@SG2PR01MB1234.apcprd01.prod.exchangelabs.com",
			text: []string{"Cống thoát nước tại hẻm 45 Nguyễn Trãi bị tắc", "Trần Thị Bích"}, notText: []string{"Đã tiếp nhận phản ánh", "________"}},
		{file: "apple.eml", from: "cuong.le@icloud.com", name: "Le Van Cuong", subject: "Cây đổ chắn đường",
			id: "8C1D2E3F-4A5B-6C7D-8E9F-0A1B2C3D4E5F@icloud.com", text: []string{"Cây đổ chắn ngang đường Hùng Vương"},
			files: []string{"Ảnh hiện trường.jpg/image/jpeg"}},
		{file: "forwarded.eml", from: "duc.pham@example.vn", name: "Pham Minh Duc", subject: "Fwd: Rác thải bị đổ trộm", id: "CAB9fwd123@mail.gmail.com",
			text: []string{"Tôi chuyển tiếp", "Đêm qua có xe đổ trộm rác thải xây dựng"}},
		{file: "autoreply.eml", from: "giang.vo@example.vn", name: "Vo Thi Giang", subject: "Trả lời tự động: Re: [1022 #K7M3P-9QXD2]", id: "ooo-4711@example.vn",
			auto: email.AutoSubmittedReason, text: []string{"nghỉ phép"}},
		{file: "list.eml", from: "news@lists.example.vn", name: "Ban tin", subject: "Ban tin thang 3", id: "list-1@lists.example.vn", auto: email.PrecedenceReason},
		{file: "bounce.eml", from: "mailer-daemon@mail.tinh.gov.vn", name: "Mail Delivery System", subject: "Undelivered Mail Returned to Sender",
			id: "20260310020500.ABC123@mail.tinh.gov.vn", auto: email.BouncedReason},
		{file: "legacy.eml", from: "hung.dang@example.vn", name: "Dang Quoc Hung", subject: "Ổ gà nguy hiểm", id: "legacy-1258@example.vn",
			text: []string{"Ổ gà trên đường Điện Biên Phủ rất nguy hiểm cho người đi xe máy."}},
		{file: "oversized.eml", from: "khanh.bui@example.vn", name: "Bui Van Khanh", subject: "Video ngap", id: "big-1@example.vn",
			text: []string{"Đường ngập sâu"}, files: []string{"don.pdf/application/pdf"}, problems: 1},
		{file: "broken.eml", from: "someone@example.vn", subject: "=?x-unknown?Q?abc?=", id: "broken-1@example.vn",
			text: []string{"Nuoc ngap o duong Le Loi"}, problems: 4},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			p := mustParse(t, c.file, email.Limits{MaxFile: 2048})
			if p.From.Address != c.from || p.From.Name != c.name || p.Subject != c.subject || p.MessageID != c.id || p.Auto != c.auto {
				t.Fatalf("from %q %q subject %q id %q auto %q", p.From.Address, p.From.Name, p.Subject, p.MessageID, p.Auto)
			}
			for _, s := range c.text {
				if !strings.Contains(p.Text, s) {
					t.Errorf("text %q lacks %q", p.Text, s)
				}
			}
			for _, s := range c.notText {
				if strings.Contains(p.Text, s) {
					t.Errorf("text %q holds %q", p.Text, s)
				}
			}
			var files []string
			for _, f := range p.Files {
				files = append(files, f.Name+"/"+f.MIME)
			}
			if strings.Join(files, ",") != strings.Join(c.files, ",") {
				t.Errorf("files %v, want %v", files, c.files)
			}
			if len(p.Problems) != c.problems {
				t.Errorf("problems %q, want %d", p.Problems, c.problems)
			}
		})
	}
}

func TestParseReadsTheBouncedMessage(t *testing.T) {
	p := mustParse(t, "bounce.eml", email.Limits{})
	if p.Bounce == nil || p.Bounce.OriginalID != "hotline.k7m3p-9qxd2.12.1@tinh.gov.vn" || p.Bounce.Status != "5.1.1" ||
		p.Bounce.Diagnostic != "smtp; 550 5.1.1 User unknown" {
		t.Fatalf("bounce %+v", p.Bounce)
	}
}

func TestParseKeepsTheQuotedReplyInFull(t *testing.T) {
	p := mustParse(t, "outlook.eml", email.Limits{})
	if !strings.Contains(p.Full, "Đã tiếp nhận phản ánh") || strings.Contains(p.Text, "Đã tiếp nhận") {
		t.Fatalf("text %q\nfull %q", p.Text, p.Full)
	}
	if got := email.TrimQuoted("Vâng, đúng địa chỉ đó.\n\nVào Th 2, 9 thg 3, 2026 lúc 10:00 Đường dây nóng <1022@tinh.gov.vn> đã viết:\n> Xin cho biết địa chỉ\n"); got != "Vâng, đúng địa chỉ đó." {
		t.Fatalf("Gmail's Vietnamese quote: %q", got)
	}
	if got := email.TrimQuoted("> only a quote"); got != "> only a quote" {
		t.Fatalf("a mail that is all quote: %q", got)
	}
}

func TestParseRefuses(t *testing.T) {
	for name, c := range map[string]struct {
		raw  string
		lim  email.Limits
		want error
	}{
		"no header":   {"", email.Limits{}, email.ErrNotMail},
		"no from":     {"Subject: x\r\n\r\nbody", email.Limits{}, email.ErrNoSender},
		"from no at":  {"From: nobody\r\n\r\nbody", email.Limits{}, email.ErrNoSender},
		"over limits": {"From: a@b.vn\r\n\r\n" + strings.Repeat("x", 200), email.Limits{MaxMail: 100}, email.ErrTooLarge},
	} {
		if _, err := email.Parse([]byte(c.raw), c.lim); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

func TestHTMLText(t *testing.T) {
	got := email.HTMLText(`<html><head><title>x</title><style>p{color:red}</style></head><body><p>Ngập&nbsp;nước &amp; rác</p><script>alert(1)</script><div>dòng 2<br>dòng 3</div><!-- c --></body></html>`)
	if got != "Ngập nước & rác\ndòng 2\ndòng 3" {
		t.Fatalf("%q", got)
	}
}

// BenchmarkParse is the parser alone on the Gmail and Apple Mail fixtures:
//
//	go test -run '^$' -bench Parse ./internal/channel/email/
func BenchmarkParse(b *testing.B) {
	for _, f := range []string{"gmail.eml", "apple.eml", "outlook.eml"} {
		raw := channeltest.MustRead(b, f)
		b.Run(f, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := email.Parse(raw, email.Limits{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
		})
	}
}
