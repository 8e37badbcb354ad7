package ui

import (
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/capture"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// RunTour draws every screen in turn in the real window, writes a PNG of each into dir and quits
// the app: it is what `make screenshots` runs under Xvfb. The screens are drawn from sample
// snapshots; the flow main wired (Options.Flow) is never started or resumed, so no session
// exists: the one action the tour performs as a person would (recording a video) is refused by
// the flow ("flow.no_session"), no session data is created and nothing is presented as a
// finished check. Call it instead of Start, before ShowAndRun.
func (u *UI) RunTour(dir string) error {
	if u.opt.Flow == nil {
		return fmt.Errorf("screenshots: no flow to drive")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("screenshot dir %s: %w", dir, err)
	}
	if u.opt.Camera == nil {
		// Without a camera the capture screens would only say so: show the synthetic demo
		// camera (labelled as such on screen), and the unavailable state on one extra page.
		demo, err := capture.NewDemo(capture.Config{Source: "demo"})
		if err != nil {
			return fmt.Errorf("screenshot camera: %w", err)
		}
		u.opt.Camera = demo
	}
	// Something to paint: an unpadded window with no content stays black under Xvfb.
	u.render(flow.Snapshot{Step: flow.StepWelcome})
	go func() {
		defer fyne.Do(u.app.Quit)
		if err := u.waitPainted(dir); err != nil {
			fmt.Fprintln(os.Stderr, "screenshots:", err)
			return
		}
		if err := u.tour(dir); err != nil {
			fmt.Fprintln(os.Stderr, "screenshots:", err)
		}
	}()
	return nil
}

// waitPainted waits until the window shows something other than black: under a loaded Xvfb the
// first paint can take seconds, and a screenshot before it is a black square.
func (u *UI) waitPainted(dir string) error {
	probe := filepath.Join(dir, ".probe.png")
	defer os.Remove(probe)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		if err := u.capture(probe); err != nil {
			return err
		}
		if painted(probe) {
			time.Sleep(500 * time.Millisecond)
			return nil
		}
	}
	return fmt.Errorf("the window was not painted within 20 s")
}

// painted reports whether the PNG at path has a pixel that is not black.
func painted(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return false
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			if r, g, bl, _ := img.At(x, y).RGBA(); r|g|bl > 0x2000 {
				return true
			}
		}
	}
	return false
}

func (u *UI) tour(dir string) error {
	now := u.opt.Now()
	person := &kyc.Person{NationalCode: "0076229645", FirstName: "مریم", LastName: "احمدی", FatherName: "علی",
		Gender: "female", BirthDate: "1370/05/12", PlaceOfBirth: "تهران", Type: kyc.NaturalPerson, Nationality: "IR",
		Mobile: "09121234567"}
	otp := flow.OTPState{ExpiresAt: now.Add(2*time.Minute + 5*time.Second), ResendAt: now.Add(45 * time.Second), AttemptsLeft: 3}
	base := flow.Snapshot{SessionID: "tour", Mobile: "09121234567", MobileOTP: otp, SejamOTP: otp, Person: person,
		CardSerial: "1G23456789", CardKind: kyc.SmartCard, Challenge: []int{3, 1, 4}, StartedAt: now,
		IdleExpires: now.Add(time.Hour)}
	n := 0
	shot := func(name string, snap flow.Snapshot, setup func(), settle time.Duration) error {
		fyne.DoAndWait(func() {
			u.mu.Lock()
			u.message, u.msgArgs, u.verdict = "", nil, nil
			u.mu.Unlock()
			if setup != nil {
				setup()
			}
			u.render(snap)
		})
		time.Sleep(settle)
		n++
		return u.capture(filepath.Join(dir, fmt.Sprintf("%02d-%s.png", n, name)))
	}
	step := func(s flow.Step) flow.Snapshot {
		c := base
		c.Step = s
		for i, st := range flow.Steps {
			if st == s {
				c.StepIndex = i + 1
			}
		}
		c.CanGoBack = c.StepIndex > 1
		return c
	}
	welcome := base
	welcome.Step = flow.StepWelcome
	type page struct {
		name   string
		snap   flow.Snapshot
		setup  func()
		settle time.Duration
	}
	mobileErr := func() { u.message = "sms.invalid_receptor" }
	failedSelfie := func() {
		u.verdict = &sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{"ui.camera.no_frame"}}
	}
	pages := []page{
		{"welcome", welcome, nil, 700 * time.Millisecond},
		{"help", welcome, func() { u.help = true }, 700 * time.Millisecond},
		{"mobile", step(flow.StepMobile), func() { u.help = false }, 700 * time.Millisecond},
		{"mobile-error", step(flow.StepMobile), mobileErr, 700 * time.Millisecond},
		{"mobile-otp", step(flow.StepMobileOTP), nil, 700 * time.Millisecond},
		{"identity", step(flow.StepIdentity), nil, 700 * time.Millisecond},
		{"sejam-otp", step(flow.StepSejamOTP), nil, 700 * time.Millisecond},
		{"card-serial", step(flow.StepCardSerial), nil, 700 * time.Millisecond},
		{"selfie", step(flow.StepSelfie), nil, 2000 * time.Millisecond},
		{"selfie-retake", step(flow.StepSelfie), failedSelfie, 2000 * time.Millisecond},
		{"signature", step(flow.StepSignature), nil, 2000 * time.Millisecond},
		{"video", step(flow.StepVideo), nil, 2000 * time.Millisecond},
		{"review", step(flow.StepReview), nil, 700 * time.Millisecond},
		{"commitments", step(flow.StepCommitments), nil, 700 * time.Millisecond},
		{"submitted", step(flow.StepSubmitted), nil, 700 * time.Millisecond},
		{"expired", step(flow.StepExpired), nil, 700 * time.Millisecond},
	}
	locked := step(flow.StepLocked)
	locked.Outcome = "eligibility.already_verified"
	rejected := step(flow.StepRejected)
	rejected.Outcome = "eligibility.under_18"
	cam := u.opt.Camera
	pages = append(pages, page{"locked", locked, nil, 700 * time.Millisecond},
		page{"rejected", rejected, nil, 700 * time.Millisecond},
		page{"selfie-no-camera", step(flow.StepSelfie), func() { u.opt.Camera = nil }, 700 * time.Millisecond})
	for _, p := range pages {
		if err := shot(p.name, p.snap, p.setup, p.settle); err != nil {
			return err
		}
	}
	fyne.DoAndWait(func() { u.opt.Camera = cam })
	// The video step while recording: the shoot button tapped as a person would, captured after
	// the countdown, with the number to show lit and the seconds left.
	video := step(flow.StepVideo)
	fyne.DoAndWait(func() { u.render(video) })
	time.Sleep(2 * time.Second) // frames arrive and enable the button
	var rec *widget.Button
	fyne.DoAndWait(func() { rec = findButton(u.win.Canvas().Content(), u.T("ui.capture.record")) })
	if rec == nil {
		return fmt.Errorf("no record button on the video screen")
	}
	fyne.DoAndWait(func() {
		if !rec.Disabled() && rec.OnTapped != nil {
			rec.OnTapped()
		}
	})
	time.Sleep(time.Duration(countdownFrom)*u.opt.Timing.Countdown + u.opt.Timing.VideoLength/2)
	n++
	if err := u.capture(filepath.Join(dir, fmt.Sprintf("%02d-video-recording.png", n))); err != nil {
		return err
	}
	u.Wait()
	// The idle warning over a step.
	idle := step(flow.StepIdentity)
	fyne.DoAndWait(func() {
		u.mu.Lock()
		u.message, u.msgArgs, u.verdict = "", nil, nil // the refused video check above
		u.mu.Unlock()
		u.render(idle)
		u.showIdle(17 * time.Second)
	})
	time.Sleep(700 * time.Millisecond)
	n++
	if err := u.capture(filepath.Join(dir, fmt.Sprintf("%02d-idle-warning.png", n))); err != nil {
		return err
	}
	fyne.DoAndWait(u.hideIdle)
	// Operator mode: choosing a name, the PIN, then the logged-in views (the session list of the
	// demo store, the search pad, the reason keyboard).
	const who = "مریم احمدی"
	for _, p := range []struct {
		name string
		o    *operatorState
	}{
		{"operator-login", &operatorState{view: "login"}},
		{"operator-pin", &operatorState{view: "pin", candidate: who}},
		{"operator", &operatorState{view: "home", operator: who}},
		{"operator-search", &operatorState{view: "search", operator: who, search: "A3"}},
		{"operator-reason", &operatorState{view: "reason", operator: who, step: flow.StepSelfie, outcome: sdk.Pass}},
	} {
		o := p.o
		if err := shot(p.name, welcome, func() { o.lastActive = u.opt.Now(); u.oper = o }, 700*time.Millisecond); err != nil {
			return err
		}
	}
	// Operator mode with sample data (a locked session, a waiting dossier): the day's list with
	// the delivery queue, the search by tracking code and its result, the locked session's detail
	// and the resume screen.
	sessions, outbox, voice := u.opt.Sessions, u.opt.Outbox, u.opt.Voice
	fyne.DoAndWait(func() { u.opt.Sessions, u.opt.Outbox = tourSessions{now: now}, tourOutbox{now: now} })
	for _, p := range []struct {
		name string
		o    *operatorState
	}{
		{"operator-queue", &operatorState{view: "home", operator: who}},
		{"operator-search-tracking", &operatorState{view: "search", operator: who, draft: "77319550"}},
		{"operator-tracking-found", &operatorState{view: "home", operator: who, tracking: "7731955024"}},
		{"operator-session-locked", &operatorState{view: "detail", operator: who, session: tourLockedID}},
		{"operator-unlock", &operatorState{view: "unlock", operator: who, session: tourLockedID}},
	} {
		o := p.o
		if err := shot(p.name, welcome, func() { o.lastActive = u.opt.Now(); u.oper = o }, 700*time.Millisecond); err != nil {
			return err
		}
	}
	fyne.DoAndWait(func() { u.opt.Sessions, u.opt.Outbox = sessions, outbox })
	// The voice guide's key turned off (muted) on a step.
	if err := shot("voice-muted", step(flow.StepCardSerial), func() {
		u.oper = nil
		if u.opt.Voice == nil {
			u.opt.Voice = silentVoice{}
		}
		u.muted = true
	}, 700*time.Millisecond); err != nil {
		return err
	}
	fyne.DoAndWait(func() { u.muted, u.opt.Voice = false, voice })
	// The applicant's own keys: the cancel question, the contact screen, the other language.
	if err := shot("cancel-question", step(flow.StepIdentity), func() { u.oper = nil; u.confirmCancel() }, 700*time.Millisecond); err != nil {
		return err
	}
	fyne.DoAndWait(u.hideConfirm)
	if err := shot("contact", welcome, func() { u.contact = true }, 700*time.Millisecond); err != nil {
		return err
	}
	return shot("cancelled", func() flow.Snapshot { s := step(flow.StepExpired); s.Outcome = "flow.outcome.abandoned"; return s }(),
		func() { u.contact = false }, 700*time.Millisecond)
}

// capture grabs the X screen with ImageMagick's import (Fyne's GL Capture reads an undefined
// back buffer under Xvfb's software GL and returns black), falling back to the canvas capture
// when import is missing (headless test driver).
func (u *UI) capture(path string) error {
	if _, err := exec.LookPath("import"); err == nil && os.Getenv("DISPLAY") != "" {
		if out, err := exec.Command("import", "-window", "root", path).CombinedOutput(); err != nil {
			return fmt.Errorf("screenshot %s: %v: %s", path, err, out)
		}
		return nil
	}
	img := u.win.Canvas().Capture()
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("screenshot %s: %w", path, err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		return fmt.Errorf("screenshot %s: %w", path, err)
	}
	return nil
}

// findButton is the first button under o whose text is text.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	if b, ok := o.(*widget.Button); ok && b.Text == text {
		return b
	}
	switch c := o.(type) {
	case *fyne.Container:
		for _, ch := range c.Objects {
			if b := findButton(ch, text); b != nil {
				return b
			}
		}
	case *container.Scroll:
		return findButton(c.Content, text)
	}
	return nil
}
