package kiosk

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/config"
	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// The kill-and-resume test runs the kiosk back end in a child process (this test binary,
// re-executed), drives a demo applicant to a step, kills the child with SIGKILL there and
// starts a second child on the same data folder, which must resume at exactly that step with
// everything entered so far, and then finish the session. Detector plugins are absent here, so
// the capture steps answer "could not verify" (flagged for an operator), which is enough to
// prove persistence; the plugins have their own tests.

const (
	childEnv  = "EHRAZ_KIOSK_CHILD"       // data folder of the child
	targetEnv = "EHRAZ_KIOSK_CHILD_STEPS" // how many actions the first child performs
	modeEnv   = "EHRAZ_KIOSK_CHILD_MODE"  // "drive" or "resume"
)

// The demo applicant (scenario "ok" of the simulator's seed).
const (
	demoMobile   = "09121234567"
	demoNational = "0015260186"
	demoTracking = "1402000001"
	demoSerial   = "1G23456789"
)

// actions are the applicant's actions in order; after action i the flow is at wantAfter[i].
var wantAfter = []flow.Step{
	flow.StepWelcome, // Start
	flow.StepMobile, flow.StepMobileOTP, flow.StepIdentity, flow.StepSejamOTP, flow.StepCardSerial,
	flow.StepSelfie, flow.StepSignature, flow.StepVideo, flow.StepReview, flow.StepCommitments,
	flow.StepSubmitted,
}

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		os.Exit(child(dir))
	}
	os.Exit(m.Run())
}

func TestKillAndResumeAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two kiosk processes per step")
	}
	for n := 1; n < len(wantAfter); n++ {
		want := wantAfter[n-1]
		t.Run(fmt.Sprintf("%02d_%s", n, want), func(t *testing.T) {
			dir := t.TempDir()
			lines := runChild(t, dir, "drive", n, true)
			if got := lines["AT"]; got != string(want) {
				t.Fatalf("first kiosk stopped at %q, want %q", got, want)
			}
			lines = runChild(t, dir, "resume", n, false)
			if got := lines["RESUMED"]; got != string(want) {
				t.Fatalf("restarted kiosk resumed at %q, want %q (lines %v)", got, want, lines)
			}
			if lines["DATA"] != "ok" {
				t.Fatalf("restarted kiosk lost data: %q", lines["DATA"])
			}
			if lines["DONE"] != string(flow.StepSubmitted) {
				t.Fatalf("resumed session did not finish: %v", lines)
			}
			if lines["DOSSIER"] != "delivered" {
				t.Fatalf("dossier of the resumed session was not delivered to the intake: %q", lines["DOSSIER"])
			}
			if lines["INTEGRITY"] != "ok" {
				t.Fatalf("database integrity after kill: %q", lines["INTEGRITY"])
			}
		})
	}
}

// runChild starts this test binary as a kiosk child. With kill it waits for the "AT" line and
// kills the child with SIGKILL; otherwise it waits for the child to exit. It returns the
// child's KEY value lines.
func runChild(t *testing.T, dir, mode string, steps int, kill bool) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir, targetEnv+"="+strconv.Itoa(steps), modeEnv+"="+mode)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := map[string]string{}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), " ")
		lines[k] = v
		if kill && k == "AT" {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	err = cmd.Wait()
	if lines["ERROR"] != "" {
		t.Fatalf("child %s: %s\n%s", mode, lines["ERROR"], stderr.String())
	}
	if kill {
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("child was not killed (err %v): %s", err, stderr.String())
		}
	} else if err != nil {
		t.Fatalf("child %s: %v\n%s", mode, err, stderr.String())
	}
	return lines
}

// child is the kiosk process. It reports on stdout as "KEY value" lines.
func child(dir string) int {
	steps, _ := strconv.Atoi(os.Getenv(targetEnv))
	ctx := context.Background()
	fail := func(err error) int { fmt.Printf("ERROR %v\n", err); return 1 }

	k, err := Open(ctx, childConfig(dir), Options{})
	if err != nil {
		return fail(err)
	}
	defer k.Close()
	m := k.Flow

	if os.Getenv(modeEnv) == "drive" {
		for i := 0; i < steps; i++ {
			if err := act(ctx, m, i); err != nil {
				return fail(fmt.Errorf("action %d: %w", i, err))
			}
		}
		fmt.Printf("AT %s\n", m.Snapshot().Step)
		select {} // wait for SIGKILL
	}

	s, ok, err := m.Resume(ctx)
	if err != nil {
		return fail(err)
	}
	if !ok {
		return fail(fmt.Errorf("nothing to resume"))
	}
	fmt.Printf("RESUMED %s\n", s.Step)
	fmt.Printf("DATA %s\n", checkData(s, steps))
	if err := k.Store.IntegrityCheck(ctx); err != nil {
		fmt.Printf("INTEGRITY %v\n", err)
	} else {
		fmt.Println("INTEGRITY ok")
	}
	for i := steps; i < len(wantAfter); i++ {
		if err := act(ctx, m, i); err != nil {
			return fail(fmt.Errorf("after resume, action %d: %w", i, err))
		}
	}
	fmt.Printf("DONE %s\n", m.Snapshot().Step)
	// The dossier must reach the (embedded) intake from the resumed kiosk.
	ob := k.Services.Outbox
	id := m.Snapshot().SessionID
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := ob.Flush(ctx); err != nil {
			return fail(fmt.Errorf("flush outbox: %w", err))
		}
		e, ok, err := ob.Entry(ctx, id)
		if err != nil {
			return fail(err)
		}
		if ok && e.State == "delivered" || time.Now().After(deadline) {
			fmt.Printf("DOSSIER %s\n", e.State)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return 0
}

func childConfig(dir string) config.Config {
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Plugins.Dir = filepath.Join(dir, "no-plugins")
	os.MkdirAll(cfg.Plugins.Dir, 0o700)
	cfg.Services.Simulator.Addr = "127.0.0.1:0"
	cfg.Services.Intake.Addr = "127.0.0.1:0"
	// A code issued before the kill is gone with the first process's console provider: the
	// resumed applicant asks for a new one, so the cooldown must not stand in the way here.
	cfg.Services.OTP.ResendAfter = time.Millisecond
	return cfg
}

// checkData tells whether what was entered before the kill is still in the session.
func checkData(s flow.Snapshot, steps int) string {
	if steps >= 3 && s.Mobile != demoMobile {
		return "mobile lost"
	}
	if steps >= 6 && (s.Person == nil || s.Person.NationalCode != demoNational) {
		return "SEJAM profile lost"
	}
	if steps >= 7 && s.CardSerial != demoSerial {
		return "card serial lost"
	}
	for i, step := range []flow.Step{flow.StepSelfie, flow.StepSignature, flow.StepVideo} {
		if steps >= 8+i {
			if _, ok := s.Checks[step]; !ok {
				return string(step) + " verdict lost"
			}
		}
	}
	return "ok"
}

// act performs the applicant's action number i.
func act(ctx context.Context, m *flow.Machine, i int) error {
	switch wantAfter[i] {
	case flow.StepWelcome:
		_, err := m.Start(ctx)
		return err
	case flow.StepMobile:
		return submit(ctx, m, flow.Begin{})
	case flow.StepMobileOTP:
		return submit(ctx, m, flow.MobileNumber{Raw: demoMobile})
	case flow.StepIdentity:
		code, err := demoCode(ctx, m, flow.OTPMobile)
		if err != nil {
			return err
		}
		return submit(ctx, m, flow.MobileCode{Raw: code})
	case flow.StepSejamOTP:
		return submit(ctx, m, flow.Identity{NationalCode: demoNational, Tracking: demoTracking})
	case flow.StepCardSerial:
		code, err := demoCode(ctx, m, flow.OTPSejam)
		if err != nil {
			return err
		}
		return submit(ctx, m, flow.SejamCode{Raw: code})
	case flow.StepSelfie:
		return submit(ctx, m, flow.Card{Serial: demoSerial})
	case flow.StepSignature:
		return submit(ctx, m, flow.Selfie{Image: testJPEG()})
	case flow.StepVideo:
		return submit(ctx, m, flow.Signature{Image: testJPEG()})
	case flow.StepReview:
		frames := make([]sdk.Frame, 10)
		for j := range frames {
			frames[j] = sdk.Frame{Image: testJPEG(), TimestampMS: int64(j) * 66}
		}
		return submit(ctx, m, flow.Video{Frames: frames})
	case flow.StepCommitments:
		return submit(ctx, m, flow.ConfirmReview{})
	case flow.StepSubmitted:
		return submit(ctx, m, flow.AcceptCommitments{})
	}
	return fmt.Errorf("no action leads to %s", wantAfter[i])
}

func submit(ctx context.Context, m *flow.Machine, a flow.Answer) error {
	_, err := m.Submit(ctx, a)
	return err
}

// demoCode returns the code the console SMS provider delivered; after a restart the first
// process's code is gone, so it asks for a new one.
func demoCode(ctx context.Context, m *flow.Machine, p flow.OTPPurpose) (string, error) {
	s := m.Snapshot()
	st := s.MobileOTP
	if p == flow.OTPSejam {
		st = s.SejamOTP
	}
	if st.DemoCode != "" {
		return st.DemoCode, nil
	}
	if _, err := m.Resend(ctx, p); err != nil {
		return "", fmt.Errorf("resend %s code: %w", p, err)
	}
	s = m.Snapshot()
	st = s.MobileOTP
	if p == flow.OTPSejam {
		st = s.SejamOTP
	}
	if st.DemoCode == "" {
		return "", fmt.Errorf("no demo %s code after resend", p)
	}
	return st.DemoCode, nil
}

func testJPEG() sdk.Image {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 200, 255})
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, nil)
	return sdk.Image{Data: b.Bytes(), Format: "jpeg", Width: 64, Height: 48}
}
