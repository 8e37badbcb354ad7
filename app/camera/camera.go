// Package camera is the capture logic between a camera source (package capture) and the kiosk's
// capture screens: the preview hub that holds the newest frame and lets at most one draw wait,
// the reader loop that survives a pulled camera, the throttled live hints, the countdown, the
// still photo, the video recording with the challenge schedule (which number is due when), and
// the JPEG encoding of what goes to the flow and the plugins. It draws nothing and imports no
// UI toolkit: app/ui shows what it reports, so all of this is tested without a window.
package camera

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"sync"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/capture"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// JPEG qualities: a live hint only guides, the still and the video are the evidence.
const (
	hintQuality  = 80
	stillQuality = 92
	videoQuality = 85
)

// retryAfter is how long the reader waits after a failed Read before reading again (a webcam
// source reconnects inside Read).
var retryAfter = 500 * time.Millisecond

// Purpose tells the plugins which capture step a live frame belongs to.
func Purpose(step flow.Step) sdk.Purpose {
	switch step {
	case flow.StepSignature:
		return sdk.PurposeSignature
	case flow.StepVideo:
		return sdk.PurposeVideo
	}
	return sdk.PurposeSelfie
}

// SceneFor is what a camera that acts out the steps (the demo camera) shows at step before any
// recording: the face, the signed sheet, or the person ready to show challenge's numbers.
func SceneFor(step flow.Step, challenge []int) capture.Scene {
	switch step {
	case flow.StepSignature:
		return capture.Scene{Kind: capture.SceneSignature}
	case flow.StepVideo:
		return capture.Scene{Kind: capture.SceneChallenge, Numbers: challenge}
	}
	return capture.Scene{Kind: capture.SceneFace}
}

// EncodeJPEG encodes img at quality q as the flow and the plugins receive it.
func EncodeJPEG(img image.Image, q int) (sdk.Image, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		return sdk.Image{}, err
	}
	b := img.Bounds()
	return sdk.Image{Data: buf.Bytes(), Format: "jpeg", Width: b.Dx(), Height: b.Dy()}, nil
}

// Preview holds the newest camera frame of a capture screen: the reader writes it, the screen
// draws it, the hints and the captures read it. The zero value is ready.
type Preview struct {
	mu      sync.Mutex
	last    *image.RGBA
	at      time.Time
	frames  int  // frames read from the camera
	shown   int  // frames taken for drawing
	pending bool // a draw was asked for and has not taken its frame yet
}

// put stores the newest frame and reports whether a draw must be asked for (none is pending).
func (p *Preview) put(img *image.RGBA, at time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last, p.at = img, at
	p.frames++
	ask := !p.pending
	p.pending = true
	return ask
}

// Take is the draw's side: the newest frame, counted as shown. The next frame asks for a new draw.
func (p *Preview) Take() *image.RGBA {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending = false
	p.shown++
	return p.last
}

// Latest is the newest frame and when it was captured (nil before the first).
func (p *Preview) Latest() (*image.RGBA, time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last, p.at
}

// Counts reports how many frames were read and taken for drawing (the preview benchmark).
func (p *Preview) Counts() (read, shown int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.frames, p.shown
}

// Display is the screen as the reader sees it. Its methods are called on the reader's
// goroutine; the screen moves to its own.
type Display interface {
	// Live says frames arrive: the first one, or the first after a failure.
	Live()
	// Lost says the source failed (capture.ErrDisconnected for a pulled camera, another error
	// otherwise); it is called once per outage, and Live follows when frames come back.
	Lost(err error)
	// Draw asks for the newest frame to be drawn with Preview.Take. It is not asked again until
	// that Take, so a screen that falls behind skips frames instead of queueing them.
	Draw()
}

// Read feeds p from src until ctx ends. A failed Read is reported once and retried: a webcam
// source reconnects inside Read.
func (p *Preview) Read(ctx context.Context, src capture.Source, d Display) {
	lost, first := false, true
	for ctx.Err() == nil {
		f, err := src.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if !lost {
				lost = true
				d.Lost(err)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(retryAfter):
			}
			continue
		}
		if lost || first {
			lost, first = false, false
			d.Live()
		}
		if p.put(f.Img, f.Time) {
			d.Draw()
		}
	}
}

// Hints asks a for live guidance on the newest frame of step every interval until ctx ends,
// and hands each answer (or the error) to show, off the caller's goroutine. A frame is asked
// about once; a nil analyzer asks nothing.
func Hints(ctx context.Context, p *Preview, a sdk.FrameAnalyzer, step flow.Step, every time.Duration, show func(sdk.FrameAnalysis, error)) {
	if a == nil {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	var lastAt time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		frame, at := p.Latest()
		if frame == nil || !at.After(lastAt) {
			continue
		}
		lastAt = at
		enc, err := EncodeJPEG(frame, hintQuality)
		if err != nil {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		res, err := a.AnalyzeFrame(cctx, sdk.FrameRequest{Image: enc, Purpose: Purpose(step), Guide: flow.Guide(step)})
		cancel()
		if ctx.Err() != nil {
			return
		}
		show(res, err)
	}
}

// Countdown calls tick(n) for n = from … 1, each followed by a pause of each, and reports
// whether it ran to the end (false: ctx ended first).
func Countdown(ctx context.Context, from int, each time.Duration, tick func(n int)) bool {
	for n := from; n > 0; n-- {
		tick(n)
		select {
		case <-ctx.Done():
			return false
		case <-time.After(each):
		}
	}
	return true
}

// ErrNoFrame is Still's answer when the camera delivered no frame in time.
var ErrNoFrame = errors.New("camera: no frame to capture")

// Still is the selfie or signature photo: the newest frame, encoded for the flow. When the
// camera has only just started it waits up to wait for the first frame.
func Still(ctx context.Context, p *Preview, wait time.Duration) (sdk.Image, error) {
	deadline := time.Now().Add(wait)
	frame, _ := p.Latest()
	for frame == nil && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
		frame, _ = p.Latest()
	}
	if frame == nil {
		return sdk.Image{}, ErrNoFrame
	}
	return EncodeJPEG(frame, stillQuality)
}

// Schedule is the video step's challenge timing: N numbers shown one after another, left to
// right, the recording's Length split evenly between them.
type Schedule struct {
	N      int
	Length time.Duration
}

// Hold is how long each number is due.
func (s Schedule) Hold() time.Duration {
	if s.N <= 0 {
		return 0
	}
	return s.Length / time.Duration(s.N)
}

// At is the index of the number due el into the recording: number i during
// [i·Hold, (i+1)·Hold), the window capture.Scene gives the demo camera; -1 without numbers, the
// last one from the end of the recording on.
func (s Schedule) At(el time.Duration) int {
	hold := s.Hold()
	if hold <= 0 || el < 0 {
		return -1
	}
	return int(min(el/hold, time.Duration(s.N-1)))
}

// SceneReaction is how long after a number's window opens the demo camera's person shows it: a
// person's reaction time.
const SceneReaction = 500 * time.Millisecond

func windowEnd(w sdk.Window) time.Duration { return time.Duration(w.EndMS) * time.Millisecond }

// WindowAt is the index of the window el into the recording falls in, -1 outside them all.
func WindowAt(ws []sdk.Window, el time.Duration) int {
	ms := el.Milliseconds()
	for i, w := range ws {
		if ms >= w.StartMS && ms < w.EndMS {
			return i
		}
	}
	return -1
}

// Recorder receives a video take's frames (capture/cvcam.Recorder writes an AVI).
type Recorder interface {
	Write(f capture.Frame) error
	Close() error
}

// Recording is one video take.
type Recording struct {
	Length time.Duration
	FPS    int
	// Challenge are the numbers the applicant shows; a Scener (the demo camera) is told them
	// with the recording's start and the time per number.
	Challenge []int
	// Windows, when set (one per number), are when each number is due, from the recording's
	// start (flow.Snapshot.Windows): the Scener is told number i at its window's start, acting it
	// out after a person's reaction time (SceneReaction), instead of an even share each.
	Windows []sdk.Window
	Scener  capture.Scener
	// Open, when set, opens a file for the take; the frames sent to the flow go to it too. A
	// recorder that fails to open or to write is dropped: the check goes on without a file.
	Open func() (Recorder, error)
	// Progress is called on every tick with the time since the start (off the caller's
	// goroutine): the screen shows the seconds left and lights Schedule.At(el).
	Progress func(el time.Duration)
}

// Run samples p at FPS for Length and returns the frames for the flow: each new camera frame
// once, JPEG-encoded, timestamped from the start. When ctx ends first it returns ctx's error.
func (r Recording) Run(ctx context.Context, p *Preview) ([]sdk.Frame, error) {
	rec := r.open()
	defer func() {
		if rec != nil {
			_ = rec.Close() // best effort: the frames also go to the flow
		}
	}()
	var frames []sdk.Frame
	start := time.Now()
	timed := len(r.Windows) > 0 && len(r.Windows) == len(r.Challenge)
	if r.Scener != nil && len(r.Challenge) > 0 && !timed {
		r.Scener.SetScene(capture.Scene{Kind: capture.SceneChallenge, Numbers: r.Challenge, Start: start,
			Hold: Schedule{N: len(r.Challenge), Length: r.Length}.Hold()})
	}
	told := -1 // the last window the Scener was told
	t := time.NewTicker(time.Second / time.Duration(max(r.FPS, 1)))
	defer t.Stop()
	var lastAt time.Time
	for el := time.Duration(0); el < r.Length; el = time.Since(start) {
		if timed && r.Scener != nil && told+1 < len(r.Windows) && (told < 0 || el >= windowEnd(r.Windows[told])+SceneReaction) {
			// number told+1 from a reaction after its window opens, for as long as it is due
			told++
			w := r.Windows[told]
			r.Scener.SetScene(capture.Scene{Kind: capture.SceneChallenge, Numbers: []int{r.Challenge[told]},
				Start: start.Add(time.Duration(w.StartMS)*time.Millisecond + SceneReaction),
				Hold:  time.Duration(w.EndMS-w.StartMS) * time.Millisecond})
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
		}
		if r.Progress != nil {
			r.Progress(time.Since(start))
		}
		img, at := p.Latest()
		if img == nil || !at.After(lastAt) {
			continue
		}
		lastAt = at
		enc, err := EncodeJPEG(img, videoQuality)
		if err != nil {
			continue
		}
		frames = append(frames, sdk.Frame{Image: enc, TimestampMS: at.Sub(start).Milliseconds()})
		if rec != nil && rec.Write(capture.Frame{Img: img, Seq: uint64(len(frames)), Time: at}) != nil {
			_ = rec.Close() // a failed recording must not stop the check
			rec = nil
		}
	}
	return frames, nil
}

func (r Recording) open() Recorder {
	if r.Open == nil {
		return nil
	}
	rec, err := r.Open()
	if err != nil {
		return nil
	}
	return rec
}
