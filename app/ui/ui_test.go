package ui

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ehraz/ehraz/app/camera"
	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/pin"
	"github.com/ehraz/ehraz/capture"
	"github.com/ehraz/ehraz/locales"
)

type harness struct {
	t    *testing.T
	u    *UI
	flow *fakeFlow
	cam  *fakeCamera
	an   *fakeAnalyzer
}

func newHarness(t *testing.T, lang string) *harness {
	t.Helper()
	return newHarnessWith(t, lang, nil)
}

// newHarnessWith lets a test change the options before the UI is built.
func newHarnessWith(t *testing.T, lang string, change func(*Options)) *harness {
	t.Helper()
	app := test.NewTempApp(t)
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	fl := newFakeFlow(time.Now)
	cam := &fakeCamera{fps: 30}
	an := &fakeAnalyzer{}
	pinHash, err := pin.Hash("1357")
	if err != nil {
		t.Fatal(err)
	}
	// The tracker makes the welcome screen the kiosk's own (with its "track my request" key).
	opt := Options{Lang: lang, Catalog: cat, Flow: fl, Camera: cam, Analyzer: an, PINHash: pinHash, Tracker: &fakeTracker{},
		Timing: Timing{Countdown: time.Millisecond, VideoLength: 800 * time.Millisecond}}
	if change != nil {
		change(&opt)
	}
	u := New(app, opt)
	if err := u.UseTheme(filepath.Join("..", "..", "assets", "fonts")); err != nil {
		t.Logf("default theme: %v", err)
	}
	t.Cleanup(u.Close)
	u.win.Resize(fyne.NewSize(1024, 768))
	if err := u.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, u: u, flow: fl, cam: cam, an: an}
}

// buttons finds every button on screen whose text is want.
func (h *harness) button(want string) *widget.Button {
	h.t.Helper()
	var found *widget.Button
	walk(h.u.win.Canvas().Content(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == want && found == nil {
			found = b
		}
	})
	if found == nil {
		h.t.Fatalf("no button %q on the %s screen", want, h.flow.Snapshot().Step)
	}
	return found
}

func walk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	fn(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, ch := range c.Objects {
			walk(ch, fn)
		}
	case *container.Scroll:
		walk(c.Content, fn)
	}
}

// tapWhenEnabled waits for a button that enables itself (the shoot button once the camera
// delivers), as a person waits for the picture, then taps it.
func (h *harness) tapWhenEnabled(text string) {
	h.t.Helper()
	h.waitFor(func() bool {
		var on bool
		fyne.DoAndWait(func() { on = !h.button(text).Disabled() })
		return on
	}, "button "+text)
	h.tap(text)
}

func (h *harness) tap(text string) {
	h.t.Helper()
	b := h.button(text)
	if b.Disabled() {
		h.t.Fatalf("button %q is disabled", text)
	}
	test.Tap(b)
	h.u.Wait()
}

// typeDigits taps the keypad keys, which show Persian digits in Persian.
func (h *harness) typeDigits(s string) {
	h.t.Helper()
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			h.tap(string(r))
			continue
		}
		h.tap(h.u.layer.Digits(string(r)))
	}
}

func (h *harness) expect(step flow.Step) {
	h.t.Helper()
	if got := h.flow.Snapshot().Step; got != step {
		h.t.Fatalf("step %s, want %s (calls %v)", got, step, h.flow.calls)
	}
}

func (h *harness) waitFor(cond func() bool, what string) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWalkThrough completes a whole session through the screens, in Persian and in English.
func TestWalkThrough(t *testing.T) {
	for _, lang := range []string{"fa", "en"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t, lang)
			T := h.u.T
			h.flow.rejectFirstSelfie = true
			h.expect(flow.StepWelcome)
			h.tap(T("ui.welcome.start"))
			h.expect(flow.StepMobile)

			// A wrong number shows the flow's localized error and stays on the step.
			h.typeDigits("0812")
			h.tap(T("ui.next"))
			h.expect(flow.StepMobile)
			if !h.hasText(T("sms.invalid_receptor")) && !h.hasTextPart("sms.invalid_receptor") {
				t.Errorf("the flow's error is not shown")
			}
			h.typeDigits("09121234567")
			h.tap(T("ui.next"))
			h.expect(flow.StepMobileOTP)
			if got := h.flow.Snapshot().Mobile; got != "09121234567" {
				t.Fatalf("mobile sent to the flow = %q (keypad must send ASCII digits)", got)
			}
			h.typeDigits("123456")
			h.tap(T("ui.next"))
			h.expect(flow.StepIdentity)
			h.typeDigits("0076229645")
			h.selectField(1)
			h.typeDigits("1234567890")
			h.tap(T("ui.next"))
			h.expect(flow.StepSejamOTP)
			h.typeDigits("654321")
			h.tap(T("ui.next"))
			h.expect(flow.StepCardSerial)
			h.typeDigits("1G23456789")
			h.tap(T("ui.next"))
			h.expect(flow.StepSelfie)

			// Capture: wait for live frames and a hint, then shoot; the first selfie is rejected.
			h.waitFor(func() bool { h.cam.mu.Lock(); defer h.cam.mu.Unlock(); return h.cam.seq > 3 }, "camera frames")
			h.waitFor(func() bool { h.an.mu.Lock(); defer h.an.mu.Unlock(); return h.an.calls > 0 }, "live hints")
			h.tapWhenEnabled(T("ui.capture.take"))
			h.expect(flow.StepSelfie)
			h.tapWhenEnabled(T("ui.capture.retake"))
			h.expect(flow.StepSignature)
			h.waitFor(func() bool { h.cam.mu.Lock(); defer h.cam.mu.Unlock(); return h.cam.seq > 8 }, "camera frames")
			h.tapWhenEnabled(T("ui.capture.take"))
			h.expect(flow.StepVideo)
			if !h.hasText(h.u.layer.Digits("3")) || !h.hasText(T("ui.video.first")) {
				t.Error("the challenge numbers and the «first» marker are not shown")
			}
			h.waitFor(func() bool {
				return h.hasText(T("ui.video.fingers_seen_now", "n", h.u.layer.Digits("3")))
			}, "the live finger count")
			rec := &fakeRecorder{}
			h.u.opt.RecordVideo = func() (camera.Recorder, error) { return rec, nil }
			h.tapWhenEnabled(T("ui.capture.record"))
			h.expect(flow.StepReview)
			if rec.frames() != h.flow.videoFrames || !rec.isClosed() {
				t.Errorf("recorder got %d frames (closed %v), the flow %d", rec.frames(), rec.isClosed(), h.flow.videoFrames)
			}
			if h.flow.videoFrames < 3 {
				t.Errorf("video sent %d frames", h.flow.videoFrames)
			}
			checkScenes(t, h.cam.sceneLog(), h.u.opt.Timing.VideoLength)
			if !h.hasText(h.u.layer.Text("1370/05/12")) {
				t.Error("birth date not shown on the review screen")
			}
			h.tap(T("ui.review.confirm"))
			h.expect(flow.StepCommitments)
			accept := h.button(T("ui.commitments.accept"))
			if !accept.Disabled() {
				t.Fatal("accept must stay disabled until the text is scrolled to the end")
			}
			// Scroll the text with the wheel (or a swipe) as a person does: a little is not enough,
			// the end is.
			var text *container.Scroll
			walk(h.u.win.Canvas().Content(), func(o fyne.CanvasObject) {
				if s, ok := o.(*container.Scroll); ok {
					text = s
				}
			})
			if text == nil {
				t.Fatal("the commitments text does not scroll")
			}
			at := fyne.CurrentApp().Driver().AbsolutePositionForObject(text).Add(fyne.NewPos(20, 20))
			test.Scroll(h.u.win.Canvas(), at, 0, -40)
			if text.Offset.Y == 0 {
				t.Fatal("scrolling did not move the commitments text")
			}
			if !accept.Disabled() {
				t.Fatal("accept enabled before the end of the text")
			}
			for i := 0; i < 100 && accept.Disabled(); i++ {
				test.Scroll(h.u.win.Canvas(), at, 0, -120)
			}
			if accept.Disabled() {
				t.Fatal("accept still disabled at the end of the text")
			}
			h.tap(T("ui.commitments.accept"))
			h.expect(flow.StepSubmitted)
			if !h.hasText(h.u.wrapped(h.u.raw("ui.submitted.next"), 70)[0]) {
				t.Error("the submitted screen does not say what happens next")
			}
		})
	}
}

func (h *harness) selectField(i int) {
	h.t.Helper()
	n := 0
	var target *widget.Button
	walk(h.u.win.Canvas().Content(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "" && b.Importance == widget.LowImportance {
			if n == i {
				target = b
			}
			n++
		}
	})
	if target == nil {
		h.t.Fatalf("no field %d", i)
	}
	test.Tap(target)
}

func (h *harness) hasText(s string) bool {
	found := false
	walk(h.u.win.Canvas().Content(), func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			found = found || strings.Contains(w.Text, s)
		case *widget.Button:
			found = found || strings.Contains(w.Text, s)
		}
		if t, ok := o.(interface{ MinSize() fyne.Size }); ok {
			_ = t
		}
	})
	if !found {
		walk(h.u.win.Canvas().Content(), func(o fyne.CanvasObject) {
			if t, ok := o.(*canvas.Text); ok {
				found = found || strings.Contains(t.Text, s)
			}
		})
	}
	return found
}

func (h *harness) hasTextPart(key string) bool {
	return h.hasText(h.u.wrapped(h.u.raw(key), 70)[0])
}

// TestRTLPlacement checks the mirroring: in Persian, Next is left of Back and the first dot of
// the progress indicator is on the right; in English the other way round.
func TestRTLPlacement(t *testing.T) {
	for _, tc := range []struct {
		lang       string
		nextIsLeft bool
	}{{"fa", true}, {"en", false}} {
		t.Run(tc.lang, func(t *testing.T) {
			h := newHarness(t, tc.lang)
			h.tap(h.u.T("ui.welcome.start"))
			h.typeDigits("09121234567")
			h.tap(h.u.T("ui.next"))
			h.expect(flow.StepMobileOTP)
			next, back := h.button(h.u.T("ui.next")), h.button(h.u.T("ui.back"))
			d := fyne.CurrentApp().Driver()
			nx, bx := d.AbsolutePositionForObject(next).X, d.AbsolutePositionForObject(back).X
			if (nx < bx) != tc.nextIsLeft {
				t.Errorf("Next at x=%v, Back at x=%v: wrong sides for %s", nx, bx, tc.lang)
			}
			if tc.lang == "fa" && !regexp.MustCompile(`[۰-۹]`).MatchString(h.u.T("ui.step.counter", "n", "2", "total", "10")) {
				t.Error("step counter without Persian digits")
			}
		})
	}
}

func TestCameraPulledAndBack(t *testing.T) {
	h := newHarness(t, "fa")
	h.tap(h.u.T("ui.welcome.start"))
	h.flow.mu.Lock()
	h.flow.set(flow.StepSelfie)
	h.flow.mu.Unlock()
	fyne.DoAndWait(func() { h.u.render(h.flow.Snapshot()) })
	msg := h.u.wrapped(h.u.raw("ui.camera.disconnected"), 36)[0]
	seen := func() bool { ok := false; fyne.DoAndWait(func() { ok = h.hasText(msg) }); return ok }
	take := h.u.T("ui.capture.take")
	enabled := func() bool { on := false; fyne.DoAndWait(func() { on = !h.button(take).Disabled() }); return on }
	h.waitFor(enabled, "the shoot button with a live camera")
	if !h.hasText(h.u.T("ui.camera.demo")) {
		t.Error("the demo camera's picture is not labelled synthetic")
	}
	h.cam.setPulled(true)
	h.waitFor(seen, "the disconnected message")
	if enabled() {
		t.Error("shoot enabled while the camera is away (it would send a stale frame)")
	}
	h.cam.setPulled(false)
	h.waitFor(func() bool { return !seen() }, "recovery")
	h.waitFor(enabled, "the shoot button after reconnecting")
	read, shown := h.u.PreviewFrames()
	h.waitFor(func() bool { r, s := h.u.PreviewFrames(); return r > read+3 && s > shown+3 }, "frames read and drawn after reconnecting")
}

func TestIdleWarning(t *testing.T) {
	h := newHarness(t, "fa")
	h.tap(h.u.T("ui.welcome.start"))
	h.flow.mu.Lock()
	h.flow.snap.IdleExpires = time.Now().Add(3 * time.Second)
	h.flow.mu.Unlock()
	h.waitFor(func() bool {
		var n int
		fyne.DoAndWait(func() { n = len(h.u.win.Canvas().Overlays().List()) })
		return n > 0
	}, "the idle warning")
	h.waitFor(func() bool { return h.flow.Snapshot().Step == flow.StepExpired }, "the wipe")
	h.waitFor(func() bool {
		ok := false
		fyne.DoAndWait(func() { ok = h.hasText(h.u.wrapped(h.u.raw("ui.expired.title"), 70)[0]) })
		return ok
	}, "the expired screen")
}

// TestLocaleKeys fails when a ui.*, operator.* or help.* key used in this package's code is
// missing from a locale file (locales' own test checks that fa and en agree).
func TestLocaleKeys(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := locales.SourceKeys(".", regexp.MustCompile(`"((?:ui|operator|help)\.[a-z0-9_.\-]*[a-z0-9_])"`))
	if err != nil {
		t.Fatal(err)
	}
	// Keys built at run time.
	for _, s := range append(append([]flow.Step{}, flow.Steps...), flow.StepWelcome, flow.StepSubmitted, flow.StepExpired, flow.StepLocked, flow.StepRejected) {
		keys["ui.step."+string(s)+".title"] = true
	}
	for _, s := range []flow.Step{flow.StepSelfie, flow.StepSignature, flow.StepVideo} {
		keys["ui."+string(s)+".intro"] = true
	}
	for _, s := range flow.Steps {
		keys["ui.strip."+string(s)] = true
	}
	for _, o := range []string{"pass", "fail", "needs-review", "could-not-verify"} {
		keys["ui.verdict."+o] = true
	}
	for i := 1; i <= commitmentCount; i++ {
		keys["ui.commitments.item"+itoa(i)] = true
		keys["ui.commitments.item"+itoa(i)+".title"] = true
	}
	if len(keys) < 100 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for k := range keys {
		if strings.HasSuffix(k, ".") || k == "ui.commitments.item" || k == "ui.step." || k == "ui.verdict." {
			delete(keys, k) // prefixes of keys built at run time
		}
	}
	for _, m := range cat.Missing(keys) {
		t.Errorf("used in app/ui but without text: %s", m)
	}
}

// checkScenes: a camera that acts out the steps was asked for the face at the selfie, the sheet at
// the signature, and the challenge at the video — first without a start, then with the recording's
// start and the time per number.
func checkScenes(t *testing.T, got []capture.Scene, length time.Duration) {
	t.Helper()
	var kinds []capture.SceneKind
	for _, s := range got {
		if len(kinds) == 0 || kinds[len(kinds)-1] != s.Kind {
			kinds = append(kinds, s.Kind)
		}
	}
	want := []capture.SceneKind{capture.SceneFace, capture.SceneSignature, capture.SceneChallenge}
	if !slices.Equal(kinds, want) {
		t.Fatalf("scenes %v, want %v", kinds, want)
	}
	last := got[len(got)-1]
	if !slices.Equal(last.Numbers, []int{3, 1, 4}) || last.Start.IsZero() || last.Hold != length/3 {
		t.Errorf("recording scene %+v, want numbers [3 1 4], a start and hold %v", last, length/3)
	}
	if first := got[len(got)-2]; first.Kind == capture.SceneChallenge && !first.Start.IsZero() {
		t.Errorf("challenge scene before recording already has a start: %+v", first)
	}
}
