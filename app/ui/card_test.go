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
	fyne.DoAndWait(func() {
		h.flow.mu.Lock()
		h.flow.set(flow.StepCardSerial)
		h.flow.mu.Unlock()
		h.u.render(h.flow.Snapshot())
	})
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
