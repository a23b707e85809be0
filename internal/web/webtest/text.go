package webtest

import (
	"html"
	"regexp"
	"strings"
)

var (
	invisible = regexp.MustCompile(`(?is)<(script|style|head)\b.*?</(script|style|head)>`)
	tag       = regexp.MustCompile(`<[^>]*>`)
)

// VisibleText is a page as a reader sees it: no head, scripts, styles or
// tags, entities decoded, spaces collapsed. Attributes (placeholders,
// titles) are not in it.
func VisibleText(page string) string {
	text := tag.ReplaceAllString(invisible.ReplaceAllString(page, " "), " ")
	return strings.Join(strings.Fields(html.UnescapeString(text)), " ")
}
