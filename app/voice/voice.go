// Package voice is the kiosk's spoken guidance: each step's instruction as a WAV prompt per
// locale key, pre-rendered at set-up from the locale text with espeak-ng (Render) or recorded by
// the brokerage (a folder of WAVs by locale key, same layout), and the choice of prompt per
// step. Playing them is otoplay's; the screens only ask for a key.
package voice

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
)

// stepPrompts are the locale keys spoken when each screen opens (by flow.Step's stored value):
// the instruction the screen shows at its top.
var stepPrompts = map[string]string{
	"welcome":     "ui.voice.welcome",
	"mobile":      "ui.mobile.intro",
	"mobile_otp":  "ui.otp.mobile.intro",
	"identity":    "ui.identity.intro",
	"sejam_otp":   "ui.otp.sejam.intro",
	"card_serial": "ui.card.intro",
	"selfie":      "ui.selfie.intro",
	"signature":   "ui.signature.intro",
	"video":       "ui.video.intro",
	"review":      "ui.review.intro",
	"commitments": "ui.commitments.intro",
	"submitted":   "ui.submitted.body",
	"expired":     "ui.expired.body",
	"locked":      "ui.locked.body",
	"rejected":    "ui.rejected.body",
}

// MaxNumber is the largest finger number a challenge shows (one hand).
const MaxNumber = 5

// PromptKey is the locale key spoken when the screen of step opens ("" for none).
func PromptKey(step string) string { return stepPrompts[step] }

// NumberKey is the locale key spoken when the video's number n lights up.
func NumberKey(n int) string { return "ui.voice.number." + strconv.Itoa(n) }

// Keys lists every key a voice folder should hold: the steps' prompts, then the numbers.
func Keys() []string {
	order := []string{"welcome", "mobile", "mobile_otp", "identity", "sejam_otp", "card_serial", "selfie", "signature",
		"video", "review", "commitments", "submitted", "expired", "locked", "rejected"}
	out := make([]string, 0, len(order)+MaxNumber)
	for _, s := range order {
		out = append(out, stepPrompts[s])
	}
	for n := 1; n <= MaxNumber; n++ {
		out = append(out, NumberKey(n))
	}
	return out
}

var keyPattern = regexp.MustCompile(`^[a-z0-9_.-]+$`)

// Library is a folder of prompts: <dir>/<lang>/<locale key>.wav. A missing file is a silent
// prompt, never an error: the screen still says it in writing.
type Library struct {
	dir   string
	mu    sync.Mutex
	cache map[string]WAV
}

// NewLibrary reads prompts from dir ("" gives an empty library).
func NewLibrary(dir string) *Library { return &Library{dir: dir, cache: map[string]WAV{}} }

// Dir is the folder the prompts come from.
func (l *Library) Dir() string { return l.dir }

// Path is where the prompt for key in lang lives.
func (l *Library) Path(lang, key string) string { return filepath.Join(l.dir, lang, key+".wav") }

// Prompt returns the decoded prompt for key in lang (ok false when there is none or it does not
// decode).
func (l *Library) Prompt(lang, key string) (WAV, bool) {
	if l == nil || l.dir == "" || !keyPattern.MatchString(key) || !keyPattern.MatchString(lang) {
		return WAV{}, false
	}
	id := lang + "/" + key
	l.mu.Lock()
	defer l.mu.Unlock()
	if w, ok := l.cache[id]; ok {
		return w, len(w.Samples) > 0
	}
	b, err := os.ReadFile(l.Path(lang, key))
	var w WAV
	if err == nil {
		w, err = ParseWAV(b)
	}
	if err != nil {
		w = WAV{}
	}
	l.cache[id] = w
	return w, len(w.Samples) > 0
}

// Count reports how many of Keys() the library holds for lang.
func (l *Library) Count(lang string) (have, want int) {
	for _, k := range Keys() {
		if _, err := os.Stat(l.Path(lang, k)); err == nil {
			have++
		}
	}
	return have, len(Keys())
}

// String names the library for logs.
func (l *Library) String() string { return fmt.Sprintf("voice prompts in %s", l.dir) }
