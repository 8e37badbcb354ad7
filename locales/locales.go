// Package locales holds every string a person sees, per language (fa is the default): the core
// file <lang>.json plus one file per area under <lang>/ (e.g. fa/face.json), so areas of the code
// own their strings without editing one shared file. All are embedded in the binaries; Catalog looks keys up without any GUI dependency, and the
// Fyne UI registers the same files with Fyne's lang package.
package locales

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.json fa en
var files embed.FS

// Default is the language used when none is chosen.
const Default = "fa"

// Languages lists the languages shipped, default first.
var Languages = []string{"fa", "en"}

// Catalog maps language → key → text.
type Catalog struct {
	texts map[string]map[string]string
}

// Raw returns one language's strings, all files merged, as a JSON object (for Fyne's lang
// package).
func Raw(lang string) ([]byte, error) {
	m, err := merged(lang)
	if err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// merged reads <lang>.json and every <lang>/*.json; a key defined twice is an error, so two
// areas can never silently overwrite each other's text.
func merged(lang string) (map[string]string, error) {
	names := []string{lang + ".json"}
	more, err := fs.Glob(files, lang+"/*.json")
	if err != nil {
		return nil, fmt.Errorf("locale %q: %w", lang, err)
	}
	names = append(names, more...)
	out := map[string]string{}
	from := map[string]string{}
	for _, name := range names {
		b, err := files.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("locale %q: %w", lang, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("parse locale %s: %w", name, err)
		}
		for k, v := range m {
			if prev, dup := from[k]; dup {
				return nil, fmt.Errorf("locale key %q is defined in both %s and %s", k, prev, name)
			}
			out[k], from[k] = v, name
		}
	}
	return out, nil
}

// Load parses every embedded language file.
func Load() (*Catalog, error) {
	c := &Catalog{texts: map[string]map[string]string{}}
	for _, lang := range Languages {
		m, err := merged(lang)
		if err != nil {
			return nil, err
		}
		c.texts[lang] = m
	}
	return c, nil
}

// Has reports whether key exists in lang.
func (c *Catalog) Has(lang, key string) bool {
	_, ok := c.texts[lang][key]
	return ok
}

// Keys lists the keys of one language, sorted.
func (c *Catalog) Keys(lang string) []string {
	keys := make([]string, 0, len(c.texts[lang]))
	for k := range c.texts[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// T returns the text for key in lang, with {name} placeholders replaced from args given as
// name, value pairs. A missing key falls back to the default language, then to the key itself,
// so a gap is visible rather than blank.
func (c *Catalog) T(lang, key string, args ...string) string {
	s, ok := c.texts[lang][key]
	if !ok {
		s, ok = c.texts[Default][key]
	}
	if !ok {
		s = key
	}
	for i := 0; i+1 < len(args); i += 2 {
		s = strings.ReplaceAll(s, "{"+args[i]+"}", args[i+1])
	}
	return s
}
