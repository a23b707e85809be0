package notification_test

import (
	"strings"
	"testing"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/notification"
)

func TestCheckTemplateRefusesWhatCannotBeSent(t *testing.T) {
	for _, tc := range []struct {
		name          string
		subject, body string
		field, key    string
	}{
		{"good", "[1022] {code}", "{what}. Hạn: {deadline}. {agency}", "", ""},
		{"empty subject", " ", "x", "subject", "field.required"},
		{"empty body", "x", "", "body", "field.required"},
		{"two-line subject", "a\nb", "x", "subject", "notification.template_subject_line"},
		{"unknown placeholder", "{code}", "Người phản ánh: {name}", "body", "notification.template_placeholder"},
		{"never closed", "{code", "x", "subject", "notification.template_unclosed"},
		{"never opened", "x", "code}", "body", "notification.template_unopened"},
		{"nested", "x", "{co{de}}", "body", "notification.template_unclosed"},
		{"too long", strings.Repeat("a", notification.MaxSubject+1), "x", "subject", "field.too_long"},
	} {
		err := notification.CheckTemplate(notification.Template{Kind: notification.Overdue, Subject: tc.subject, Body: tc.body})
		e := errs.As(err)
		switch {
		case tc.key == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.name, err)
		case tc.key != "" && (err == nil || e.Key != tc.key || e.Field != tc.field):
			t.Errorf("%s: %v (key %q field %q), want %s on %s", tc.name, err, e.Key, e.Field, tc.key, tc.field)
		}
	}
}
