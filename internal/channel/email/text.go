package email

import (
	"html"
	"regexp"
	"strings"
)

var (
	htmlDrop  = regexp.MustCompile(`(?is)<(script|style|head|title)\b.*?</(script|style|head|title)\s*>|<!--.*?-->`)
	htmlBreak = regexp.MustCompile(`(?i)<br\s*/?>|</(p|div|tr|li|h[1-6]|blockquote|table)\s*>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
	blankRuns = regexp.MustCompile(`\n{3,}`)
)

// HTMLText is the text of an HTML body for the timeline: scripts, styles
// and comments gone, breaks and block ends as new lines, every tag
// removed, entities decoded. The timeline shows text only, so nothing of
// the HTML can run there.
func HTMLText(s string) string {
	s = htmlDrop.ReplaceAllString(s, "")
	s = htmlBreak.ReplaceAllString(s, "\n")
	s = htmlTag.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = strings.ReplaceAll(s, "\u00a0", " ")
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.TrimSpace(blankRuns.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}

// quoteHeads are the lines mail clients put above the mail they quote:
// Gmail's "On … wrote:" in English and Vietnamese, Outlook's original
// message and From: blocks, Apple Mail's.
var quoteHeads = []*regexp.Regexp{
	regexp.MustCompile(`^On .{4,300}wrote:\s*$`),
	regexp.MustCompile(`^Vào .{4,300}đã viết:\s*$`),
	regexp.MustCompile(`^-{2,}\s*(Original Message|Thư gốc)\s*-{2,}\s*$`),
	regexp.MustCompile(`^_{10,}\s*$`),
}

// TrimQuoted cuts the quoted earlier mail off the end of a reply: from a
// client's quote heading, or a trailing run of "> " lines. A text that is
// nothing but quote is kept whole.
func TrimQuoted(text string) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	cut := len(lines)
	for i, l := range lines {
		l = strings.TrimSpace(l)
		for _, re := range quoteHeads {
			if re.MatchString(l) {
				cut = i
				break
			}
		}
		if cut < len(lines) {
			break
		}
	}
	for cut > 0 {
		l := strings.TrimSpace(lines[cut-1])
		if l != "" && !strings.HasPrefix(l, ">") {
			break
		}
		cut--
	}
	out := strings.TrimSpace(strings.Join(lines[:cut], "\n"))
	if out == "" {
		return strings.TrimSpace(text)
	}
	return out
}
