package csvdata

import (
	"slices"
	"testing"
	"testing/fstest"
)

func TestColumns(t *testing.T) {
	fsys := fstest.MapFS{
		"a.csv":     {Data: []byte("code,name,extra\n01,\"Hà Nội, thủ đô\",x\n79,Hồ Chí Minh,y\n")},
		"empty.csv": {Data: []byte("")},
	}
	rows, err := Columns(fsys, "a.csv", "name", "code")
	if err != nil || len(rows) != 2 || !slices.Equal(rows[0], []string{"Hà Nội, thủ đô", "01"}) {
		t.Fatalf("Columns = %q, %v", rows, err)
	}
	for _, tc := range []struct{ file, col string }{{"a.csv", "missing"}, {"empty.csv", "code"}, {"none.csv", "code"}} {
		if _, err := Columns(fsys, tc.file, tc.col); err == nil {
			t.Errorf("Columns(%s, %s) did not fail", tc.file, tc.col)
		}
	}
}
