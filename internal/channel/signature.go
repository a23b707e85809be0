package channel

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// CheckSignature compares got, the hex digest a webhook header carries
// (its prefix already removed), with want, in constant time. Its errors
// wrap ErrSignature and name the header, never the digest.
func CheckSignature(header, got string, want []byte) error {
	if got == "" {
		return fmt.Errorf("%w: no %s header", ErrSignature, header)
	}
	b, err := hex.DecodeString(got)
	if err != nil {
		return fmt.Errorf("%w: %s is not hex", ErrSignature, header)
	}
	if !hmac.Equal(b, want) {
		return fmt.Errorf("%w: %s does not match", ErrSignature, header)
	}
	return nil
}

// HMACSHA256 is HMAC-SHA256 of body keyed with key, the MAC Messenger and
// Viber sign webhooks with.
func HMACSHA256(key string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(body)
	return m.Sum(nil)
}
