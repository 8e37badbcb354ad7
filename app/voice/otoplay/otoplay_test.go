package otoplay

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/app/voice"
)

// Without a sound card (Xvfb, CI) the speaker is silent, says "no audio device", and never
// blocks or fails the kiosk.
func TestNoSoundCardFailsSoft(t *testing.T) {
	dir := t.TempDir()
	cards := filepath.Join(dir, "cards")
	if err := os.WriteFile(cards, []byte("--- no soundcards ---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{cards, filepath.Join(dir, "missing")} {
		s := Open(voice.NewLibrary(dir), path)
		ok, detail := s.Health("fa")
		if ok || !strings.Contains(detail, "no audio device") {
			t.Errorf("%s: health %v %q", path, ok, detail)
		}
		if s.Play("fa", "ui.mobile.intro") {
			t.Error("played without a device")
		}
		s.Stop()
	}
}
