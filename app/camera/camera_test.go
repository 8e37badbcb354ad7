package camera

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/capture"
	"github.com/ehraz/ehraz/plugins/sdk"
)

func TestScheduleWindows(t *testing.T) {
	for _, c := range []struct {
		name   string
		s      Schedule
		hold   time.Duration
		at     []time.Duration
		wantAt []int
	}{
		{"three numbers in 5 s", Schedule{N: 3, Length: 5 * time.Second}, 5 * time.Second / 3,
			[]time.Duration{0, 1666666665, 1666666666, 3333333331, 3333333332, 5 * time.Second, time.Minute},
			[]int{0, 0, 1, 1, 2, 2, 2}},
		{"four numbers in 400 ms", Schedule{N: 4, Length: 400 * time.Millisecond}, 100 * time.Millisecond,
			[]time.Duration{0, 99 * time.Millisecond, 100 * time.Millisecond, 250 * time.Millisecond, 399 * time.Millisecond},
			[]int{0, 0, 1, 2, 3}},
		{"one number", Schedule{N: 1, Length: time.Second}, time.Second,
			[]time.Duration{0, 999 * time.Millisecond, 2 * time.Second}, []int{0, 0, 0}},
		{"no challenge", Schedule{N: 0, Length: time.Second}, 0,
			[]time.Duration{0, time.Second}, []int{-1, -1}},
		{"no length", Schedule{N: 3}, 0, []time.Duration{0, time.Second}, []int{-1, -1}},
		{"before the start", Schedule{N: 3, Length: time.Second}, time.Second / 3, []time.Duration{-time.Millisecond}, []int{-1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.s.Hold(); got != c.hold {
				t.Errorf("Hold = %v, want %v", got, c.hold)
			}
			for i, el := range c.at {
				if got := c.s.At(el); got != c.wantAt[i] {
					t.Errorf("At(%v) = %d, want %d", el, got, c.wantAt[i])
				}
			}
			// Number i is due during [i·Hold, (i+1)·Hold): the screen lights what the demo camera
			// shows (capture.Scene).
			for i := 0; i < c.s.N && c.s.Hold() > 0; i++ {
				from := time.Duration(i) * c.s.Hold()
				if got := c.s.At(from); got != i {
					t.Errorf("At(%d·Hold) = %d", i, got)
				}
				if got := c.s.At(from + c.s.Hold() - 1); got != i {
					t.Errorf("At(%d·Hold + Hold - 1ns) = %d", i, got)
				}
			}
		})
	}
}

func TestPreviewPacing(t *testing.T) {
	// Each row: frames put, then whether a Take follows; ask counts the draws asked for.
	for _, c := range []struct {
		name      string
		script    string // p: a frame arrives, t: the screen takes the newest
		asks      int
		read, shw int
	}{
		{"a screen that keeps up", "ptptpt", 3, 3, 3},
		{"a screen that falls behind draws the newest only", "pppptpp", 2, 6, 1},
		{"nothing drawn before a frame", "", 0, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			var p Preview
			asks := 0
			var last *image.RGBA
			for i, op := range c.script {
				switch op {
				case 'p':
					last = image.NewRGBA(image.Rect(0, 0, 2, 2))
					if p.put(last, time.Unix(int64(i), 0)) {
						asks++
					}
				case 't':
					if got := p.Take(); got != last {
						t.Errorf("Take at %d is not the newest frame", i)
					}
				}
			}
			if asks != c.asks {
				t.Errorf("%d draws asked for, want %d", asks, c.asks)
			}
			if r, s := p.Counts(); r != c.read || s != c.shw {
				t.Errorf("counts read %d shown %d, want %d %d", r, s, c.read, c.shw)
			}
		})
	}
}

// scriptSource answers Read from a script: nil for a frame, an error for a failure; after the
// script it blocks until ctx ends.
type scriptSource struct {
	mu     sync.Mutex
	script []error
	seq    uint64
}

func (s *scriptSource) Read(ctx context.Context) (capture.Frame, error) {
	s.mu.Lock()
	if len(s.script) == 0 {
		s.mu.Unlock()
		<-ctx.Done()
		return capture.Frame{}, ctx.Err()
	}
	err := s.script[0]
	s.script = s.script[1:]
	s.seq++
	seq := s.seq
	s.mu.Unlock()
	if err != nil {
		return capture.Frame{}, err
	}
	return capture.Frame{Img: image.NewRGBA(image.Rect(0, 0, 4, 4)), Seq: seq, Time: time.Now()}, nil
}

func (s *scriptSource) Info() capture.Info { return capture.Info{Kind: "test"} }
func (s *scriptSource) Close() error       { return nil }

// logDisplay records the reader's news and takes every frame at once.
type logDisplay struct {
	mu  sync.Mutex
	p   *Preview
	log []string
}

func (d *logDisplay) add(s string) { d.mu.Lock(); d.log = append(d.log, s); d.mu.Unlock() }
func (d *logDisplay) Live()        { d.add("live") }
func (d *logDisplay) Draw()        { d.add("draw"); d.p.Take() }
func (d *logDisplay) Lost(err error) {
	if errors.Is(err, capture.ErrDisconnected) {
		d.add("lost:disconnected")
	} else {
		d.add("lost:error")
	}
}

func TestReadReportsEachOutageOnce(t *testing.T) {
	defer func(d time.Duration) { retryAfter = d }(retryAfter)
	retryAfter = time.Millisecond
	boom := errors.New("usb reset")
	for _, c := range []struct {
		name   string
		script []error
		want   []string
	}{
		{"frames", []error{nil, nil}, []string{"live", "draw", "draw"}},
		{"pulled and back", []error{nil, capture.ErrDisconnected, capture.ErrDisconnected, capture.ErrDisconnected, nil},
			[]string{"live", "draw", "lost:disconnected", "live", "draw"}},
		{"pulled before the first frame", []error{capture.ErrDisconnected, nil}, []string{"lost:disconnected", "live", "draw"}},
		{"another fault", []error{nil, boom, nil, boom}, []string{"live", "draw", "lost:error", "live", "draw", "lost:error"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var p Preview
			d := &logDisplay{p: &p}
			src := &scriptSource{script: slices.Clone(c.script)}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { p.Read(ctx, src, d); close(done) }()
			waitFor(t, func() bool { src.mu.Lock(); defer src.mu.Unlock(); return len(src.script) == 0 })
			time.Sleep(20 * time.Millisecond)
			cancel()
			<-done
			if !slices.Equal(d.log, c.want) {
				t.Errorf("display got %v, want %v", d.log, c.want)
			}
		})
	}
}

func TestEncodeJPEG(t *testing.T) {
	for _, c := range []struct {
		w, h, q int
	}{{640, 480, hintQuality}, {640, 480, stillQuality}, {320, 240, videoQuality}, {1, 1, 50}} {
		img := testImage(c.w, c.h, 0)
		enc, err := EncodeJPEG(img, c.q)
		if err != nil {
			t.Fatal(err)
		}
		if enc.Format != "jpeg" || enc.Width != c.w || enc.Height != c.h {
			t.Errorf("%dx%d q%d: %s %dx%d", c.w, c.h, c.q, enc.Format, enc.Width, enc.Height)
		}
		back, err := jpeg.Decode(bytes.NewReader(enc.Data))
		if err != nil || back.Bounds().Dx() != c.w || back.Bounds().Dy() != c.h {
			t.Errorf("%dx%d q%d does not decode to its size: %v", c.w, c.h, c.q, err)
		}
	}
	lo, _ := EncodeJPEG(testImage(640, 480, 0), hintQuality)
	hi, _ := EncodeJPEG(testImage(640, 480, 0), stillQuality)
	if len(hi.Data) <= len(lo.Data) {
		t.Errorf("the still (q%d, %d bytes) is not finer than a hint (q%d, %d bytes)", stillQuality, len(hi.Data), hintQuality, len(lo.Data))
	}
}

func TestStill(t *testing.T) {
	t.Run("newest frame", func(t *testing.T) {
		var p Preview
		p.put(testImage(64, 48, 1), time.Now())
		img, err := Still(context.Background(), &p, time.Second)
		if err != nil || img.Width != 64 || img.Format != "jpeg" {
			t.Fatalf("still: %+v %v", img.Width, err)
		}
	})
	t.Run("waits for the first frame", func(t *testing.T) {
		var p Preview
		go func() { time.Sleep(50 * time.Millisecond); p.put(testImage(32, 24, 1), time.Now()) }()
		img, err := Still(context.Background(), &p, 2*time.Second)
		if err != nil || img.Width != 32 {
			t.Fatalf("still: %d %v", img.Width, err)
		}
	})
	t.Run("no frame in time", func(t *testing.T) {
		var p Preview
		start := time.Now()
		if _, err := Still(context.Background(), &p, 60*time.Millisecond); !errors.Is(err, ErrNoFrame) {
			t.Fatalf("err %v, want ErrNoFrame", err)
		}
		if el := time.Since(start); el < 60*time.Millisecond {
			t.Errorf("gave up after %v", el)
		}
	})
	t.Run("screen left", func(t *testing.T) {
		var p Preview
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Still(ctx, &p, time.Minute); !errors.Is(err, ErrNoFrame) {
			t.Fatalf("err %v, want ErrNoFrame", err)
		}
	})
}

func TestCountdown(t *testing.T) {
	var got []int
	if !Countdown(context.Background(), 3, time.Millisecond, func(n int) { got = append(got, n) }) || !slices.Equal(got, []int{3, 2, 1}) {
		t.Errorf("countdown ticked %v", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	got = nil
	if Countdown(ctx, 3, time.Hour, func(n int) { got = append(got, n); cancel() }) || !slices.Equal(got, []int{3}) {
		t.Errorf("cancelled countdown ticked %v", got)
	}
}

// feed puts a new frame into p every period until ctx ends (the camera reader's part).
func feed(ctx context.Context, p *Preview, period time.Duration) {
	for i := 0; ctx.Err() == nil; i++ {
		p.put(testImage(64, 48, uint8(i)), time.Now())
		time.Sleep(period)
	}
}

type fakeScener struct {
	mu     sync.Mutex
	scenes []capture.Scene
}

func (s *fakeScener) SetScene(sc capture.Scene) {
	s.mu.Lock()
	s.scenes = append(s.scenes, sc)
	s.mu.Unlock()
}

type fakeRecorder struct {
	mu       sync.Mutex
	n        int
	failFrom int // Write fails from this frame on (0: never)
	closed   int
}

func (r *fakeRecorder) Write(f capture.Frame) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failFrom > 0 && int(f.Seq) >= r.failFrom {
		return errors.New("disk full")
	}
	r.n++
	return nil
}
func (r *fakeRecorder) Close() error { r.mu.Lock(); r.closed++; r.mu.Unlock(); return nil }

func TestRecordingHandsTheFlowItsFrames(t *testing.T) {
	for _, c := range []struct {
		name        string
		openErr     error
		failFrom    int
		wantWritten func(frames int) bool
	}{
		{"with a file", nil, 0, func(n int) bool { return true }},
		{"a file that cannot open", errors.New("no codec"), 0, nil},
		{"a file that fails midway", nil, 3, func(n int) bool { return n == 2 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			var p Preview
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go feed(ctx, &p, 5*time.Millisecond)
			sc := &fakeScener{}
			rec := &fakeRecorder{failFrom: c.failFrom}
			var mu sync.Mutex
			var progress []time.Duration
			take := Recording{Length: 300 * time.Millisecond, FPS: 20, Challenge: []int{3, 1, 4}, Scener: sc,
				Open: func() (Recorder, error) { return rec, c.openErr },
				Progress: func(el time.Duration) {
					mu.Lock()
					progress = append(progress, el)
					mu.Unlock()
				}}
			start := time.Now()
			frames, err := take.Run(ctx, &p)
			if err != nil {
				t.Fatal(err)
			}
			if el := time.Since(start); el < take.Length {
				t.Errorf("recording ended after %v", el)
			}
			// About Length·FPS frames, each a distinct camera frame, in time order, as JPEG.
			if len(frames) < 3 || len(frames) > 7 {
				t.Errorf("%d frames for 300 ms at 20 fps", len(frames))
			}
			for i, f := range frames {
				if f.Image.Format != "jpeg" || f.Image.Width != 64 || len(f.Image.Data) == 0 {
					t.Errorf("frame %d: %s %d", i, f.Image.Format, f.Image.Width)
				}
				if i > 0 && f.TimestampMS < frames[i-1].TimestampMS {
					t.Errorf("frame %d at %d ms before frame %d", i, f.TimestampMS, i-1)
				}
				if f.TimestampMS > take.Length.Milliseconds()+50 {
					t.Errorf("frame %d at %d ms: timestamps count from the start", i, f.TimestampMS)
				}
			}
			if len(progress) < 3 || !slices.IsSorted(progress) {
				t.Errorf("progress %v", progress)
			}
			// The demo camera was told the challenge with the start and the time per number.
			if len(sc.scenes) != 1 || !slices.Equal(sc.scenes[0].Numbers, []int{3, 1, 4}) || sc.scenes[0].Hold != 100*time.Millisecond ||
				sc.scenes[0].Start.Before(start) || sc.scenes[0].Kind != capture.SceneChallenge {
				t.Errorf("scenes %+v", sc.scenes)
			}
			switch {
			case c.openErr != nil:
				if rec.n != 0 || rec.closed != 0 {
					t.Errorf("a recorder that failed to open got %d frames, %d closes", rec.n, rec.closed)
				}
			case c.failFrom > 0:
				if rec.n != c.failFrom-1 || rec.closed != 1 {
					t.Errorf("failing recorder: %d frames, %d closes", rec.n, rec.closed)
				}
			default:
				if rec.n != len(frames) || rec.closed != 1 {
					t.Errorf("recorder got %d frames (%d closes), the flow %d", rec.n, rec.closed, len(frames))
				}
			}
		})
	}
}

func TestRecordingWithoutCameraOrWhenLeft(t *testing.T) {
	t.Run("no frames", func(t *testing.T) {
		var p Preview
		frames, err := Recording{Length: 50 * time.Millisecond, FPS: 50}.Run(context.Background(), &p)
		if err != nil || len(frames) != 0 {
			t.Errorf("a camera that delivers nothing: %d frames, %v", len(frames), err)
		}
	})
	t.Run("screen left", func(t *testing.T) {
		var p Preview
		p.put(testImage(8, 8, 0), time.Now())
		rec := &fakeRecorder{}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(30*time.Millisecond, cancel)
		frames, err := Recording{Length: time.Minute, FPS: 50, Open: func() (Recorder, error) { return rec, nil }}.Run(ctx, &p)
		if !errors.Is(err, context.Canceled) || frames != nil {
			t.Errorf("left mid-recording: %d frames, %v", len(frames), err)
		}
		if rec.closed != 1 {
			t.Errorf("recorder closed %d times", rec.closed)
		}
	})
}

type fakeAnalyzer struct {
	mu   sync.Mutex
	reqs []sdk.FrameRequest
	err  error
}

func (a *fakeAnalyzer) AnalyzeFrame(_ context.Context, req sdk.FrameRequest) (sdk.FrameAnalysis, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reqs = append(a.reqs, req)
	return sdk.FrameAnalysis{Ready: true}, a.err
}

func TestHints(t *testing.T) {
	for _, c := range []struct {
		step    flow.Step
		purpose sdk.Purpose
		err     error
	}{
		{flow.StepSelfie, sdk.PurposeSelfie, nil},
		{flow.StepSignature, sdk.PurposeSignature, nil},
		{flow.StepVideo, sdk.PurposeVideo, errors.New("plugin down")},
	} {
		t.Run(string(c.step), func(t *testing.T) {
			var p Preview
			p.put(testImage(64, 48, 0), time.Now())
			a := &fakeAnalyzer{err: c.err}
			ctx, cancel := context.WithCancel(context.Background())
			var mu sync.Mutex
			var errs []error
			done := make(chan struct{})
			go func() {
				Hints(ctx, &p, a, c.step, 5*time.Millisecond, func(_ sdk.FrameAnalysis, err error) {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				})
				close(done)
			}()
			time.Sleep(60 * time.Millisecond) // many ticks, one frame: asked once
			p.put(testImage(64, 48, 1), time.Now())
			waitFor(t, func() bool { a.mu.Lock(); defer a.mu.Unlock(); return len(a.reqs) == 2 })
			time.Sleep(30 * time.Millisecond)
			cancel()
			<-done
			if len(a.reqs) != 2 {
				t.Fatalf("%d requests for two frames", len(a.reqs))
			}
			for _, r := range a.reqs {
				if r.Purpose != c.purpose || r.Guide != flow.Guide(c.step) || r.Image.Format != "jpeg" {
					t.Errorf("request %v %v %s", r.Purpose, r.Guide, r.Image.Format)
				}
			}
			if len(errs) != 2 || !errors.Is(errs[0], c.err) {
				t.Errorf("shown %v", errs)
			}
		})
	}
	// Without an analyzer there is nothing to ask: Hints returns at once.
	Hints(context.Background(), &Preview{}, nil, flow.StepSelfie, time.Millisecond, func(sdk.FrameAnalysis, error) { t.Error("shown") })
}

func TestStepMappings(t *testing.T) {
	for _, c := range []struct {
		step    flow.Step
		purpose sdk.Purpose
		kind    capture.SceneKind
	}{
		{flow.StepSelfie, sdk.PurposeSelfie, capture.SceneFace},
		{flow.StepSignature, sdk.PurposeSignature, capture.SceneSignature},
		{flow.StepVideo, sdk.PurposeVideo, capture.SceneChallenge},
	} {
		if got := Purpose(c.step); got != c.purpose {
			t.Errorf("Purpose(%s) = %v", c.step, got)
		}
		sc := SceneFor(c.step, []int{2, 5})
		if sc.Kind != c.kind || !sc.Start.IsZero() {
			t.Errorf("SceneFor(%s) = %+v", c.step, sc)
		}
		if c.step == flow.StepVideo && !slices.Equal(sc.Numbers, []int{2, 5}) {
			t.Errorf("video scene numbers %v", sc.Numbers)
		}
	}
}

func testImage(w, h int, shade uint8) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, color.RGBA{R: uint8(x * 7), G: uint8(y * 5), B: shade, A: 255})
		}
	}
	return img
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(2 * time.Millisecond)
	}
}
