// Package blob stores attachments on disk, content-addressed: a file's
// name is the SHA-256 of its bytes, so the same photo uploaded twice is
// stored once and a stored file cannot be changed without its name
// changing (DESIGN §6). Only the types the hotline accepts are stored, and
// the type is decided by the content, never by the name the uploader gave.
package blob

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxSize is the largest file accepted, in bytes.
const MaxSize = 10 << 20

// Errors a caller turns into a message for the user.
var (
	ErrTooLarge       = errors.New("blob: file too large")
	ErrTypeNotAllowed = errors.New("blob: file type not allowed")
	ErrEmpty          = errors.New("blob: empty file")
	ErrNotFound       = errors.New("blob: not found")
	ErrNoStore        = errors.New("blob: no storage directory configured")
)

// The media types accepted, as stored and served.
const (
	JPEG = "image/jpeg"
	PNG  = "image/png"
	WebP = "image/webp"
	GIF  = "image/gif"
	PDF  = "application/pdf"
	Text = "text/plain; charset=utf-8"
	DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// extensions are the file name endings that go with each type; the first
// is added to a name that has none of them, so a download never opens as
// something else than what it is.
var extensions = map[string][]string{
	JPEG: {".jpg", ".jpeg"},
	PNG:  {".png"},
	WebP: {".webp"},
	GIF:  {".gif"},
	PDF:  {".pdf"},
	Text: {".txt", ".csv", ".log"},
	DOCX: {".docx"},
	XLSX: {".xlsx"},
}

// Info describes a stored file.
type Info struct {
	SHA256 string // lower-case hex
	Size   int64
	MIME   string // one of the accepted types
}

// Store keeps files under Dir, in subdirectories named by the first two
// hex digits of their hash. An empty Dir stores nothing (ErrNoStore).
type Store struct {
	// Dir is set once, before the store is used.
	Dir string
}

// New returns a store under dir. Nothing is created until the first Put.
func New(dir string) *Store { return &Store{Dir: dir} }

// Put reads r to the end (at most MaxSize bytes), checks that the content
// is an accepted type, and stores it durably. Storing content that is
// already there is a no-op that returns the same Info.
func (s *Store) Put(r io.Reader) (Info, error) {
	if s == nil || s.Dir == "" {
		return Info{}, ErrNoStore
	}
	tmpDir := filepath.Join(s.Dir, "tmp")
	if err := os.MkdirAll(tmpDir, 0o750); err != nil {
		return Info{}, err
	}
	f, err := os.CreateTemp(tmpDir, "up-*")
	if err != nil {
		return Info{}, err
	}
	defer func() {
		f.Close()
		_ = os.Remove(f.Name()) // gone already when it was renamed into place
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r, MaxSize+1))
	if err != nil {
		return Info{}, err
	}
	mime, err := Detect(f, n)
	if err != nil {
		return Info{}, err
	}
	info := Info{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n, MIME: mime}
	final := s.path(info.SHA256)
	if _, err := os.Stat(final); err == nil {
		// Mark it fresh, so that Sweep does not take it before the row
		// that refers to it again is committed.
		now := time.Now()
		_ = os.Chtimes(final, now, now)
		return info, nil
	}
	if err := f.Sync(); err != nil {
		return Info{}, err
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return Info{}, err
	}
	if err := os.Rename(f.Name(), final); err != nil {
		return Info{}, err
	}
	return info, nil
}

// Open returns a stored file for reading.
func (s *Store) Open(sha string) (*os.File, error) {
	if s == nil || s.Dir == "" {
		return nil, ErrNoStore
	}
	if !validHash(sha) {
		return nil, ErrNotFound
	}
	f, err := os.Open(s.path(sha))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}

// Has reports whether a file is stored.
func (s *Store) Has(sha string) bool {
	if s == nil || s.Dir == "" || !validHash(sha) {
		return false
	}
	_, err := os.Stat(s.path(sha))
	return err == nil
}

func (s *Store) path(sha string) string { return filepath.Join(s.Dir, sha[:2], sha) }

// Sweep removes stored files that nothing refers to: files last written
// before olderThan for which used says no, and upload leftovers in tmp. A
// file is stored before the row that refers to it commits, so a refused
// answer can leave one behind; the age guard keeps files whose row is on
// its way. It returns how many files it removed.
func (s *Store) Sweep(olderThan time.Time, used func(sha string) (bool, error)) (int, error) {
	if s == nil || s.Dir == "" {
		return 0, nil
	}
	removed := 0
	err := filepath.WalkDir(s.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil || !info.ModTime().Before(olderThan) {
			return nil
		}
		name := d.Name()
		if filepath.Base(filepath.Dir(path)) != "tmp" {
			if !validHash(name) {
				return nil // not ours
			}
			keep, err := used(name)
			if err != nil {
				return err
			}
			if keep {
				return nil
			}
		}
		if err := os.Remove(path); err == nil {
			removed++
		}
		return nil
	})
	return removed, err
}

func validHash(sha string) bool {
	if len(sha) != 64 {
		return false
	}
	_, err := hex.DecodeString(sha)
	return err == nil && strings.ToLower(sha) == sha
}

// Detect decides the type of the size bytes readable from r by their
// content, and returns ErrTypeNotAllowed for anything not accepted. Put
// calls it; callers with several files call it on each first, so that one
// bad file stores none.
func Detect(r io.ReaderAt, size int64) (string, error) {
	switch {
	case size == 0:
		return "", ErrEmpty
	case size > MaxSize:
		return "", ErrTooLarge
	}
	head := make([]byte, 512)
	k, err := r.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return "", err
	}
	head = head[:k]
	switch ct := http.DetectContentType(head); ct {
	case JPEG, PNG, WebP, GIF, PDF:
		return ct, nil
	case "text/plain; charset=utf-8":
		if err := checkText(r, size); err != nil {
			return "", err
		}
		return Text, nil
	case "application/zip":
		return office(r, size)
	}
	return "", ErrTypeNotAllowed
}

// Allowed reports whether mime is one of the accepted types.
func Allowed(mime string) bool {
	_, ok := extensions[mime]
	return ok
}

// markup is what must not hide in a "plain text" file that a browser
// might one day be talked into rendering.
var markup = [][]byte{[]byte("<script"), []byte("<html"), []byte("<svg"), []byte("<iframe"), []byte("<body"), []byte("<!doctype")}

// checkText accepts valid UTF-8 without markup.
func checkText(f io.ReaderAt, n int64) error {
	b := make([]byte, n)
	if _, err := f.ReadAt(b, 0); err != nil && err != io.EOF {
		return err
	}
	if !utf8.Valid(b) {
		return ErrTypeNotAllowed
	}
	low := bytes.ToLower(b)
	for _, m := range markup {
		if bytes.Contains(low, m) {
			return ErrTypeNotAllowed
		}
	}
	return nil
}

// office accepts a zip only when it is a Word or Excel document (Office
// Open XML), not any archive.
func office(f io.ReaderAt, n int64) (string, error) {
	z, err := zip.NewReader(f, n)
	if err != nil {
		return "", ErrTypeNotAllowed
	}
	var types, word, excel bool
	for _, e := range z.File {
		switch e.Name {
		case "[Content_Types].xml":
			types = true
		case "word/document.xml":
			word = true
		case "xl/workbook.xml":
			excel = true
		}
	}
	switch {
	case types && word && !excel:
		return DOCX, nil
	case types && excel && !word:
		return XLSX, nil
	}
	return "", ErrTypeNotAllowed
}

// SafeName returns a file name fit for a Content-Disposition header and a
// download folder: the base name without path or control characters, at
// most 120 characters, ending in an extension that matches mime.
func SafeName(name, mime string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = filepath.Base("/" + name)
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '/' || r == ':' || r == '*' || r == '?' || r == '<' || r == '>' || r == '|' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	if name == "" {
		name = "tep"
	}
	if r := []rune(name); len(r) > 120 {
		name = string(r[:120])
	}
	exts := extensions[mime]
	if len(exts) == 0 {
		return name
	}
	lower := strings.ToLower(name)
	for _, e := range exts {
		if strings.HasSuffix(lower, e) {
			return name
		}
	}
	return name + exts[0]
}

// Accept is the list of accepted types for an <input type=file accept>.
func Accept() string {
	var parts []string
	for _, m := range []string{JPEG, PNG, WebP, GIF, PDF, Text, DOCX, XLSX} {
		parts = append(parts, extensions[m]...)
	}
	return strings.Join(parts, ",")
}

// String describes an Info for logs; it holds no content.
func (i Info) String() string { return fmt.Sprintf("%s (%s, %d bytes)", i.SHA256[:12], i.MIME, i.Size) }
