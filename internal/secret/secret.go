// Package secret protects personal data at rest: AES-256-GCM encryption and
// keyed hashes for lookup, both derived from one master key
// (HOTLINE_SECRET).
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the master key length in bytes.
const KeySize = 32

// version prefixes every ciphertext so the format or key can change later
// without guessing what an old value is.
const version byte = 1

// Box encrypts and hashes personal data. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
	mac  []byte
}

// New derives the encryption and hashing keys from a 32-byte master key.
// Separate derived keys mean a leaked hash key reveals nothing about the
// ciphertexts, and vice versa.
func New(master []byte) (*Box, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("secret: the master key must be %d bytes, got %d", KeySize, len(master))
	}
	encKey, err := hkdf.Key(sha256.New, master, nil, "hotline personal data encryption v1", 32)
	if err != nil {
		return nil, err
	}
	macKey, err := hkdf.Key(sha256.New, master, nil, "hotline personal data lookup v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, mac: macKey}, nil
}

// ParseKey decodes a base64 master key (standard or URL alphabet, padded or
// not) as given in HOTLINE_SECRET.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, fmt.Errorf("the secret key must decode to %d bytes, got %d", KeySize, len(k))
			}
			return k, nil
		}
	}
	return nil, errors.New("the secret key is not valid base64")
}

// NewKey returns a fresh random master key, base64-encoded.
func NewKey() string {
	k := make([]byte, KeySize)
	_, _ = rand.Read(k)
	return base64.StdEncoding.EncodeToString(k)
}

// LoadOrCreateFile reads a base64 master key from path, creating the file
// with a new key (mode 0600) when it does not exist. Demo mode uses it so a
// first run needs no set-up and later commands find the same key.
//
// Processes starting together on one data directory all end up with the
// same key: the new key is written to a temporary file first and linked
// into place, which fails when another process got there first, so no one
// ever reads a file that is still being written.
func LoadOrCreateFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := createKeyFile(path); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	k, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// createKeyFile puts a complete new key file at path, or fails with
// os.ErrExist when one is there already.
func createKeyFile(path string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".secret-*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteString(NewKey() + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Link(tmp, path)
}

// Seal encrypts plain, binding it to purpose (for example "contact.phone")
// so a ciphertext moved to another column fails to open. The empty string
// seals to nil: absent values stay NULL.
func (b *Box) Seal(purpose, plain string) []byte {
	if plain == "" {
		return nil
	}
	nonce := make([]byte, b.aead.NonceSize(), 1+b.aead.NonceSize()+len(plain)+b.aead.Overhead())
	_, _ = rand.Read(nonce)
	out := append([]byte{version}, nonce...)
	return b.aead.Seal(out, nonce, []byte(plain), []byte(purpose))
}

// ErrCorrupt reports a ciphertext that does not open: wrong key, wrong
// purpose, or tampering.
var ErrCorrupt = errors.New("secret: ciphertext does not open (wrong key or tampered)")

// Open decrypts what Seal produced for the same purpose. nil opens to "".
func (b *Box) Open(purpose string, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	ns := b.aead.NonceSize()
	if len(sealed) < 1+ns+b.aead.Overhead() || sealed[0] != version {
		return "", ErrCorrupt
	}
	plain, err := b.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], []byte(purpose))
	if err != nil {
		return "", ErrCorrupt
	}
	return string(plain), nil
}

// Hash returns a keyed hash of value for lookups (find a contact by phone
// number) without storing the value. kind separates namespaces so the same
// string as a phone and as an email hash differently.
func (b *Box) Hash(kind, value string) []byte {
	m := hmac.New(sha256.New, b.mac)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)
}
