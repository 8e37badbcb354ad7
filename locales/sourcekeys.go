package locales

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// SourceKeys finds the locale keys a package's sources name: every first group of pattern in the
// non-test .go files of dir. Packages' tests use it with Missing to prove every key they can show
// has text in every language.
func SourceKeys(dir string, pattern *regexp.Regexp) (map[string]bool, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	keys := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("locales: scan %s: %w", f, err)
		}
		for _, m := range pattern.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = true
		}
	}
	return keys, nil
}

// Missing lists "key (lang)" for every key without text in a shipped language, sorted.
func (c *Catalog) Missing(keys map[string]bool) []string {
	var out []string
	for k := range keys {
		for _, lang := range Languages {
			if !c.Has(lang, k) {
				out = append(out, k+" ("+lang+")")
			}
		}
	}
	sort.Strings(out)
	return out
}
