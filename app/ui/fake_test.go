package ui

import (
	"context"
	"image"
	"image/color"
	"maps"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/capture"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// fakeFlow is a small in-test flow.Driver: it applies the same step order and a few input rules,
// so the walk-through proves the screens drive the flow.
type fakeFlow struct {
	mu    sync.Mutex
	snap  flow.Snapshot
	now   func() time.Time
	calls []string
	// rejectFirstSelfie makes the first selfie fail, to exercise the retake path.
	rejectFirstSelfie bool
	videoFrames       int
}

func newFakeFlow(now func() time.Time) *fakeFlow { return &fakeFlow{now: now} }

var _ flow.Driver = (*fakeFlow)(nil)

func (f *fakeFlow) Snapshot() flow.Snapshot {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.snap
	s.Checks = maps.Clone(s.Checks)
	return s
}

func (f *fakeFlow) set(step flow.Step) {
	f.snap.Step = step
	f.snap.StepIndex = 0
	for i, s := range flow.Steps {
		if s == step {
			f.snap.StepIndex = i + 1
		}
	}
	f.snap.CanGoBack = f.snap.StepIndex > 1
	f.snap.LastActive = f.now()
	f.snap.IdleExpires = f.now().Add(3 * time.Minute)
}

func (f *fakeFlow) record(name string) { f.calls = append(f.calls, name) }

func (f *fakeFlow) Start(context.Context) (flow.Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("Start")
	f.snap = flow.Snapshot{SessionID: "s-1", StartedAt: f.now(), Checks: map[flow.Step]flow.CheckResult{}}
	f.set(flow.StepWelcome)
	return f.snap, nil
}

func (f *fakeFlow) Resume(context.Context) (flow.Snapshot, bool, error) {
	return flow.Snapshot{}, false, nil
}

func (f *fakeFlow) step(name string, from, to flow.Step, ok bool, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record(name)
	if f.snap.Step != from {
		return &flow.Error{Key: "service.unavailable"}
	}
	if !ok {
		return &flow.Error{Key: key}
	}
	f.set(to)
	return nil
}

var mobileRE = regexp.MustCompile(`^09\d{9}$`)

// Submit applies the step's rule and returns the new snapshot, as flow.Machine does.
func (f *fakeFlow) Submit(ctx context.Context, a flow.Answer) (flow.Snapshot, error) {
	var err error
	switch a := a.(type) {
	case flow.Begin:
		err = f.step("Begin", flow.StepWelcome, flow.StepMobile, true, "")
	case flow.MobileNumber:
		err = f.submitMobile(a.Raw)
	case flow.MobileCode:
		err = f.step("SubmitMobileOTP", flow.StepMobileOTP, flow.StepIdentity, a.Raw == "123456", "otp.wrong_code")
	case flow.Identity:
		err = f.step("SubmitIdentity", flow.StepIdentity, flow.StepSejamOTP, a.NationalCode == "0076229645" && len(a.Tracking) == 10, "sejam.not_registered")
	case flow.SejamCode:
		err = f.submitSejamOTP(a.Raw)
	case flow.Card:
		err = f.submitCardSerial(a.Serial)
	case flow.Selfie:
		err = f.submitSelfie(a.Image)
	case flow.Signature:
		err = f.submitSignature(a.Image)
	case flow.Video:
		err = f.submitVideo(a.Frames)
	case flow.ConfirmReview:
		err = f.step("ConfirmReview", flow.StepReview, flow.StepCommitments, true, "")
	case flow.AcceptCommitments:
		err = f.step("AcceptCommitments", flow.StepCommitments, flow.StepSubmitted, true, "")
	default:
		err = &flow.Error{Key: "service.unavailable"}
	}
	return f.Snapshot(), err
}

func (f *fakeFlow) submitMobile(raw string) error {
	err := f.step("SubmitMobile", flow.StepMobile, flow.StepMobileOTP, mobileRE.MatchString(raw), "sms.invalid_receptor")
	if err == nil {
		f.mu.Lock()
		f.snap.Mobile = kyc.Mobile(raw)
		f.snap.MobileOTP = flow.OTPState{ExpiresAt: f.now().Add(2 * time.Minute), ResendAt: f.now().Add(time.Minute), AttemptsLeft: 3}
		f.mu.Unlock()
	}
	return err
}

func (f *fakeFlow) Resend(_ context.Context, p flow.OTPPurpose) (flow.Snapshot, error) {
	f.mu.Lock()
	if p == flow.OTPSejam {
		f.record("ResendSejamOTP")
	} else {
		f.record("ResendMobileOTP")
	}
	f.mu.Unlock()
	return f.Snapshot(), nil
}

func (f *fakeFlow) submitSejamOTP(code string) error {
	err := f.step("SubmitSejamOTP", flow.StepSejamOTP, flow.StepCardSerial, code == "654321", "sejam.otp_wrong")
	if err == nil {
		f.mu.Lock()
		f.snap.Person = &kyc.Person{NationalCode: "0076229645", FirstName: "مریم", LastName: "احمدی", FatherName: "علی",
			BirthDate: "1370/05/12", PlaceOfBirth: "تهران", Type: kyc.NaturalPerson, Nationality: "IR"}
		f.mu.Unlock()
	}
	return err
}

func (f *fakeFlow) submitCardSerial(raw string) error {
	_, _, bad := kyc.ParseCardSerial(raw)
	err := f.step("SubmitCardSerial", flow.StepCardSerial, flow.StepSelfie, bad == nil, "registry.serial_mismatch")
	if err == nil {
		f.mu.Lock()
		f.snap.CardSerial = kyc.CardSerial(raw)
		f.mu.Unlock()
	}
	return err
}

// check records a capture's verdict in the snapshot, as the flow does.
func (f *fakeFlow) check(step flow.Step, v sdk.Verdict) {
	f.mu.Lock()
	f.snap.Checks[step] = flow.CheckResult{Step: step, Verdict: v, Attempt: f.snap.Checks[step].Attempt + 1}
	f.mu.Unlock()
}

func (f *fakeFlow) submitSelfie(img sdk.Image) error {
	f.mu.Lock()
	reject := f.rejectFirstSelfie
	f.rejectFirstSelfie = false
	f.mu.Unlock()
	if len(img.Data) == 0 || img.Format != "jpeg" {
		return &flow.Error{Key: "service.unavailable"}
	}
	if reject {
		f.mu.Lock()
		f.record("SubmitSelfie")
		f.mu.Unlock()
		f.check(flow.StepSelfie, sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{"ui.camera.no_frame"}})
		return nil
	}
	err := f.step("SubmitSelfie", flow.StepSelfie, flow.StepSignature, true, "")
	if err == nil {
		f.check(flow.StepSelfie, sdk.Verdict{Outcome: sdk.Pass})
	}
	return err
}

func (f *fakeFlow) submitSignature(img sdk.Image) error {
	err := f.step("SubmitSignature", flow.StepSignature, flow.StepVideo, len(img.Data) > 0, "service.unavailable")
	if err == nil {
		f.mu.Lock()
		f.snap.Challenge = []int{3, 1, 4}
		f.mu.Unlock()
		f.check(flow.StepSignature, sdk.Verdict{Outcome: sdk.Pass})
	}
	return err
}

func (f *fakeFlow) submitVideo(frames []sdk.Frame) error {
	f.mu.Lock()
	f.videoFrames = len(frames)
	f.mu.Unlock()
	err := f.step("SubmitVideo", flow.StepVideo, flow.StepReview, len(frames) > 0, "service.unavailable")
	if err == nil {
		f.check(flow.StepVideo, sdk.Verdict{Outcome: sdk.Pass})
	}
	return err
}

func (f *fakeFlow) Back(context.Context) (flow.Snapshot, error) {
	f.mu.Lock()
	f.record("Back")
	if f.snap.StepIndex > 1 {
		f.set(flow.Steps[f.snap.StepIndex-2])
	}
	f.mu.Unlock()
	return f.Snapshot(), nil
}

func (f *fakeFlow) Touch(context.Context) error { return nil }

func (f *fakeFlow) ExpireIfIdle(context.Context) (flow.Snapshot, bool, error) {
	f.mu.Lock()
	wiped := f.snap.StepIndex > 0 && !f.now().Before(f.snap.IdleExpires)
	if wiped {
		f.set(flow.StepExpired)
	}
	f.mu.Unlock()
	return f.Snapshot(), wiped, nil
}

func (f *fakeFlow) Abandon(context.Context) (flow.Snapshot, error) {
	f.mu.Lock()
	f.record("Abandon")
	f.set(flow.StepExpired)
	f.snap.Outcome = "flow.outcome.abandoned"
	f.mu.Unlock()
	return f.Snapshot(), nil
}

// fakeCamera makes synthetic 640×480 frames at a fixed rate; pulled makes Read fail like a
// disconnected webcam until it is plugged back.
type fakeCamera struct {
	mu     sync.Mutex
	seq    uint64
	pulled bool
	fps    int
	scenes []capture.Scene // what the screens asked it to show (it acts like the demo camera)
}

func (c *fakeCamera) SetScene(s capture.Scene) {
	c.mu.Lock()
	c.scenes = append(c.scenes, s)
	c.mu.Unlock()
}

func (c *fakeCamera) sceneLog() []capture.Scene {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.scenes)
}

func (c *fakeCamera) setPulled(p bool) { c.mu.Lock(); c.pulled = p; c.mu.Unlock() }

func (c *fakeCamera) Read(ctx context.Context) (capture.Frame, error) {
	select {
	case <-ctx.Done():
		return capture.Frame{}, ctx.Err()
	case <-time.After(time.Second / time.Duration(c.fps)):
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pulled {
		return capture.Frame{}, capture.ErrDisconnected
	}
	c.seq++
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	shade := uint8(c.seq * 7)
	for y := 0; y < 480; y++ {
		for x := 0; x < 640; x++ {
			img.SetRGBA(x, y, color.RGBA{R: uint8(x / 3), G: uint8(y / 2), B: shade, A: 255})
		}
	}
	return capture.Frame{Img: img, Seq: c.seq, Time: time.Now()}, nil
}

func (c *fakeCamera) Info() capture.Info {
	return capture.Info{Kind: "demo", Name: "test", Width: 640, Height: 480, FPS: float64(c.fps)}
}
func (c *fakeCamera) Close() error { return nil }

// fakeAnalyzer answers every frame with one hint.
type fakeAnalyzer struct {
	mu    sync.Mutex
	calls int
}

func (a *fakeAnalyzer) AnalyzeFrame(_ context.Context, req sdk.FrameRequest) (sdk.FrameAnalysis, error) {
	a.mu.Lock()
	a.calls++
	a.mu.Unlock()
	fa := sdk.FrameAnalysis{Hints: []sdk.Hint{{Key: "ui.hints.ready", Severity: 0}}}
	if req.Purpose == sdk.PurposeVideo {
		fa.Fingers = sdk.KnownFingers(3) // the live count the video screen shows
	}
	return fa, nil
}

// fakeRecorder counts the frames a video take writes.
type fakeRecorder struct {
	mu     sync.Mutex
	n      int
	closed bool
}

func (r *fakeRecorder) Write(capture.Frame) error { r.mu.Lock(); r.n++; r.mu.Unlock(); return nil }
func (r *fakeRecorder) Close() error              { r.mu.Lock(); r.closed = true; r.mu.Unlock(); return nil }
func (r *fakeRecorder) frames() int               { r.mu.Lock(); defer r.mu.Unlock(); return r.n }
func (r *fakeRecorder) isClosed() bool            { r.mu.Lock(); defer r.mu.Unlock(); return r.closed }
