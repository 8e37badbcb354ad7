package kiosk_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/ehraz/ehraz/locales"
	"github.com/ehraz/ehraz/services/servicetest"
)

// TestEveryKeyHasText scans this area's sources for locale keys and fails when one is missing
// from a language file or its Persian text is not Persian.
func TestEveryKeyHasText(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	root, err := servicetest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	lit := regexp.MustCompile(`"((?:otp|sms|sejam|registry|eligibility|intake|service)\.[a-z0-9_.]+)"`)
	found := map[string]string{}
	for _, dir := range []string{"app/kiosk", "services", "domain/eligibility", "app/outbox", "backoffice/intake"} {
		filepath.WalkDir(filepath.Join(root, dir), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
				found[m[1]] = path
			}
			return nil
		})
	}
	if len(found) < 30 {
		t.Fatalf("found only %d keys: the scan is broken", len(found))
	}
	persian := func(s string) bool {
		return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Arabic, r) })
	}
	for k, path := range found {
		switch k {
		case "otp.key", "intake.db", "intake.token", "registry.photo": // file and media names, not keys
			continue
		}
		if !cat.Has("fa", k) || !cat.Has("en", k) {
			t.Errorf("%s (used in %s) is missing from a locale file", k, path)
			continue
		}
		if !persian(cat.T("fa", k)) {
			t.Errorf("%s: fa text is not Persian: %q", k, cat.T("fa", k))
		}
	}
}
