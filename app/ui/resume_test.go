package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/ui/rtl"
)

// tapRow taps the operator list's row for a session code.
func (h *harness) tapRow(id string) {
	h.t.Helper()
	want := shortID(id) // hexadecimal: shown as typed, in every language
	var row *widget.Button
	walk(h.u.win.Canvas().Content(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && strings.Contains(b.Text, want) {
			row = b
		}
	})
	if row == nil {
		h.t.Fatalf("no row for session %s", id)
	}
	test.Tap(row)
	h.u.Wait()
}

// The headless walk-through of a locked session: the applicant's screen says to call an
// operator; the operator logs in, opens the session (name, masked national code, labelled
// photos, the face distance and its band), taps «resume», must give a reason on the on-screen
// keyboard, and the kiosk is back at the step where it locked, in applicant mode.
func TestResumeAfterLock(t *testing.T) {
	for _, lang := range []string{"fa", "en"} {
		t.Run(lang, func(t *testing.T) {
			now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.Local)
			h := operatorHarness(t, lang, t.TempDir(), &now)
			ss := h.u.opt.Sessions.(*fakeSessions)
			T := h.u.T
			h.at(flow.StepLocked)
			if !h.hasText(T("ui.locked.title")) {
				t.Fatal("the locked screen is not shown")
			}
			h.login("Maryam", "2468")
			h.tapRow(lockedID)
			first := func(key string, args ...string) string { return h.u.wrapped(h.u.raw(key, args...), 50)[0] }
			for _, want := range []string{
				first("operator.session.person", "name", "شهرزاد کیانپور", "code", rtl.Isolate("049******9")),
				T("operator.photo.selfie"), T("operator.photo.registry.photo"),
				first("operator.match.line", "step", h.u.raw("ui.step.selfie.title"), "distance", h.u.decimal(0.512, 3), "fmr", h.u.decimal(20, 1),
					"band", h.u.raw("operator.match.band.needs-review")),
				T("operator.unlock.button"),
			} {
				if !h.hasText(want) {
					t.Errorf("session detail lacks %q", want)
				}
			}
			if !h.hasText(h.u.wrapped(h.u.raw("operator.unlock.intro", "step", h.u.raw("ui.step.signature.title")), 50)[0]) {
				t.Error("the detail does not say where the session resumes")
			}
			h.tap(T("operator.unlock.button"))
			h.tap(T("operator.unlock.save"))
			if len(ss.unlocks) != 0 || !h.hasText(T("operator.unlock.reason_required")) {
				t.Fatalf("resumed without a reason: %v", ss.unlocks)
			}
			letters := "کارت"
			if lang == "en" {
				letters = "card"
			}
			for _, r := range letters {
				h.tap(string(r))
			}
			h.tap(T("operator.unlock.save"))
			if len(ss.unlocks) != 1 || ss.unlocks[0] != lockedID+"/Maryam/"+letters {
				t.Fatalf("unlock recorded as %v", ss.unlocks)
			}
			h.expect(flow.StepSignature)
			h.u.mu.Lock()
			inOperator := h.u.oper != nil
			h.u.mu.Unlock()
			if inOperator || !h.hasText(T("ui.step.signature.title")) {
				t.Fatal("after the unlock the kiosk is not back at the signature step for the applicant")
			}
		})
	}
}

// The search finds sessions of any day by the SEJAM tracking code typed on the pad.
func TestSearchByTrackingCode(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.Local)
	h := operatorHarness(t, "fa", t.TempDir(), &now)
	ss := h.u.opt.Sessions.(*fakeSessions)
	h.login("Maryam", "2468")
	h.tap(h.u.T("operator.search.button"))
	h.typeDigits("77319")
	h.tap(h.u.T("operator.search.show"))
	if len(ss.tracking) != 0 || !h.hasText(h.u.T("operator.search.tracking_format")) {
		t.Fatalf("a short tracking code was searched: %v", ss.tracking)
	}
	h.typeDigits("55024")
	h.tap(h.u.T("operator.search.show"))
	if len(ss.tracking) == 0 || ss.tracking[0] != "7731955024" {
		t.Fatalf("searched %v", ss.tracking)
	}
	if !h.hasText(shortID(lockedID)) || h.hasText("99aa0011") {
		t.Fatal("the tracking search does not list the found session only")
	}
	if !h.hasText(h.u.layer.Digits(jalaliDay(time.Date(2026, 11, 20, 10, 5, 0, 0, time.Local)))) {
		t.Error("a found session of another day is listed without its date")
	}
}

type fakeOutbox struct {
	retried int
	pending int
}

func (f *fakeOutbox) Status(context.Context) (OutboxStatus, error) {
	st := OutboxStatus{Pending: f.pending}
	if f.pending > 0 {
		st.Oldest = time.Date(2026, 12, 2, 8, 50, 0, 0, time.Local)
		st.Rows = []OutboxRow{{SessionID: "abcdef123456", Kind: "dossier", State: "pending", Attempts: 3, LastError: "dial tcp: connection refused"}}
	}
	return st, nil
}

func (f *fakeOutbox) RetryNow(context.Context) (int, error) {
	f.retried++
	n := f.pending
	f.pending = 0
	return n, nil
}

// Operator mode shows the outbox queue and sends it on «retry now».
func TestOutboxPanel(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.Local)
	ob := &fakeOutbox{pending: 1}
	h := operatorHarness(t, "fa", t.TempDir(), &now)
	h.u.opt.Outbox = ob
	h.login("Maryam", "2468")
	T := h.u.T
	for _, want := range []string{T("operator.outbox.counts", "pending", "1", "refused", "0"), "connection refused",
		T("operator.outbox.oldest", "minutes", "10")} {
		if !h.hasText(want) {
			t.Errorf("outbox panel lacks %q", want)
		}
	}
	h.tap(T("operator.outbox.retry"))
	if ob.retried != 1 || !h.hasText(T("operator.outbox.retried", "n", "1")) {
		t.Fatalf("retry now: %d calls", ob.retried)
	}
	if !h.button(T("operator.outbox.retry")).Disabled() {
		t.Error("retry stays enabled with nothing pending")
	}
}
