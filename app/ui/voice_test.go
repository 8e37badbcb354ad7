package ui

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/ehraz/ehraz/app/flow"
)

// fakeVoice records what the screens asked it to say.
type fakeVoice struct {
	mu     sync.Mutex
	played []string
	stops  int
}

func (v *fakeVoice) Play(lang, key string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.played = append(v.played, lang+":"+key)
	return true
}

func (v *fakeVoice) Stop() { v.mu.Lock(); v.stops++; v.mu.Unlock() }

func (v *fakeVoice) Health(string) (bool, string) {
	return false, "no audio device (no sound card listed in /proc/asound/cards); 20 of 20 prompts in bin/voice"
}

func (v *fakeVoice) log() []string { v.mu.Lock(); defer v.mu.Unlock(); return slices.Clone(v.played) }

// Each screen's instruction is spoken once when it opens, in the screen's language; the mute key
// silences it for this person, and the next person hears it again. Operator mode shows the
// voice's health ("no audio device" under Xvfb).
func TestVoicePromptPerScreen(t *testing.T) {
	v := &fakeVoice{}
	h := newHarnessWith(t, "fa", func(o *Options) { o.Voice = v })
	said := func(want ...string) {
		t.Helper()
		h.waitFor(func() bool { return len(v.log()) >= len(want) }, "prompts "+want[len(want)-1])
		time.Sleep(20 * time.Millisecond) // nothing more should come
		if got := v.log(); !slices.Equal(got, want) {
			t.Fatalf("spoken %v, want %v", got, want)
		}
	}
	said("fa:ui.voice.welcome")
	h.tap(h.u.T("ui.welcome.start"))
	said("fa:ui.voice.welcome", "fa:ui.mobile.intro")
	// A refused number redraws the same screen with a message: not said again.
	h.typeDigits("0912")
	h.tap(h.u.T("ui.next"))
	h.expect(flow.StepMobile)
	said("fa:ui.voice.welcome", "fa:ui.mobile.intro")
	// The language switch says the same instruction in English.
	h.tap("English")
	said("fa:ui.voice.welcome", "fa:ui.mobile.intro", "en:ui.mobile.intro")
	// Mute: stopped now and silent on the next screens.
	test.Tap(h.u.muteKey)
	h.u.Wait()
	if v.stops != 1 || h.u.muteKey.Icon != theme.VolumeMuteIcon() {
		t.Fatalf("mute: %d stops", v.stops)
	}
	h.at(flow.StepIdentity)
	h.at(flow.StepSelfie)
	said("fa:ui.voice.welcome", "fa:ui.mobile.intro", "en:ui.mobile.intro")
	// The next person starts with the voice on, in the configured language.
	h.at(flow.StepSubmitted)
	h.tap(h.u.T("ui.new_session"))
	said("fa:ui.voice.welcome", "fa:ui.mobile.intro", "en:ui.mobile.intro", "fa:ui.voice.welcome")
	h.login(h.u.raw("operator.shared_name"), "1357")
	if !h.hasText(h.u.T("operator.voice.down")) || !h.hasText("no audio device") {
		t.Error("operator health does not report the missing audio device")
	}
}

// The video's numbers are spoken as they light up, in the challenge's order, each once.
func TestVoiceSaysTheChallengeNumbers(t *testing.T) {
	v := &fakeVoice{}
	// Half a second per number: every number's window gets frames even on a loaded machine.
	h := newHarnessWith(t, "fa", func(o *Options) { o.Voice, o.Timing.VideoLength = v, 1500*time.Millisecond })
	fyne.DoAndWait(func() {
		h.flow.mu.Lock()
		h.flow.set(flow.StepVideo)
		h.flow.snap.Challenge = []int{3, 1, 4}
		h.flow.mu.Unlock()
		h.u.render(h.flow.Snapshot())
	})
	h.waitFor(func() bool { h.cam.mu.Lock(); defer h.cam.mu.Unlock(); return h.cam.seq > 3 }, "camera frames")
	h.tapWhenEnabled(h.u.T("ui.capture.record"))
	h.expect(flow.StepReview)
	numbers := func() []string {
		var nums []string
		for _, p := range v.log() {
			if strings.Contains(p, "ui.voice.number.") {
				nums = append(nums, strings.TrimPrefix(p, "fa:ui.voice.number."))
			}
		}
		return nums
	}
	h.waitFor(func() bool { return len(numbers()) >= 3 }, "three numbers spoken")
	nums := numbers()
	if !slices.Equal(nums, []string{"3", "1", "4"}) {
		t.Fatalf("numbers spoken %v, want 3 1 4 (all prompts %v)", nums, v.log())
	}
}
