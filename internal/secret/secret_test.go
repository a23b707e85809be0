package secret

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func mustBox(t *testing.T, key string) *Box {
	t.Helper()
	k, err := ParseKey(key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpen(t *testing.T) {
	b := mustBox(t, NewKey())
	ct := b.Seal("contact.name", "Nguyễn Văn An")
	if bytes.Contains(ct, []byte("Nguy")) {
		t.Fatal("ciphertext contains the plain text")
	}
	got, err := b.Open("contact.name", ct)
	if err != nil || got != "Nguyễn Văn An" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if ct2 := b.Seal("contact.name", "Nguyễn Văn An"); bytes.Equal(ct, ct2) {
		t.Error("two seals of the same value are equal: the nonce is not random")
	}
	tests := []struct {
		name    string
		purpose string
		ct      []byte
	}{
		{"other purpose", "contact.phone", ct},
		{"tampered", "contact.name", append(append([]byte{}, ct[:len(ct)-1]...), ct[len(ct)-1]^1)},
		{"truncated", "contact.name", ct[:5]},
		{"unknown version", "contact.name", append([]byte{9}, ct[1:]...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := b.Open(tt.purpose, tt.ct); err != ErrCorrupt {
				t.Fatalf("Open = %v, want ErrCorrupt", err)
			}
		})
	}
	other := mustBox(t, NewKey())
	if _, err := other.Open("contact.name", ct); err != ErrCorrupt {
		t.Fatalf("another key opened the value: %v", err)
	}
	if b.Seal("x", "") != nil {
		t.Error("empty value sealed to non-nil")
	}
	if s, err := b.Open("x", nil); s != "" || err != nil {
		t.Errorf("Open(nil) = %q, %v", s, err)
	}
}

func TestHash(t *testing.T) {
	key := NewKey()
	b1, b2 := mustBox(t, key), mustBox(t, key)
	if !bytes.Equal(b1.Hash("phone", "+84912345678"), b2.Hash("phone", "+84912345678")) {
		t.Error("same key, same value: hashes differ")
	}
	if bytes.Equal(b1.Hash("phone", "x"), b1.Hash("email", "x")) {
		t.Error("kinds do not separate hashes")
	}
	if bytes.Equal(b1.Hash("phone", "x"), mustBox(t, NewKey()).Hash("phone", "x")) {
		t.Error("hash does not depend on the key")
	}
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"std", NewKey(), true},
		{"raw url", strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(NewKey()), "="), true},
		{"with newline", NewKey() + "\n", true},
		{"short", "c2hvcnQ=", false},
		{"not base64", "!!!", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKey(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseKey: err %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestLoadOrCreateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	k1, err := LoadOrCreateFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	k2, err := LoadOrCreateFile(path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second load differs or fails: %v", err)
	}
}

// Instances starting together on one data directory share one key, and none
// reads a key file that another is still writing.
func TestLoadOrCreateFileConcurrently(t *testing.T) {
	for round := 0; round < 20; round++ {
		dir := t.TempDir()
		path := filepath.Join(dir, "secret.key")
		const n = 8
		keys, errs := make([][]byte, n), make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				keys[i], errs[i] = LoadOrCreateFile(path)
			}()
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || !bytes.Equal(keys[i], keys[0]) {
				t.Fatalf("round %d, process %d: err %v, same key %v", round, i, errs[i], bytes.Equal(keys[i], keys[0]))
			}
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Fatalf("round %d: %d files left in the data directory, want only the key", round, len(entries))
		}
	}
}
