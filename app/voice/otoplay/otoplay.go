// Package otoplay plays the kiosk's voice prompts through the sound card with oto (ALSA on
// Linux). Without a sound card — under Xvfb, in CI, a kiosk whose speaker is unplugged at boot —
// it fails soft: nothing is played, the screens go on, and Health says "no audio device" for the
// operator and the log.
package otoplay

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ebitengine/oto/v3"

	"github.com/ehraz/ehraz/app/voice"
)

// sampleRate is the output rate: espeak-ng's own, so its prompts play unconverted; recorded
// prompts at other rates are resampled.
const sampleRate = 22050

// Speaker plays prompts from a library, one at a time (a new one stops the one playing).
type Speaker struct {
	lib *voice.Library

	mu     sync.Mutex
	ctx    *oto.Context
	player *oto.Player
	err    error // why there is no sound ("no audio device …"); nil when there is
}

// Open opens the sound card for lib's prompts. It never fails: without a device the Speaker is
// silent and Health reports why. cards is the ALSA card list to consult
// ["/proc/asound/cards"]; with no card listed ALSA is not even asked (it would print its own
// errors to the kiosk's log).
func Open(lib *voice.Library, cards string) *Speaker {
	if cards == "" {
		cards = "/proc/asound/cards"
	}
	s := &Speaker{lib: lib}
	if !haveCard(cards) {
		s.err = errors.New("no audio device (no sound card listed in " + cards + ")")
		return s
	}
	c, ready, err := oto.NewContext(&oto.NewContextOptions{SampleRate: sampleRate, ChannelCount: 1, Format: oto.FormatSignedInt16LE})
	if err != nil {
		s.err = fmt.Errorf("no audio device: %w", err)
		return s
	}
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		s.err = errors.New("no audio device: the sound card did not open within 5 s")
		return s
	}
	if err := c.Err(); err != nil {
		s.err = fmt.Errorf("no audio device: %w", err)
		return s
	}
	s.ctx = c
	return s
}

func haveCard(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	t := strings.TrimSpace(string(b))
	return t != "" && !strings.Contains(t, "no soundcards")
}

// Play starts the prompt for key in lang, stopping the one playing; false when nothing is
// played (no such prompt, or no device).
func (s *Speaker) Play(lang, key string) bool {
	w, ok := s.lib.Prompt(lang, key)
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil {
		return false
	}
	s.stopLocked()
	p := s.ctx.NewPlayer(bytes.NewReader(w.Resample(sampleRate).PCM16()))
	p.Play()
	s.player = p
	return true
}

// Stop silences the prompt playing, if any (the mute key, a new screen).
func (s *Speaker) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked()
}

func (s *Speaker) stopLocked() {
	if s.player != nil {
		s.player.Pause()
		_ = s.player.Close()
		s.player = nil
	}
}

// Health says whether prompts can be heard and how many the library holds for lang.
func (s *Speaker) Health(lang string) (ok bool, detail string) {
	have, want := s.lib.Count(lang)
	if s.err != nil {
		return false, fmt.Sprintf("%v; %d of %d prompts in %s", s.err, have, want, s.lib.Dir())
	}
	return have > 0, fmt.Sprintf("sound card open, %d Hz; %d of %d prompts in %s", sampleRate, have, want, s.lib.Dir())
}
