package blob

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// zipWith builds a zip holding files with the given names.
func zipWith(t *testing.T, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, n := range names {
		w, err := z.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte("<x/>"))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var (
	pngBytes  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	jpegBytes = append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, 64)...)
	gifBytes  = append([]byte("GIF89a"), make([]byte, 32)...)
	webpBytes = append([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "), make([]byte, 32)...)
	pdfBytes  = []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
)

func TestPutSniffsType(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want string
		err  error
	}{
		{"png", pngBytes, PNG, nil},
		{"jpeg", jpegBytes, JPEG, nil},
		{"gif", gifBytes, GIF, nil},
		{"webp", webpBytes, WebP, nil},
		{"pdf", pdfBytes, PDF, nil},
		{"plain text in Vietnamese", []byte("Biên bản kiểm tra hiện trường ngày 12/3.\n"), Text, nil},
		{"docx", zipWith(t, "[Content_Types].xml", "word/document.xml"), DOCX, nil},
		{"xlsx", zipWith(t, "[Content_Types].xml", "xl/workbook.xml"), XLSX, nil},
		{"html", []byte("<!DOCTYPE html><html><body>hi</body></html>"), "", ErrTypeNotAllowed},
		{"html after text", []byte("hello\n<script>alert(1)</script>"), "", ErrTypeNotAllowed},
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>`), "", ErrTypeNotAllowed},
		{"exe", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 100)...), "", ErrTypeNotAllowed},
		{"plain zip", zipWith(t, "a.txt"), "", ErrTypeNotAllowed},
		{"broken utf-8", []byte("abc \xff\xfe def"), "", ErrTypeNotAllowed},
		{"empty", nil, "", ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(t.TempDir())
			info, err := s.Put(bytes.NewReader(tt.body))
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if tt.err != nil {
				if n := countFiles(t, s.Dir); n != 0 {
					t.Fatalf("%d files stored for a rejected upload", n)
				}
				return
			}
			if info.MIME != tt.want {
				t.Fatalf("MIME = %q, want %q", info.MIME, tt.want)
			}
			sum := sha256.Sum256(tt.body)
			if info.SHA256 != hex.EncodeToString(sum[:]) || info.Size != int64(len(tt.body)) {
				t.Fatalf("info = %+v", info)
			}
			f, err := s.Open(info.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got, _ := io.ReadAll(f)
			if !bytes.Equal(got, tt.body) {
				t.Fatal("stored content differs")
			}
		})
	}
}

// countFiles counts regular files under dir, temporary ones included.
func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func TestPutLimitsAndDeduplicates(t *testing.T) {
	s := New(t.TempDir())
	big := bytes.Repeat([]byte("a"), MaxSize+1)
	if _, err := s.Put(bytes.NewReader(big)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("11 MB: %v", err)
	}
	exact := bytes.Repeat([]byte("b"), MaxSize)
	if _, err := s.Put(bytes.NewReader(exact)); err != nil {
		t.Fatalf("exactly 10 MB: %v", err)
	}
	a, err := s.Put(bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Put(bytes.NewReader(pngBytes))
	if err != nil || a != b {
		t.Fatalf("second put: %+v %v", b, err)
	}
	if n := countFiles(t, s.Dir); n != 2 {
		t.Fatalf("%d files stored, want 2 (one per content)", n)
	}
	if !s.Has(a.SHA256) || s.Has(strings.Repeat("0", 64)) {
		t.Fatal("Has")
	}
	for _, bad := range []string{"../../etc/passwd", strings.Repeat("A", 64), "", strings.Repeat("0", 63)} {
		if _, err := s.Open(bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("Open(%q) = %v", bad, err)
		}
	}
	if _, err := New("").Put(bytes.NewReader(pngBytes)); !errors.Is(err, ErrNoStore) {
		t.Fatalf("no dir: %v", err)
	}
}

func TestSafeName(t *testing.T) {
	tests := []struct{ name, in, mime, want string }{
		{"kept", "ảnh hiện trường.jpg", JPEG, "ảnh hiện trường.jpg"},
		{"wrong extension gets the right one", "virus.exe", Text, "virus.exe.txt"},
		{"path stripped", `C:\Users\an\Desktop\bien-ban.pdf`, PDF, "bien-ban.pdf"},
		{"unix path stripped", "../../etc/passwd", Text, "passwd.txt"},
		{"quotes and controls dropped", "a\"b\r\nc.png", PNG, "abc.png"},
		{"hidden file", ".htaccess", Text, "htaccess.txt"},
		{"empty", "", PDF, "tep.pdf"},
		{"case-insensitive extension", "SCAN.PDF", PDF, "SCAN.PDF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SafeName(tt.in, tt.mime); got != tt.want {
				t.Fatalf("SafeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSweepRemovesOnlyOldUnusedFiles(t *testing.T) {
	s := New(t.TempDir())
	used, err := s.Put(bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatal(err)
	}
	orphan, err := s.Put(bytes.NewReader([]byte("một tệp văn bản không ai dùng")))
	if err != nil {
		t.Fatal(err)
	}
	leftover := filepath.Join(s.Dir, "tmp", "up-123")
	if err := os.WriteFile(leftover, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Hour)
	for _, p := range []string{s.path(used.SHA256), s.path(orphan.SHA256), leftover} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	isUsed := func(sha string) (bool, error) { return sha == used.SHA256, nil }
	// A fresh upload of the orphan's content makes it young again: its row
	// may be on its way.
	if _, err := s.Put(bytes.NewReader([]byte("một tệp văn bản không ai dùng"))); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Sweep(time.Now().Add(-time.Hour), isUsed); err != nil || n != 1 || !s.Has(orphan.SHA256) {
		t.Fatalf("Sweep after re-upload = %d, %v (orphan kept: %v); want only the tmp leftover removed", n, err, s.Has(orphan.SHA256))
	}
	if err := os.Chtimes(s.path(orphan.SHA256), old, old); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Sweep(time.Now().Add(-time.Hour), isUsed); err != nil || n != 1 || s.Has(orphan.SHA256) || !s.Has(used.SHA256) {
		t.Fatalf("Sweep = %d, %v; want the orphan gone and the used file kept", n, err)
	}
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Fatal("the upload leftover is still there")
	}
}
