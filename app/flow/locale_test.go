package flow

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/locales"
)

// TestEveryKeyHasText finds every locale key this package can hand to a screen (string literals
// in its non-test sources, plus the lockout outcomes built from step names) and checks both
// languages define it.
func TestEveryKeyHasText(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	lit := regexp.MustCompile(`"((?:flow|service|verdict)\.[a-z_.]*[a-z])"`)
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
	for _, s := range []Step{StepSelfie, StepSignature, StepVideo} {
		keys["flow.outcome.locked_"+string(s)] = true
	}
	if len(keys) < 10 {
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
