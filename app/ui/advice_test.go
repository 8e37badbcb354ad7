package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/locales"
	"github.com/ehraz/ehraz/plugins/sdk"
)

func TestAdviceFor(t *testing.T) {
	for _, c := range []struct {
		name    string
		reasons []string
		want    []string
	}{
		{"jargon becomes advice", []string{"verdict.liveness.spoof.net"}, []string{"ui.advice.be_yourself"}},
		{"several spoof signs, one line", []string{"verdict.liveness.spoof.moire", "verdict.liveness.spoof.net", "verdict.liveness.spoof.glare"}, []string{"ui.advice.be_yourself"}},
		{"measurement names dropped", []string{"verdict.liveness.hand.frames", "verdict.liveness.sequence.wrong_order"}, []string{"verdict.liveness.sequence.wrong_order"}},
		{"plain reasons kept in order", []string{"verdict.face.size.too_small", "verdict.face.eyes.closed"}, []string{"verdict.face.size.too_small", "verdict.face.eyes.closed"}},
		{"unmeasured goes to the operator", []string{"verdict.liveness.spoof.unmeasured"}, []string{"ui.advice.operator_checks"}},
	} {
		if got := adviceFor(c.reasons); !slices.Equal(got, c.want) {
			t.Errorf("%s: adviceFor(%v) = %v, want %v", c.name, c.reasons, got, c.want)
		}
	}
}

// Every advice key has text, and every key the table maps from is a real reason key.
func TestAdviceKeysExist(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for from, to := range applicantAdvice {
		for _, lang := range locales.Languages {
			if !cat.Has(lang, from) {
				t.Errorf("%s: mapped reason %q does not exist", lang, from)
			}
			if to != "" && !cat.Has(lang, to) {
				t.Errorf("%s: advice %q has no text", lang, to)
			}
		}
	}
}

// A failed video with a jargon reason shows the plain advice on the retake screen, never the
// jargon, and the retake button says what it does.
func TestRetakeShowsAdvice(t *testing.T) {
	for _, lang := range []string{"fa", "en"} {
		h := newHarness(t, lang)
		fyne.DoAndWait(func() {
			h.flow.mu.Lock()
			h.flow.set(flow.StepVideo)
			h.flow.mu.Unlock()
			h.u.render(h.flow.Snapshot()) // a new step clears the last verdict
			h.u.mu.Lock()
			h.u.verdict = &sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{"verdict.liveness.spoof.net"}}
			h.u.mu.Unlock()
			h.u.render(h.flow.Snapshot())
		})
		first := func(key string) string { return h.u.wrapped(h.u.raw(key), sideChars)[0] }
		if h.hasText(first("verdict.liveness.spoof.net")) {
			t.Errorf("%s: the jargon reason reached the applicant", lang)
		}
		if !h.hasText(first("ui.advice.be_yourself")) {
			t.Errorf("%s: the plain advice is not shown", lang)
		}
		h.button(h.u.T("ui.capture.rerecord"))
	}
}

// The refusal for age and the rules name the configured minimum age, not a fixed 18.
func TestMinimumAgeFromConfig(t *testing.T) {
	h := newHarnessWith(t, "fa", func(o *Options) { o.MinAge = 21 })
	fyne.DoAndWait(func() {
		snap := h.flow.Snapshot()
		snap.Step, snap.Outcome = flow.StepRejected, "eligibility.under_18"
		h.u.render(snap)
	})
	if !h.hasText("۲۱") || h.hasText("۱۸") || h.hasText("{min}") {
		t.Error("the refusal does not name the configured minimum age ۲۱")
	}
	fyne.DoAndWait(func() { h.u.setHelp(true) })
	if !h.hasText(h.u.T("help.rules.age", "min", "21")) {
		t.Error("the rules do not name the configured minimum age")
	}
	if strings.Contains(h.u.raw("help.rules.age"), "18") {
		t.Error("help.rules.age hard-codes an age")
	}
}
