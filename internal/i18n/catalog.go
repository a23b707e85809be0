package i18n

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/hotline-1022/hotline/internal/errs"
)

//go:embed messages/*.json
var messages embed.FS

// Catalog holds the messages of every language. It is read-only after Load
// and safe for concurrent use.
type Catalog struct {
	msgs map[Lang]map[string]string
	keys []string // sorted union of every language's keys
}

// Load reads the embedded catalogues: flat JSON objects of key to text,
// where {name} marks a placeholder. Each language's messages may be split
// over several files, messages/<lang>.json and messages/<part>.<lang>.json,
// so that each part of the product keeps its own strings; a key defined in
// two files of one language is an error.
func Load() (*Catalog, error) {
	msgs := make(map[Lang]map[string]string, len(Langs))
	for _, l := range Langs {
		msgs[l] = map[string]string{}
	}
	files, err := fs.Glob(messages, "messages/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		l, ok := fileLang(f)
		if !ok {
			return nil, fmt.Errorf("i18n: %s: the name must end in .<lang>.json for a known language", f)
		}
		b, err := messages.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", f, err)
		}
		for k, v := range m {
			if _, dup := msgs[l][k]; dup {
				return nil, fmt.Errorf("i18n: %s: key %q is defined in another file too", f, k)
			}
			msgs[l][k] = v
		}
	}
	return newCatalog(msgs), nil
}

// fileLang reads the language from a catalogue file name: "vi.json" and
// "web.vi.json" are Vietnamese.
func fileLang(name string) (Lang, bool) {
	base := strings.TrimSuffix(path.Base(name), ".json")
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		base = base[i+1:]
	}
	for _, l := range Langs {
		if string(l) == base {
			return l, true
		}
	}
	return "", false
}

// newCatalog indexes the messages of each language.
func newCatalog(msgs map[Lang]map[string]string) *Catalog {
	c := &Catalog{msgs: msgs}
	seen := make(map[string]bool)
	for _, m := range msgs {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				c.keys = append(c.keys, k)
			}
		}
	}
	slices.Sort(c.keys)
	return c
}

// MustLoad is Load for program start-up and tests. The catalogues are
// embedded, so a failure is a build defect that the package tests catch.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// T returns the message for key in lang with its placeholders filled from
// args, which are name/value pairs ("max", "200"). A key missing in lang
// falls back to Vietnamese, then to the key itself, so a gap shows up on
// screen instead of a blank. Placeholders without a value stay as written.
func (c *Catalog) T(lang Lang, key string, args ...string) string {
	return fill(c.text(lang, key), func(name string) (string, bool) {
		for i := 0; i+1 < len(args); i += 2 {
			if args[i] == name {
				return args[i+1], true
			}
		}
		return "", false
	})
}

// TMap is T with the placeholder values in a map, as in errs.Error.Args.
func (c *Catalog) TMap(lang Lang, key string, args map[string]string) string {
	return fill(c.text(lang, key), func(name string) (string, bool) {
		v, ok := args[name]
		return v, ok
	})
}

// Has reports whether key is in the catalogue.
func (c *Catalog) Has(key string) bool {
	_, ok := slices.BinarySearch(c.keys, key)
	return ok
}

// Keys returns every key, sorted.
func (c *Catalog) Keys() []string {
	return slices.Clone(c.keys)
}

// localisedArgs names the Error arguments whose values are codes with a
// display name in the catalogue under the same prefix ("state" →
// "state.closed"), so "ticket.transition_illegal" reads "Đã đóng", not
// "closed". A value without a display name is shown as it is.
var localisedArgs = []string{"action", "channel", "kind", "priority", "role", "state"}

// Error returns the message to show a user for err. An *errs.Error anywhere
// in the chain gives its Key with its Args; an error of code errs.Internal,
// or any other error, gives the generic "error.internal" text: internal
// detail never reaches a user. A key the catalogue lacks falls back to the
// generic message of the error's code ("error.invalid", …). nil gives "".
func (c *Catalog) Error(lang Lang, err error) string {
	if err == nil {
		return ""
	}
	var e *errs.Error
	if !errors.As(err, &e) || e.Code == errs.Internal {
		return c.T(lang, "error.internal")
	}
	key := e.Key
	if !c.Has(key) {
		key = "error." + string(e.Code)
		if !c.Has(key) {
			key = "error.internal"
		}
	}
	return fill(c.text(lang, key), func(name string) (string, bool) {
		v, ok := e.Args[name]
		if ok && slices.Contains(localisedArgs, name) {
			if k := name + "." + v; c.Has(k) {
				v = c.text(lang, k)
			}
		}
		return v, ok
	})
}

// text returns the raw message for key, falling back to VI, then to key.
func (c *Catalog) text(lang Lang, key string) string {
	if s, ok := c.msgs[lang][key]; ok {
		return s
	}
	if s, ok := c.msgs[VI][key]; ok {
		return s
	}
	return key
}

// fill replaces each {name} in s whose value lookup knows. Names are
// lower-case ASCII letters, digits and underscores, so other braces in a
// message are left alone.
func fill(s string, lookup func(name string) (string, bool)) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '}')
		if end < 0 {
			break
		}
		name := s[open+1 : open+end]
		v, ok := "", false
		if isName(name) {
			v, ok = lookup(name)
		}
		b.WriteString(s[:open])
		if ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[open : open+end+1])
		}
		s = s[open+end+1:]
	}
	b.WriteString(s)
	return b.String()
}

// isName reports whether s is a placeholder name.
func isName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}
