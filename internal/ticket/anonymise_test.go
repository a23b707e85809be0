package ticket

import "testing"

func TestReplaceFold(t *testing.T) {
	tests := []struct {
		name, text, word, want string
	}{
		{"alone", "Khánh", "Khánh", Redacted},
		{"start and end", "Khánh báo, gọi Khánh", "Khánh", Redacted + " báo, gọi " + Redacted},
		{"any case", "TÔI LÀ NGUYỄN VĂN KHÁNH.", "Nguyễn Văn Khánh", "TÔI LÀ " + Redacted + "."},
		{"not inside a word", "Anh An và Lan", "An", "Anh " + Redacted + " và Lan"},
		{"not before a digit", "An2 An", "An", "An2 " + Redacted},
		{"next to each other", "An An", "An", Redacted + " " + Redacted},
		{"punctuation around", "(An),An;", "An", "(" + Redacted + ")," + Redacted + ";"},
		{"absent", "Đèn đường hỏng", "Khánh", "Đèn đường hỏng"},
		{"longer than the text", "An", "Anh", "An"},
		{"empty text", "", "An", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := replaceFold(tt.text, tt.word); got != tt.want {
				t.Errorf("replaceFold(%q, %q) = %q; want %q", tt.text, tt.word, got, tt.want)
			}
		})
	}
}
