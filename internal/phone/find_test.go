package phone

import (
	"slices"
	"testing"
)

func TestFind(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"Số của tôi là 0912 345 678, gọi giúp", []string{"+84912345678"}},
		{"zalo ０９８７.６５４.３２１ hoặc +84 28 3829 6052", []string{"+84987654321", "+842838296052"}},
		{"gọi 1022 hay 113, số nhà 12, mã 0912345678 và lại 0912-345-678", []string{"+84912345678"}},
		{"không có số nào, chỉ 2026 và 12345", nil},
	} {
		if got := Find(c.text); !slices.Equal(got, c.want) {
			t.Errorf("Find(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}
