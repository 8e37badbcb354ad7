package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ehraz/ehraz/app/flow"
)

// overlayButton finds a button by text on the window's top overlay (the confirmation card).
func (h *harness) overlayButton(text string) *widget.Button {
	h.t.Helper()
	top := h.u.win.Canvas().Overlays().Top()
	if top == nil {
		h.t.Fatalf("no dialog is open (looking for %q)", text)
	}
	var found *widget.Button
	walk(top, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	if found == nil {
		h.t.Fatalf("no button %q on the dialog", text)
	}
	return found
}

func (h *harness) at(step flow.Step) {
	h.t.Helper()
	fyne.DoAndWait(func() {
		h.flow.mu.Lock()
		h.flow.set(step)
		h.flow.mu.Unlock()
		h.u.render(h.flow.Snapshot())
	})
}

// Cancel is on every step of a session; it asks first, «no» keeps everything, «yes» wipes the
// session through the flow and says so.
func TestCancelAsksThenWipes(t *testing.T) {
	for _, lang := range []string{"fa", "en"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t, lang)
			T := h.u.T
			for _, s := range flow.Steps {
				h.at(s)
				h.button(T("ui.cancel.button")) // fails the test when absent
			}
			h.at(flow.StepIdentity)
			h.tap(T("ui.cancel.button"))
			test.Tap(h.overlayButton(T("ui.cancel.no")))
			h.u.Wait()
			if h.u.win.Canvas().Overlays().Top() != nil || slices.Contains(h.flow.calls, "Abandon") {
				t.Fatal("«no» must close the question and keep the session")
			}
			h.expect(flow.StepIdentity)
			h.tap(T("ui.cancel.button"))
			test.Tap(h.overlayButton(T("ui.cancel.yes")))
			h.u.Wait()
			if !slices.Contains(h.flow.calls, "Abandon") {
				t.Fatal("«yes» did not abandon the session")
			}
			h.expect(flow.StepExpired)
			if !h.hasText(T("ui.cancelled.title")) || !h.hasTextPart("flow.outcome.abandoned") {
				t.Error("the screen after cancelling does not say the session was cancelled and wiped")
			}
			if h.hasTextPart("ui.expired.body") {
				t.Error("a cancelled session is reported as timed out")
			}
		})
	}
}

// The language key redraws the screen in the other language; the next person starts in the
// configured one.
func TestLanguageSwitch(t *testing.T) {
	h := newHarness(t, "fa")
	h.tap("English")
	if h.u.opt.Lang != "en" || !h.hasText("Start") && !h.hasText(h.u.T("ui.welcome.start")) {
		t.Fatalf("after «English»: language %q", h.u.opt.Lang)
	}
	h.button(h.u.opt.Catalog.T("en", "ui.welcome.start"))
	h.tap(h.u.T("ui.welcome.start"))
	h.expect(flow.StepMobile)
	h.button("Next")
	h.typeDigits("0912") // the keypad shows Latin digits now
	// Back to Persian mid-session: the typed state of the flow is kept, the words change.
	h.tap(h.u.layer.Text(h.u.opt.Catalog.T("fa", "ui.language.name")))
	h.expect(flow.StepMobile)
	h.button(h.u.opt.Catalog.T("fa", "ui.next"))
	h.tap("English")
	h.at(flow.StepSubmitted)
	h.tap(h.u.T("ui.new_session"))
	if h.u.opt.Lang != "fa" {
		t.Errorf("the next person starts in %q, want the configured fa", h.u.opt.Lang)
	}
}

// The contact screen shows the configured brokerage, in the screen's language, with Persian
// digits in Persian.
func TestContactScreen(t *testing.T) {
	h := newHarnessWith(t, "fa", func(o *Options) {
		o.Contacts = map[string]Contact{
			"fa": {Name: "کارگزاری آزمون", Address: "تهران، خیابان آزمون", Phone: "021-12345678", Hours: "شنبه تا چهارشنبه"},
			"en": {Name: "Test Brokerage", Hours: "Sat to Wed"},
		}
	})
	h.tap(h.u.T("ui.contact.button"))
	for _, want := range []string{h.u.layer.Text("کارگزاری آزمون"), h.u.layer.Text("021-12345678"), "۰۲۱"} {
		if !h.hasText(want) {
			t.Errorf("contact screen lacks %q", want)
		}
	}
	h.tap("English")
	if !h.hasText("Test Brokerage") || !h.hasText("Sat to Wed") || !h.hasText("021-12345678") {
		t.Error("the English contact screen lacks the English name, hours or the phone")
	}
	if !h.hasText(h.u.layer.Text("تهران، خیابان آزمون")) {
		t.Error("an address with no English form does not fall back to the Persian one")
	}
	h.tap(h.u.T("ui.help.close"))
	h.expect(flow.StepWelcome)
	h.button(h.u.T("ui.welcome.start"))
}
