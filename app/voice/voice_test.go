package voice

import (
	"context"
	"encoding/binary"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/locales"
)

// Every screen of the flow has its prompt, every prompt has its text in both languages, and the
// numbers of the video challenge are spoken too.
func TestPromptPerStep(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for step, want := range map[string]string{
		"welcome": "ui.voice.welcome", "mobile": "ui.mobile.intro", "mobile_otp": "ui.otp.mobile.intro",
		"identity": "ui.identity.intro", "sejam_otp": "ui.otp.sejam.intro", "card_serial": "ui.card.intro",
		"selfie": "ui.selfie.intro", "signature": "ui.signature.intro", "video": "ui.video.intro",
		"review": "ui.review.intro", "commitments": "ui.commitments.intro", "submitted": "ui.submitted.body",
		"expired": "ui.expired.body", "locked": "ui.locked.body", "rejected": "ui.rejected.body", "nonsense": "",
	} {
		if got := PromptKey(step); got != want {
			t.Errorf("PromptKey(%s) = %q, want %q", step, got, want)
		}
	}
	if NumberKey(3) != "ui.voice.number.3" {
		t.Errorf("NumberKey(3) = %s", NumberKey(3))
	}
	keys := Keys()
	if len(keys) != 15+MaxNumber {
		t.Errorf("%d keys", len(keys))
	}
	for _, k := range keys {
		for _, lang := range []string{"fa", "en"} {
			if !cat.Has(lang, k) {
				t.Errorf("no %s text for prompt %s", lang, k)
			}
		}
	}
}

func wavBytes(rate, channels, bits int, frames [][]int) []byte {
	var data []byte
	for _, f := range frames {
		for _, s := range f {
			if bits == 16 {
				data = binary.LittleEndian.AppendUint16(data, uint16(int16(s)))
			} else {
				data = append(data, byte(s))
			}
		}
	}
	b := []byte("RIFF\x00\x00\x00\x00WAVEfmt ")
	b = binary.LittleEndian.AppendUint32(b, 16)
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*channels*bits/8))
	b = binary.LittleEndian.AppendUint16(b, uint16(channels*bits/8))
	b = binary.LittleEndian.AppendUint16(b, uint16(bits))
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	return append(b, data...)
}

func TestParseWAV(t *testing.T) {
	cases := []struct {
		name    string
		b       []byte
		rate    int
		samples []int16
		bad     bool
	}{
		{"mono 16-bit", wavBytes(22050, 1, 16, [][]int{{100}, {-200}}), 22050, []int16{100, -200}, false},
		{"stereo averaged", wavBytes(48000, 2, 16, [][]int{{100, 300}, {-100, -300}}), 48000, []int16{200, -200}, false},
		{"8-bit", wavBytes(8000, 1, 8, [][]int{{128}, {255}}), 8000, []int16{0, 127 << 8}, false},
		{"not a wav", []byte("ID3 an mp3 file"), 0, nil, true},
		{"24-bit", wavBytes(22050, 1, 24, nil), 0, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := ParseWAV(c.b)
			if c.bad {
				if err == nil {
					t.Fatal("accepted")
				}
				return
			}
			if err != nil || w.Rate != c.rate || len(w.Samples) != len(c.samples) {
				t.Fatalf("%+v %v", w, err)
			}
			for i := range c.samples {
				if w.Samples[i] != c.samples[i] {
					t.Errorf("sample %d = %d, want %d", i, w.Samples[i], c.samples[i])
				}
			}
		})
	}
	w := WAV{Rate: 44100, Samples: make([]int16, 44100)}
	if r := w.Resample(22050); r.Rate != 22050 || len(r.Samples) != 22050 {
		t.Errorf("resampled to %d Hz, %d samples", r.Rate, len(r.Samples))
	}
}

// The set-up rendering: espeak-ng's Persian voice speaks every prompt from the locale text into
// a WAV the library then serves; a missing prompt is silence, not an error.
func TestRenderWithEspeak(t *testing.T) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Skip("espeak-ng is not installed (make deps installs it): rendering NOT VERIFIED here")
	}
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rep, err := Render(context.Background(), Engine{}, cat.T, []string{"fa"}, dir, "min", "18")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Written) != len(Keys()) || len(rep.Skipped) != 0 {
		t.Fatalf("written %d of %d, skipped %v", len(rep.Written), len(Keys()), rep.Skipped)
	}
	lib := NewLibrary(dir)
	intro, ok := lib.Prompt("fa", PromptKey("selfie"))
	if !ok || intro.Rate != 22050 || intro.Duration() < 2 || intro.Peak() < 1000 {
		t.Fatalf("selfie prompt: ok %v, %d Hz, %.2f s, peak %d", ok, intro.Rate, intro.Duration(), intro.Peak())
	}
	three, ok := lib.Prompt("fa", NumberKey(3))
	if !ok || three.Duration() < 0.1 || three.Duration() > 2 {
		t.Fatalf("number prompt: ok %v, %.2f s", ok, three.Duration())
	}
	// The long instruction takes longer to say than the single number: the text was spoken, not
	// a fixed sound.
	if intro.Duration() < 3*three.Duration() {
		t.Errorf("selfie prompt %.2f s vs number %.2f s", intro.Duration(), three.Duration())
	}
	if have, want := lib.Count("fa"); have != want {
		t.Errorf("library holds %d of %d", have, want)
	}
	if _, ok := lib.Prompt("en", PromptKey("selfie")); ok {
		t.Error("an English prompt that was not rendered was found")
	}
	if _, ok := lib.Prompt("fa", "../../etc/passwd"); ok {
		t.Error("a key with a path was read")
	}
	if !strings.HasPrefix(lib.Path("fa", "ui.mobile.intro"), filepath.Join(dir, "fa")) {
		t.Error("prompt path outside the folder")
	}
}
