package kiosk_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ehraz/ehraz/capture"
	"github.com/ehraz/ehraz/capture/cvcam"
	"github.com/ehraz/ehraz/plugins/face/facecheck"
	"github.com/ehraz/ehraz/plugins/liveness/detector"
	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/signature/sigcheck"
)

// These tests run the demo camera's scenes through the real detectors in process, as the kiosk's
// flow would judge them: an integration test of the demo camera (capture) against the detector
// plugins' code, kept in the wiring layer so that capture depends on no detector.

// videoLength and videoFPS are the video step's defaults (app/ui: Timing.VideoLength, videoFPS).
const (
	videoLength = 5 * time.Second
	videoFPS    = 8
)

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// facesDir is the demo's photos ($SHARED/testdata/faces); the test skips without them.
func facesDir(t testing.TB) string {
	t.Helper()
	shared := os.Getenv("SHARED")
	if shared == "" {
		shared = os.Getenv("EHRAZ_SHARED")
	}
	if shared == "" {
		shared = filepath.Join(repoRoot(), "..", "shared")
	}
	dir := filepath.Join(shared, "testdata", "faces")
	if _, err := os.Stat(filepath.Join(dir, "people.tsv")); err != nil {
		t.Skipf("demo photos absent (%v): set SHARED", err)
	}
	return dir
}

func modelDir(kind string) string {
	root := os.Getenv("EHRAZ_MODEL_DIR")
	if root == "" {
		root = filepath.Join(repoRoot(), "models")
	}
	return filepath.Join(root, kind)
}

// newDemo is the demo camera as the kiosk opens it (cvcam.Open: the face located with OpenCV).
func newDemo(t testing.TB, faces string) *capture.Demo {
	t.Helper()
	d, err := capture.NewDemo(capture.Config{Source: "demo", FaceDir: faces, FaceLocator: cvcam.LocateFace})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func ready(t testing.TB, d *capture.Demo) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	t0 := time.Now()
	if err := d.Ready(ctx); err != nil {
		t.Fatalf("scene not ready: %v", err)
	}
	t.Logf("scene rendered in %v", time.Since(t0).Round(10*time.Millisecond))
}

func encode(t testing.TB, img image.Image, q int) sdk.Image {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	return sdk.Image{Data: buf.Bytes(), Format: "jpeg", Width: b.Dx(), Height: b.Dy()}
}

func read(t testing.TB, d *capture.Demo) capture.Frame {
	t.Helper()
	f, err := d.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func logRules(t testing.TB, v sdk.Verdict) {
	t.Helper()
	t.Logf("verdict %v %v score %.3f", v.Outcome, v.Reasons, v.Score)
	for _, r := range v.Rules {
		t.Logf("  %-32s %-16v value %8.4f threshold %8.4f %s", r.Name, r.Outcome, r.Value, r.Threshold, r.Unit)
	}
}

// TestDemoSignatureScenePassesSignaturePlugin: the face scene is no signature (the real check
// fails it), the signature scene is one (the real check passes it) at any point of its drift.
func TestDemoSignatureScenePassesSignaturePlugin(t *testing.T) {
	d := newDemo(t, t.TempDir()) // the drawn face is enough here
	sig := sigcheck.New(sigcheck.DefaultThresholds())
	check := func(img image.Image) sdk.Verdict {
		t.Helper()
		// as the signature step sends it (app/ui submitStill: JPEG quality 92)
		v, err := sig.CheckSignature(context.Background(), sdk.SignatureRequest{Image: encode(t, img, 92)})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := check(read(t, d).Img); v.Outcome == sdk.Pass {
		t.Fatalf("the face scene passes as a signature: %v", v.Reasons)
	}
	d.SetScene(capture.Scene{Kind: capture.SceneSignature})
	ready(t, d)
	first := read(t, d)
	time.Sleep(1500 * time.Millisecond) // the sheet drifts
	last := read(t, d)
	if bytes.Equal(first.Img.Pix, last.Img.Pix) {
		t.Error("the signature scene does not move")
	}
	for i, f := range []capture.Frame{first, last} {
		v := check(f.Img)
		if i == 0 {
			logRules(t, v)
		}
		if v.Outcome != sdk.Pass {
			logRules(t, v)
			t.Fatalf("signature scene frame %d: %v %v, want pass", i, v.Outcome, v.Reasons)
		}
	}
}

// record reads the demo over a recording of length the way the video step does (app/ui
// readCamera and record): one goroutine reads the camera into the preview; the recorder tells
// the scene when the recording starts, takes the newest frame videoFPS times a second when it is
// new, JPEG-encodes it at quality 85 and stamps it from the start.
func record(t testing.TB, d *capture.Demo, numbers []int, length time.Duration) []sdk.Frame {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var last capture.Frame
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			f, err := d.Read(ctx)
			if err != nil {
				return
			}
			mu.Lock()
			last = f
			mu.Unlock()
		}
	}()
	defer func() { cancel(); <-done }()
	start := time.Now()
	d.SetScene(capture.Scene{Kind: capture.SceneChallenge, Numbers: numbers, Start: start,
		Hold: length / time.Duration(len(numbers))})
	tick := time.NewTicker(time.Second / videoFPS)
	defer tick.Stop()
	var frames []sdk.Frame
	var lastAt time.Time
	for time.Since(start) < length {
		<-tick.C
		mu.Lock()
		f := last
		mu.Unlock()
		if f.Img == nil || !f.Time.After(lastAt) {
			continue
		}
		lastAt = f.Time
		frames = append(frames, sdk.Frame{Image: encode(t, f.Img, 85), TimestampMS: f.Time.Sub(start).Milliseconds()})
	}
	return frames
}

// maxRecordGap is the longest gap between frames of a recording the test judges: two frames
// missed in a row, with half a frame period of scheduling jitter. Three missed in a row (a 500 ms
// gap at 8 fps) is a starved recording, and it is judged differently: dropping three frames after
// the first few of a good clip of the demo (done offline, the same clip otherwise) raised
// spoof.flat from 0.75 to 0.935 and took spoof.score from 0.90 to 0.44, below the 0.5 pass mark
// (the flatness cue then pairs frames further apart); two dropped left it at 0.86-0.88.
const maxRecordGap = 3*time.Second/videoFPS + time.Second/videoFPS/2

// recordUnstarved records like record after a moment of preview (the countdown), again when this
// (shared) machine starved the recording: fewer than 3/4 of the frames or a gap over maxRecordGap
// is no video a camera delivers, and judging it would test the machine's load, not the demo.
func recordUnstarved(t testing.TB, d *capture.Demo, numbers []int, length time.Duration) []sdk.Frame {
	t.Helper()
	want := int(length * videoFPS / time.Second)
	var why string
	for range 4 {
		for range 8 {
			read(t, d)
		}
		frames := record(t, d, numbers, length)
		gap, prev := time.Duration(0), int64(0)
		for _, f := range append(frames, sdk.Frame{TimestampMS: length.Milliseconds()}) {
			gap = max(gap, time.Duration(f.TimestampMS-prev)*time.Millisecond)
			prev = f.TimestampMS
		}
		t.Logf("%d frames over %v, longest gap %v", len(frames), length, gap)
		if len(frames) >= want*3/4 && gap <= maxRecordGap {
			return frames
		}
		why = fmt.Sprintf("%d of %d frames, a gap of %v", len(frames), want, gap)
	}
	t.Skipf("the machine is too busy to record in real time (%s)", why)
	return nil
}

// TestDemoChallengeRecordingPassesLivenessPlugin: a video recorded from the demo's challenge
// scene shows the challenge numbers in order to the real liveness plugin (with models/liveness),
// and its keyframes are the demo's person (with models/face).
func TestDemoChallengeRecordingPassesLivenessPlugin(t *testing.T) {
	live := detector.New(modelDir("liveness"))
	if err := live.Err(); err != nil {
		t.Skipf("liveness models not prepared (run `make liveness-models`): %v", err)
	}
	defer live.Close()
	faces := facesDir(t)
	t0 := time.Now()
	fd, err := facecheck.Open(modelDir("face"), facecheck.DefaultThresholds())
	if err != nil {
		t.Logf("face match not checked: %v", err)
	} else {
		defer fd.Close()
		t.Logf("face models loaded in %v", time.Since(t0).Round(10*time.Millisecond))
	}
	d := newDemo(t, faces)
	selfie := read(t, d) // the face scene: what the selfie step captures
	// one demo for both challenges, as in a session with a retake: its head is rendered once
	for _, numbers := range [][]int{{3, 1, 4}, {5, 2, 1}} {
		t.Run(fmtInts(numbers), func(t *testing.T) {
			d.SetScene(capture.Scene{Kind: capture.SceneChallenge, Numbers: numbers})
			ready(t, d)
			frames := recordUnstarved(t, d, numbers, videoLength)
			t0 := time.Now()
			v, err := live.CheckLiveness(context.Background(), sdk.LivenessRequest{Frames: frames,
				Challenge: sdk.Challenge{Numbers: numbers}, Guide: sdk.Rect{X: 0.3, Y: 0.1, W: 0.4, H: 0.75}})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("liveness checked in %v", time.Since(t0).Round(10*time.Millisecond))
			logRules(t, v)
			for i, n := range numbers {
				if r := rule(v, "sequence.number."+string(rune('1'+i))); r.Outcome != sdk.Pass {
					t.Errorf("number %d: saw %v, want %d", i+1, r.Value, n)
				}
			}
			if r := rule(v, "sequence.match"); r.Outcome != sdk.Pass {
				t.Errorf("sequence.match %v (%s), want pass", r.Outcome, r.Reason)
			}
			if v.Outcome != sdk.Pass {
				t.Errorf("liveness %v %v, want pass", v.Outcome, v.Reasons)
			}
			if fd != nil {
				matchKeyframes(t, fd, v, encode(t, selfie.Img, 92))
			}
		})
	}
}

// matchKeyframes matches the liveness keyframes with the selfie as the flow does.
func matchKeyframes(t *testing.T, fd *facecheck.Detector, v sdk.Verdict, selfie sdk.Image) {
	t.Helper()
	n := 0
	for _, a := range v.Artifacts {
		if a.Name != "liveness.keyframe" || n == 3 {
			continue
		}
		n++
		m, err := fd.MatchFaces(context.Background(), sdk.MatchRequest{Probe: a.Image, Reference: selfie})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("face match keyframe %d ms: %v %v score %.3f", a.TimestampMS, m.Outcome, m.Reasons, m.Score)
		if m.Outcome != sdk.Pass {
			t.Errorf("keyframe at %d ms does not match the selfie: %v %v", a.TimestampMS, m.Outcome, m.Reasons)
		}
	}
	if n == 0 {
		t.Error("no keyframes to match")
	}
}

func rule(v sdk.Verdict, name string) sdk.Rule {
	i := slices.IndexFunc(v.Rules, func(r sdk.Rule) bool { return r.Name == name })
	if i < 0 {
		return sdk.Rule{Name: name, Outcome: sdk.CouldNotVerify}
	}
	return v.Rules[i]
}

func fmtInts(ns []int) string {
	b := make([]byte, 0, 2*len(ns))
	for i, n := range ns {
		if i > 0 {
			b = append(b, '-')
		}
		b = append(b, byte('0'+n))
	}
	return string(b)
}
