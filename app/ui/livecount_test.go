package ui

import (
	"errors"
	"testing"

	"fyne.io/fyne/v2/theme"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// The live line under the numbers says how many fingers the plugin sees now beside the number
// due, in Persian digits; unknown is a dash, never 0, and nothing is claimed after an error.
func TestLiveFingerCount(t *testing.T) {
	h := newHarness(t, "fa")
	// the logical text, before the RTL layer orders it for drawing
	if got := h.u.raw("ui.video.fingers_seen", "n", "۳", "want", "۲"); got != "انگشت‌های دیده‌شده: ۳ از ۲" {
		t.Fatalf("text %q", got)
	}
	now := func(n string) string { return h.u.T("ui.video.fingers_seen_now", "n", n) }
	of := func(n, want string) string { return h.u.T("ui.video.fingers_seen", "n", n, "want", want) }
	ch, _ := h.u.challengeView([]int{2, 5, 3}, []sdk.Window{{StartMS: 500, EndMS: 2000}, {StartMS: 2400, EndMS: 4000}, {StartMS: 4300, EndMS: 6000}})
	steps := []struct {
		name  string
		do    func()
		want  string
		match bool
	}{
		{"before the recording", func() { ch.seen(sdk.KnownFingers(3), nil) }, now("۳"), false},
		{"number 2 due, 3 seen", func() { ch.light(0) }, of("۳", "۲"), false},
		{"number 2 due, 2 seen", func() { ch.seen(sdk.KnownFingers(2), nil) }, of("۲", "۲"), true},
		{"no hand", func() { ch.seen(sdk.FingerCount{}, nil) }, of("—", "۲"), false},
		{"a fist", func() { ch.seen(sdk.KnownFingers(0), nil) }, of("۰", "۲"), false},
		{"number 5 due", func() { ch.seen(sdk.KnownFingers(5), nil); ch.light(1) }, of("۵", "۵"), true},
		{"plugin error", func() { ch.seen(sdk.KnownFingers(5), errors.New("timeout")) }, "", false},
	}
	for _, s := range steps {
		s.do()
		if ch.live.Text != s.want {
			t.Fatalf("%s: live line %q, want %q", s.name, ch.live.Text, s.want)
		}
		if s.want != "" && (ch.live.Color == theme.Color(theme.ColorNameSuccess)) != s.match {
			t.Errorf("%s: match colour %v, want match %v", s.name, ch.live.Color, s.match)
		}
	}
	var none *challengeRow
	none.seen(sdk.KnownFingers(1), nil) // a screen without a challenge ignores the count
}
