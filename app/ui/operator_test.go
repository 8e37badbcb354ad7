package ui

import (
	"context"
	"image"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ehraz/ehraz/app/camera"
	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/pin"
	"github.com/ehraz/ehraz/domain/text"
	"github.com/ehraz/ehraz/plugins/sdk"
)

type fakeSessions struct {
	flow      *fakeFlow // Unlock moves it, as the real flow does
	overrides []string
	unlocks   []string
	tracking  []string
	days      []time.Time
}

const lockedID = "10cced778899"

func (s *fakeSessions) Day(_ context.Context, day time.Time) ([]SessionSummary, error) {
	s.days = append(s.days, day)
	return []SessionSummary{
		{ID: "abcdef123456", Step: flow.StepSelfie, StartedAt: day, NeedsReview: true},
		{ID: "99aa00112233", Step: flow.StepSubmitted, StartedAt: day},
		{ID: lockedID, Step: flow.StepLocked, StartedAt: day, NeedsReview: true},
	}, nil
}

func (s *fakeSessions) FindTracking(_ context.Context, code string) ([]SessionSummary, error) {
	s.tracking = append(s.tracking, code)
	if code != "7731955024" {
		return nil, nil
	}
	return []SessionSummary{{ID: lockedID, Step: flow.StepLocked, StartedAt: time.Date(2026, 11, 20, 10, 5, 0, 0, time.Local), NeedsReview: true}}, nil
}

func (s *fakeSessions) Detail(_ context.Context, id string) (SessionDetail, error) {
	img, _ := camera.EncodeJPEG(image.NewRGBA(image.Rect(0, 0, 64, 48)), 80)
	d := SessionDetail{
		Summary:            SessionSummary{ID: id, Step: flow.StepSelfie},
		Name:               "شهرزاد کیانپور",
		NationalCodeMasked: "049******9",
		Checks: []flow.CheckResult{{Step: flow.StepSelfie, Attempt: 1,
			Verdict: sdk.Verdict{Outcome: sdk.NeedsReview, Reasons: []string{"ui.verdict.needs-review"}}}},
		Photos:  []Photo{{Name: "selfie", Image: img}, {Name: "registry.photo", Image: img}},
		Matches: []FaceMatch{{Step: flow.StepSelfie, Distance: 0.512, EstimatedFMR: 0.2, Band: sdk.NeedsReview}},
		Video:   []sdk.Frame{{Image: img}, {Image: img, TimestampMS: 100}},
	}
	if id == lockedID {
		d.Summary.Step, d.LockedFrom = flow.StepLocked, flow.StepSignature
	}
	return d, nil
}

func (s *fakeSessions) Override(_ context.Context, id string, step flow.Step, out sdk.Outcome, operator, reason string) error {
	s.overrides = append(s.overrides, id+"/"+string(step)+"/"+out.String()+"/"+operator+"/"+reason)
	return nil
}

func (s *fakeSessions) Unlock(_ context.Context, id, operator, reason string) (flow.Snapshot, error) {
	s.unlocks = append(s.unlocks, id+"/"+operator+"/"+reason)
	s.flow.mu.Lock()
	s.flow.snap.SessionID = id
	s.flow.snap.Outcome = ""
	s.flow.set(flow.StepSignature)
	s.flow.mu.Unlock()
	return s.flow.Snapshot(), nil
}

// operatorHarness has two named operators and a lockout kept in a folder (as on a kiosk).
func operatorHarness(t *testing.T, lang string, keys string, now *time.Time) *harness {
	t.Helper()
	h1, _ := pin.Hash("2468")
	h2, _ := pin.Hash("1357")
	ops := pin.Operators{}
	_ = ops.Add("Maryam", h1, time.Now())
	_ = ops.Add("Reza", h2, time.Now())
	lock, err := pin.LoadLockout(keys, *now)
	if err != nil {
		t.Fatal(err)
	}
	return newHarnessWith(t, lang, func(o *Options) {
		o.Operators = func() (pin.Operators, error) { return ops, nil }
		o.Lockout = lock
		o.Sessions = &fakeSessions{flow: o.Flow.(*fakeFlow)}
		o.Now = func() time.Time { return *now }
		o.OperatorIdle = time.Minute
	})
}

func (h *harness) login(name, code string) {
	h.t.Helper()
	fyne.DoAndWait(h.u.showOperatorLogin)
	h.tap(h.u.layer.Text(name))
	h.typeDigits(code)
	h.tap(h.u.T("operator.pin.enter"))
}

// Each operator logs in with their own PIN only; the name is on the screen and on decisions.
func TestNamedOperatorLogin(t *testing.T) {
	now := time.Now()
	h := operatorHarness(t, "en", t.TempDir(), &now)
	h.login("Maryam", "1357") // Reza's PIN
	if h.hasText(h.u.T("operator.health.title")) || !h.hasText(h.u.T("operator.pin.wrong")) {
		t.Fatal("another operator's PIN opened operator mode")
	}
	h.login("Maryam", "2468")
	if !h.hasText(h.u.T("operator.title_named", "name", "Maryam")) {
		t.Fatal("Maryam's PIN did not open operator mode under her name")
	}
}

// Five wrong PINs lock the login; a new UI on the same keys folder (a restart) is still
// locked; after the lock the right PIN works.
func TestOperatorLockoutSurvivesRestart(t *testing.T) {
	keys := filepath.Join(t.TempDir(), "keys")
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.Local)
	h := operatorHarness(t, "fa", keys, &now)
	for i := 0; i < pin.MaxFailures; i++ {
		h.login("Reza", "0000")
	}
	locked := h.u.T("operator.pin.locked_until", "time", clock(pin.FirstLock))
	if !h.hasText(locked) {
		t.Fatal("no lockout message after five wrong PINs")
	}
	restarted := operatorHarness(t, "fa", keys, &now)
	restarted.login("Reza", "1357")
	if restarted.hasText(restarted.u.T("operator.health.title")) {
		t.Fatal("a restart cleared the lockout")
	}
	now = now.Add(pin.FirstLock)
	restarted.login("Reza", "1357")
	if !restarted.hasText(restarted.u.T("operator.health.title")) {
		t.Fatal("the right PIN after the lock did not open operator mode")
	}
}

// Without a tap for OperatorIdle the operator is logged out.
func TestOperatorIdleLogout(t *testing.T) {
	now := time.Now()
	h := operatorHarness(t, "fa", t.TempDir(), &now)
	h.login("Reza", "1357")
	fyne.DoAndWait(func() { h.u.operatorIdle(now.Add(59 * time.Second)) })
	if !h.u.oper.loggedIn() {
		t.Fatal("logged out before the idle time")
	}
	fyne.DoAndWait(func() { h.u.operatorIdle(now.Add(time.Minute)) })
	if h.u.oper != nil || h.hasText(h.u.T("operator.health.title")) {
		t.Fatal("still logged in after a minute without a tap")
	}
}

// The list goes to other days; a session code typed on the pad filters it; a decision needs a
// reason typed on the on-screen keyboard and is recorded with the operator's name.
func TestOperatorDaysSearchAndDecision(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.Local)
	h := operatorHarness(t, "fa", t.TempDir(), &now)
	ss := h.u.opt.Sessions.(*fakeSessions)
	h.login("Maryam", "2468")
	h.tap(h.u.T("operator.day.previous"))
	if last := ss.days[len(ss.days)-1]; last.YearDay() != now.AddDate(0, 0, -1).YearDay() {
		t.Errorf("previous day listed %v", last)
	}
	if !h.hasText("99aa0011") {
		t.Fatal("the other session is not listed")
	}
	h.tap(h.u.T("operator.search.button"))
	h.tap(h.u.T("operator.search.by_session"))
	h.tap(h.u.layer.Digits("A"))
	h.tap(h.u.layer.Digits("B"))
	h.tap(h.u.T("operator.search.show"))
	if h.hasText("99aa0011") || !h.hasText("abcdef12") {
		t.Fatal("the search by code does not filter the list")
	}
	var row *widget.Button
	walk(h.u.win.Canvas().Content(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && strings.Contains(b.Text, "abcdef12") {
			row = b
		}
	})
	test.Tap(row)
	h.tap(h.u.T("operator.override.pass"))
	h.tap(h.u.T("operator.override.save"))
	if len(ss.overrides) != 0 || !h.hasText(h.u.T("operator.override.reason_required")) {
		t.Fatalf("a decision without a reason was recorded: %v", ss.overrides)
	}
	for _, r := range "حجاب" {
		h.tap(string(r))
	}
	h.tap(h.u.T("ui.keyboard.space"))
	h.tap("ب")
	h.tap(h.u.T("ui.keyboard.backspace"))
	h.tap("د")
	h.tap(h.u.T("operator.override.save"))
	if len(ss.overrides) != 1 || ss.overrides[0] != "abcdef123456/selfie/pass/Maryam/حجاب د" {
		t.Fatalf("decision recorded as %v", ss.overrides)
	}
	if !h.hasText(h.u.T("operator.override.done")) {
		t.Error("the decision's result is not shown")
	}
}

// The shared PIN of older set-ups still works when no operator is named, under a fixed name.
func TestSharedPINFallback(t *testing.T) {
	h := newHarness(t, "fa")
	h.login(h.u.raw("operator.shared_name"), "1357")
	if !h.hasText(h.u.T("operator.health.title")) {
		t.Fatal("the shared PIN did not open operator mode")
	}
	h.tap(h.u.T("operator.reset"))
	if !strings.Contains(strings.Join(h.flow.calls, ","), "Abandon,Start") {
		t.Errorf("reset did not abandon and restart: %v", h.flow.calls)
	}
}

// The session detail in Persian: the hexadecimal session code keeps its ASCII digits (never
// «۱۰cced۷۷»), the masked national code reads in typed order, and the decision keys are
// full-size touch targets with «accept» at the reading start.
func TestSessionDetailCodesAndKeys(t *testing.T) {
	for _, lang := range []string{"fa", "en"} {
		t.Run(lang, func(t *testing.T) {
			now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.Local)
			h := operatorHarness(t, lang, t.TempDir(), &now)
			h.login("Maryam", "2468")
			if !h.hasText(shortID(lockedID)) {
				t.Fatalf("the list does not show the session code %s as typed", shortID(lockedID))
			}
			h.tapRow(lockedID)
			if !h.hasText(shortID(lockedID)) || (lang == "fa" && h.hasText(text.PersianDigits(shortID(lockedID)))) {
				t.Errorf("the detail shows the session code with Persian digits, or not at all")
			}
			// Typed order: the digits, the stars and the last digit in one left-to-right run.
			if !h.hasText(h.u.layer.Digits("049******9")) {
				t.Errorf("the masked national code is not shown in typed order")
			}
			pass, fail := h.button(h.u.T("operator.override.pass")), h.button(h.u.T("operator.override.fail"))
			min := h.u.px(touchHeight)
			for _, b := range []*widget.Button{pass, fail} {
				if s := b.Size(); s.Height < min-0.5 || s.Width < 2*min {
					t.Errorf("%q is %.0f×%.0f, want at least %.0f×%.0f", b.Text, s.Width, s.Height, 2*min, min)
				}
			}
			d := fyne.CurrentApp().Driver()
			px, fx := d.AbsolutePositionForObject(pass).X, d.AbsolutePositionForObject(fail).X
			if (px > fx) != (lang == "fa") {
				t.Errorf("accept at x=%.0f, reject at x=%.0f: accept is not at the reading start", px, fx)
			}
		})
	}
}
