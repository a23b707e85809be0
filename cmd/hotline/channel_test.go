package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/db"
)

func TestChannelCommands(t *testing.T) {
	const key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes
	for name, dbFor := range engines(t) {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			dsn := dbFor(t, data)
			env := map[string]string{"HOTLINE_DATA": data, "HOTLINE_DB": dsn, "HOTLINE_SECRET": key, "HOTLINE_BASE_URL": "https://1022.example.vn/"}
			code, out, errOut := hotline(t, env, "", "channel", "add", "zalo", "--name", "OA Thành phố",
				"app_id=1234", "oa_secret=oa-very-secret", "access_token=tok-very-secret", "refresh_token=ref-very-secret")
			if code != 0 {
				t.Fatalf("channel add: %d %q %q", code, out, errOut)
			}
			var added struct {
				ID         int64  `json:"id"`
				Kind       string `json:"kind"`
				WebhookURL string `json:"webhook_url"`
			}
			if err := json.Unmarshal([]byte(out), &added); err != nil || added.ID == 0 || added.Kind != "zalo" {
				t.Fatalf("channel add printed %q (%v)", out, err)
			}
			var keys map[string]any // exactly {"id","kind","webhook_url"} (DESIGN §8)
			if err := json.Unmarshal([]byte(out), &keys); err != nil || len(keys) != 3 {
				t.Fatalf("channel add printed %q, want exactly id, kind and webhook_url", out)
			}
			if want := "https://1022.example.vn/hooks/zalo/" + strconv.FormatInt(added.ID, 10); added.WebhookURL != want {
				t.Fatalf("webhook_url %q, want %q", added.WebhookURL, want)
			}
			code, out, errOut = hotline(t, env, "", "channel", "add", "viber", "--name", "Bot 1022", "--base-url", "https://other.example.vn",
				"auth_token=viber-very-secret", "sender_name=Tổng đài 1022")
			if code != 0 || !strings.Contains(out, `"webhook_url":"https://other.example.vn/hooks/viber/`) {
				t.Fatalf("channel add viber with a flag: %d %q %q", code, out, errOut)
			}
			// A mailbox is read, not posted to: no webhook URL. username and
			// password are its SMTP login; the password is sealed.
			code, out, errOut = hotline(t, env, "", "channel", "add", "email", "--name", "Hộp thư 1022",
				"smtp_addr=mail.tinh.gov.vn:587", "smtp_tls=starttls", "username=1022@tinh.gov.vn", "password=mail-very-secret",
				"from=Đường dây nóng 1022 <1022@tinh.gov.vn>", "imap_addr=mail.tinh.gov.vn:993", "imap_tls=tls", "notify=true")
			if code != 0 || !strings.Contains(out, `"kind":"email"`) || !strings.Contains(out, `"webhook_url":""`) {
				t.Fatalf("channel add email: %d %q %q", code, out, errOut)
			}
			bad := []struct {
				name string
				args []string
				want string
			}{
				{"unknown key", []string{"channel", "add", "messenger", "--name", "P", "app_secret=a", "verify_token=v", "page_token=p", "colour=red"}, "(colour)"},
				{"missing secret", []string{"channel", "add", "messenger", "--name", "P", "app_secret=a", "verify_token=v"}, "(page_token)"},
				{"unknown kind", []string{"channel", "add", "telegram", "--name", "T", "token=x"}, "(kind)"},
				{"no name", []string{"channel", "add", "viber", "auth_token=x", "sender_name=y"}, "(name)"},
				{"same name twice", []string{"channel", "add", "viber", "--name", "Bot 1022", "auth_token=x", "sender_name=y"}, "(name)"},
				{"sender name too long", []string{"channel", "add", "viber", "--name", "B2", "auth_token=x", "sender_name=" + strings.Repeat("x", 29)}, "(sender_name)"},
				{"not key=value", []string{"channel", "add", "viber", "--name", "B3", "auth_token"}, "key=value"},
				{"email without a server", []string{"channel", "add", "email", "--name", "M1", "from=a@b.vn"}, "(smtp_addr)"},
				{"email TLS mode", []string{"channel", "add", "email", "--name", "M2", "smtp_addr=m:25", "smtp_tls=ssl", "from=a@b.vn"}, "(smtp_tls)"},
				{"email server not host:port", []string{"channel", "add", "email", "--name", "M3", "smtp_addr=mail.b.vn", "from=a@b.vn"}, "(smtp_addr)"},
				{"email sender", []string{"channel", "add", "email", "--name", "M4", "smtp_addr=m:25", "from=nobody"}, "(from)"},
				{"email login twice", []string{"channel", "add", "email", "--name", "M5", "smtp_addr=m:25", "from=a@b.vn", "username=x", "smtp_user=y"}, "(username)"},
				{"disable nothing", []string{"channel", "disable", "999"}, "not found"},
			}
			for _, tt := range bad {
				code, _, errOut := hotline(t, env, "", tt.args...)
				if code != 1 || !strings.Contains(errOut, tt.want) {
					t.Errorf("%s: exit %d, stderr %q; want 1 and %q", tt.name, code, errOut, tt.want)
				}
			}
			code, out, errOut = hotline(t, env, "", "channel", "list")
			if code != 0 || !strings.Contains(out, "OA Thành phố") || !strings.Contains(out, "Bot 1022") ||
				!strings.Contains(out, "access_token,oa_secret,refresh_token") || !strings.Contains(out, "https://1022.example.vn/hooks/zalo/") {
				t.Fatalf("channel list: %d %q %q", code, out, errOut)
			}
			if strings.Contains(out, "very-secret") || !strings.Contains(out, "Hộp thư 1022") {
				t.Fatalf("channel list shows a secret: %q", out)
			}
			if code, out, errOut := hotline(t, env, "", "channel", "disable", strconv.FormatInt(added.ID, 10)); code != 0 || !strings.Contains(out, "disabled") {
				t.Fatalf("channel disable: %d %q %q", code, out, errOut)
			}
			_, out, _ = hotline(t, env, "", "channel", "list")
			if line := lineWith(out, "OA Thành phố"); !strings.Contains(line, "false") {
				t.Fatalf("the disabled account is listed as %q", line)
			}
			// The secrets are sealed at rest: no table holds them in clear.
			d, err := db.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var settings string
			var sealed []byte
			if err := d.R().QueryRowContext(context.Background(), `SELECT settings, secrets_enc FROM channel_accounts WHERE id = $1`, added.ID).Scan(&settings, &sealed); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(settings+string(sealed), "very-secret") || !strings.Contains(settings, `"app_id":"1234"`) {
				t.Fatalf("stored settings %q, sealed %q", settings, sealed)
			}
			if code, out, _ := hotline(t, env, "", "audit", "verify"); code != 0 || !strings.Contains(out, "audit chain intact: 4 events") {
				t.Fatalf("audit verify: %d %q", code, out)
			}
		})
	}
}

func lineWith(out, s string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}
