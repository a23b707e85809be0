package category

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hotline-1022/hotline/internal/errs"
	"github.com/hotline-1022/hotline/internal/vntext"
)

// Kind is what a citizen asks for, an axis separate from the category: a
// pothole can be reported, asked about or praised. The values are stable
// codes used in the API and reports.
type Kind string

// The request kinds.
const (
	KindReport     Kind = "report"     // phản ánh: a problem to fix
	KindProposal   Kind = "proposal"   // kiến nghị / đề xuất
	KindQuestion   Kind = "question"   // hỏi đáp: a question about a policy or procedure
	KindSuggestion Kind = "suggestion" // góp ý
	KindCompliment Kind = "compliment" // khen
	KindComplaint  Kind = "complaint"  // khiếu nại / tố cáo: has its own legal procedure
	KindEmergency  Kind = "emergency"  // khẩn cấp: hand off to 113/114/115 at once
)

// kindSlugs maps the Vietnamese slugs of request_kinds.csv to the codes.
var kindSlugs = map[string]Kind{
	"phan_anh":         KindReport,
	"kien_nghi":        KindProposal,
	"hoi_dap":          KindQuestion,
	"gop_y":            KindSuggestion,
	"khen":             KindCompliment,
	"khieu_nai_to_cao": KindComplaint,
	"khan_cap":         KindEmergency,
}

// KindInfo describes a kind for pick-lists.
type KindInfo struct {
	Code   Kind
	Slug   string // the Vietnamese slug, e.g. "phan_anh"
	NameVI string
	NameEN string
}

// Name returns the English name for lang "en", the Vietnamese one otherwise.
func (k KindInfo) Name(lang string) string {
	if lang == "en" {
		return k.NameEN
	}
	return k.NameVI
}

// kinds parses request_kinds.csv once. The file is embedded, so a failure is
// a build defect, which the tests catch; panicking keeps Kinds simple.
var kinds = sync.OnceValue(func() []KindInfo {
	recs, err := readCSV("request_kinds.csv", "code", "name_vi", "name_en")
	if err != nil {
		panic(err)
	}
	list := make([]KindInfo, 0, len(recs))
	for _, r := range recs {
		code, ok := kindSlugs[r[0]]
		if !ok {
			panic(fmt.Sprintf("category: request_kinds.csv: unknown kind %q", r[0]))
		}
		list = append(list, KindInfo{Code: code, Slug: r[0], NameVI: r[1], NameEN: r[2]})
	}
	return list
})

// Kinds returns every request kind in display order.
func Kinds() []KindInfo {
	return slices.Clone(kinds())
}

// ParseKind accepts a kind's code ("report") or its Vietnamese slug
// ("phan_anh"), in any case and with spaces or hyphens for underscores, so
// "Phản ánh" works too. Anything else is invalid ("kind.unknown").
func ParseKind(s string) (Kind, error) {
	key := strings.NewReplacer(" ", "_", "-", "_").Replace(vntext.Fold(s))
	if k, ok := kindSlugs[key]; ok {
		return k, nil
	}
	for _, k := range kindSlugs {
		if string(k) == key {
			return k, nil
		}
	}
	return "", errs.Invalidf("kind.unknown", "kind", vntext.Line(s)).InField("kind")
}
