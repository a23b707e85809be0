package contact

import (
	"strings"
	"unicode/utf8"

	"github.com/hotline-1022/hotline/internal/phone"
)

// Masked returns c as people who may not see identities get it: "Nguyễn
// V** A*", "09******78", "a***@g***.com", and only the last part of the
// address (the ward), which tells an agency where without telling who.
func (c Contact) Masked() Contact {
	return Contact{
		ID:        c.ID,
		Name:      MaskName(c.Name),
		Phone:     maskIf(c.Phone, phone.Mask),
		Email:     MaskEmail(c.Email),
		Address:   MaskAddress(c.Address),
		CreatedAt: c.CreatedAt,
	}
}

func maskIf(s string, f func(string) string) string {
	if s == "" {
		return ""
	}
	return f(s)
}

// MaskName keeps the family name (the first word) and the first letter of
// every other word: "Nguyễn Văn An" → "Nguyễn V** A*". A one-word name
// keeps its first letter only.
func MaskName(name string) string {
	words := strings.Fields(name)
	if len(words) == 1 {
		return maskWord(words[0])
	}
	for i := 1; i < len(words); i++ {
		words[i] = maskWord(words[i])
	}
	return strings.Join(words, " ")
}

func maskWord(w string) string {
	r, size := utf8.DecodeRuneInString(w)
	if size == 0 {
		return ""
	}
	return string(r) + strings.Repeat("*", utf8.RuneCountInString(w)-1)
}

// MaskEmail keeps the first letter of the mailbox and of the domain, and the
// top-level domain: "an.nguyen@gmail.com" → "a********@g****.com".
func MaskEmail(email string) string {
	if email == "" {
		return ""
	}
	local, domain, ok := strings.Cut(email, "@")
	if !ok {
		return maskWord(email)
	}
	host, tld := domain, ""
	if i := strings.LastIndexByte(domain, '.'); i > 0 {
		host, tld = domain[:i], domain[i:]
	}
	return maskWord(local) + "@" + maskWord(host) + tld
}

// MaskAddress keeps only the last comma-separated part of an address.
func MaskAddress(addr string) string {
	if addr == "" {
		return ""
	}
	parts := strings.Split(addr, ",")
	if len(parts) == 1 {
		return "***"
	}
	return "***, " + strings.TrimSpace(parts[len(parts)-1])
}
