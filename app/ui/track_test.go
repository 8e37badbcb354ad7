package ui

import (
	"context"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/domain/problem"
)

// fakeTracker records the calls and answers like kiosk.Tracker: the code "123456" is right.
type fakeTracker struct {
	mobile, code, nc string
	verified         bool
}

func (f *fakeTracker) Start(_ context.Context, mobile string) (string, flow.OTPState, error) {
	f.mobile = mobile
	return "track-1", flow.OTPState{DemoCode: "123456", ExpiresAt: time.Now().Add(2 * time.Minute)}, nil
}

func (f *fakeTracker) Verify(_ context.Context, id, code string) (flow.OTPState, error) {
	f.code = code
	if code != "123456" {
		return flow.OTPState{}, problem.New("otp.wrong_code", "left", "2")
	}
	f.verified = true
	return flow.OTPState{}, nil
}

func (f *fakeTracker) Lookup(_ context.Context, id, nc string) (TrackResult, error) {
	f.nc = nc
	return TrackResult{Found: true, StatusKey: "track.status.bourse_code_issued", NextKey: "track.next.bourse_code_issued",
		ReceivedAt: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC), BourseCode: "ابج12345"}, nil
}

// "Track my request" from the welcome screen, in Persian and English: mobile, SMS code (a
// wrong one is told and kept on the stage), national code, then the status with the bourse
// code in Persian digits; the back key returns to the welcome screen.
func TestTrackMyRequestScreens(t *testing.T) {
	for _, lang := range []string{"fa", "en"} {
		t.Run(lang, func(t *testing.T) {
			ft := &fakeTracker{}
			h := newHarnessWith(t, lang, func(o *Options) { o.Tracker = ft })
			T := h.u.T
			h.expect(flow.StepWelcome)
			h.tap(T("ui.welcome.track"))
			if !h.hasText(T("track.title")) {
				t.Fatal("no tracking screen")
			}
			h.typeDigits("09121234567")
			h.tap(T("track.next"))
			h.waitFor(func() bool { return ft.mobile != "" }, "the code to be sent")
			h.waitFor(func() bool { return h.hasTextPart("track.intro.code") }, "the code stage")
			h.typeDigits("111111")
			h.tap(T("track.next"))
			h.waitFor(func() bool { return ft.code == "111111" }, "the wrong code")
			wrong := h.u.wrapped(h.u.raw("otp.wrong_code", "left", "2"), 60)[0]
			h.waitFor(func() bool { return h.hasText(wrong) }, "the wrong-code message")
			h.tap(T("ui.keypad.clear"))
			h.typeDigits("123456")
			h.tap(T("track.next"))
			h.waitFor(func() bool { return ft.verified }, "the code's check")
			h.waitFor(func() bool { return h.hasTextPart("track.intro.national_code") }, "the national-code stage")
			h.typeDigits("0015260186")
			h.tap(T("track.next"))
			h.waitFor(func() bool { return ft.nc == "0015260186" }, "the look-up")
			answer := h.u.wrapped(h.u.raw("track.next.bourse_code_issued"), 60)[0]
			h.waitFor(func() bool { return h.hasText(answer) }, "the answer")
			code := "ابج12345"
			if lang == "fa" {
				code = "ابج۱۲۳۴۵"
			}
			if !h.hasText(h.u.T("track.bourse_code", "code", code)) {
				t.Errorf("the bourse code is not shown as %q", code)
			}
			h.tap(T("track.close"))
			h.expect(flow.StepWelcome)
			h.button(T("ui.welcome.start"))
		})
	}
}
