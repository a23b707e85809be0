// Package csvdata reads the reference data files hotline embeds (areas,
// categories): RFC 4180 CSV with a header row.
package csvdata

import (
	"encoding/csv"
	"fmt"
	"io/fs"
	"slices"
)

// Columns reads the CSV file name from fsys and returns the named columns
// of every data row, in the order asked. Columns are found by header name,
// so a column added to the file does not shift the others.
func Columns(fsys fs.FS, name string, cols ...string) ([][]string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("embedded %s: %w", name, err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("embedded %s: %w", name, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("embedded %s is empty", name)
	}
	idx := make([]int, len(cols))
	for i, c := range cols {
		if idx[i] = slices.Index(recs[0], c); idx[i] < 0 {
			return nil, fmt.Errorf("embedded %s: no column %q", name, c)
		}
	}
	out := make([][]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		row := make([]string, len(cols))
		for i, j := range idx {
			row[i] = rec[j]
		}
		out = append(out, row)
	}
	return out, nil
}
