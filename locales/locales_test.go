package locales

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

func TestEveryKeyInEveryLanguage(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range Languages {
		for _, b := range Languages {
			for _, k := range c.Keys(a) {
				if !c.Has(b, k) {
					t.Errorf("key %q is in %s.json but missing from %s.json", k, a, b)
				}
			}
		}
	}
}

func TestPlaceholders(t *testing.T) {
	c := &Catalog{texts: map[string]map[string]string{"fa": {"k": "مرحله {n} از {total}"}, "en": {}}}
	if got := c.T("en", "k", "n", "۳", "total", "۱۰"); got != "مرحله ۳ از ۱۰" {
		t.Errorf("fallback/placeholder: got %q", got)
	}
	if got := c.T("fa", "missing"); got != "missing" {
		t.Errorf("missing key: got %q", got)
	}
}

func TestRawMergesAreaFiles(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages {
		b, err := Raw(lang)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 2 || len(c.Keys(lang)) == 0 {
			t.Fatalf("%s: empty catalog", lang)
		}
	}
}

func TestSourceKeysAndMissing(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.go":      `package x; var _ = []string{"ui.step.mobile.title", "ui.no_such_key_anywhere"}`,
		"a_test.go": `package x; var _ = "ui.only_in_a_test"`,
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := SourceKeys(dir, regexp.MustCompile(`"(ui\.[a-z_.]*[a-z])"`))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || !keys["ui.step.mobile.title"] || keys["ui.only_in_a_test"] {
		t.Fatalf("keys %v: want the two in a.go only", keys)
	}
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	got := cat.Missing(keys)
	want := []string{"ui.no_such_key_anywhere (en)", "ui.no_such_key_anywhere (fa)"}
	if !slices.Equal(got, want) {
		t.Errorf("Missing = %v, want %v", got, want)
	}
}

// TestPersianWording keeps the kiosk's Persian to the choices made once (issue 15): one word for
// the video, one ezafe spelling, «متصدی» for the person who reviews at the kiosk's side. The
// review console's role names (console.*) are the back office's own words.
func TestPersianWording(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		avoid, use string
	}{
		{"ویدیو", "ویدئو"},
		{"فیلم", "ویدئو"},
		{"ه‌ی ", "هٔ "},
		{"کارشناس", "متصدی"},
		{"جور نیست", "مطابقت ندارد"},
	} {
		for _, k := range c.Keys("fa") {
			if len(k) > 8 && k[:8] == "console." {
				continue
			}
			if text := c.T("fa", k); regexp.MustCompile(regexp.QuoteMeta(tc.avoid)).MatchString(text) {
				t.Errorf("%s: %q uses «%s»; the catalog writes «%s»", k, text, tc.avoid, tc.use)
			}
		}
	}
}
