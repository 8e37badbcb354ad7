package locales

import "testing"

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
