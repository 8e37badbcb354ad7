package kyc

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/locales"
)

// TestEveryKeyHasText checks that every rejection key in this package's sources, and every
// operator's name key, has Persian and English text.
func TestEveryKeyHasText(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	lit := regexp.MustCompile(`"(kyc\.[a-z_.]*[a-z])"`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = true
		}
	}
	for _, op := range operatorByPrefix {
		keys[op.Key()] = true
	}
	if len(keys) < 15 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for k := range keys {
		for _, lang := range locales.Languages {
			if !cat.Has(lang, k) {
				t.Errorf("key %s has no %s text", k, lang)
			}
		}
	}
}
