package ui

import (
	"testing"

	"fyne.io/fyne/v2"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/domain/kyc"
)

// A receipt code of the longest length the domain accepts can be typed in full on the keypad and
// reaches the flow whole; one more digit is not taken.
func TestReceiptSerialTakesTwentyDigits(t *testing.T) {
	h := newHarness(t, "fa")
	h.at(flow.StepCardSerial)
	receipt := "12345678901234567890"
	if len(receipt) != kyc.CardSerialMaxLen {
		t.Fatalf("test receipt has %d digits, the domain takes %d", len(receipt), kyc.CardSerialMaxLen)
	}
	h.typeDigits(receipt + "7")
	if got := h.u.currentField().String(); got != receipt {
		t.Fatalf("keypad field holds %q, want the %d digits %q", got, len(receipt), receipt)
	}
	h.tap(h.u.T("ui.next"))
	h.expect(flow.StepSelfie)
	if got := string(h.flow.Snapshot().CardSerial); got != receipt {
		t.Errorf("flow got serial %q, want %q", got, receipt)
	}
}

// On a 1080×1920 portrait kiosk the digit keypad sits right under the letters (it was centred in
// a column of the whole height, a hand's span below them), and both lie inside the window.
func TestCardSerialKeysTogetherInPortrait(t *testing.T) {
	for _, lang := range []string{"fa", "en"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarnessWith(t, lang, func(o *Options) { o.Camera, o.Analyzer = nil, nil })
			win := fyne.NewSize(1080, 1920)
			fyne.DoAndWait(func() { h.u.win.Resize(win) })
			h.at(flow.StepCardSerial)
			d := fyne.CurrentApp().Driver()
			z, one, zero := h.button("Z"), h.button(h.u.layer.Digits("1")), h.button(h.u.layer.Digits("0"))
			gap := d.AbsolutePositionForObject(one).Y - (d.AbsolutePositionForObject(z).Y + z.Size().Height)
			bottom := d.AbsolutePositionForObject(zero).Y + zero.Size().Height
			if gap < 0 || gap > h.u.px(touchHeight) {
				t.Errorf("the keypad starts %.0f px below the letters; want it right under them (at most %.0f)", gap, h.u.px(touchHeight))
			}
			if bottom > win.Height {
				t.Errorf("the keypad ends at y=%.0f, below the %.0f px window", bottom, win.Height)
			}
		})
	}
}

// A smart card serial has a Latin letter: the field shows it as printed on the card, digits as
// typed («1G23456789», never «۱G۲۳…»); a receipt number of digits alone is shown in Persian.
func TestCardSerialFieldShowsLatinCode(t *testing.T) {
	h := newHarness(t, "fa")
	h.at(flow.StepCardSerial)
	h.typeDigits("1G23")
	if !h.hasText("1G23") {
		t.Errorf("the serial is not shown as typed")
	}
	h.tap(h.u.T("ui.keypad.clear"))
	h.typeDigits("123")
	if !h.hasText("۱۲۳") {
		t.Errorf("a receipt number is not shown in Persian digits")
	}
}
