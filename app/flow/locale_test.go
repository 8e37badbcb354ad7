package flow

import (
	"regexp"
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
	keys, err := locales.SourceKeys(".", regexp.MustCompile(`"((?:flow|service|verdict)\.[a-z_.]*[a-z])"`))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []Step{StepSelfie, StepSignature, StepVideo} {
		keys["flow.outcome.locked_"+string(s)] = true
	}
	if len(keys) < 10 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for _, m := range cat.Missing(keys) {
		t.Errorf("no text for %s", m)
	}
}
