package kyc

import (
	"regexp"
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
	keys, err := locales.SourceKeys(".", regexp.MustCompile(`"(kyc\.[a-z_.]*[a-z])"`))
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range operatorByPrefix {
		keys[op.Key()] = true
	}
	if len(keys) < 15 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for _, m := range cat.Missing(keys) {
		t.Errorf("no text for %s", m)
	}
}
