package capture

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ehraz/ehraz/capture/framestats"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// The figures of the camera cues (README, "Camera injection"): each source's statistics over
// its frames, printed with -v as `framestats source=… key=value` lines, and what the cues decide.

func logReport(t *testing.T, source string, r framestats.Report) {
	t.Helper()
	t.Logf("framestats source=%s pairs=%d interval_ms=%.1f jitter_ms=%.2f irregular=%.2f repeated=%.2f noise_blocks=%d noise_dn=%.2f frozen=%.2f blockiness=%.2f synthetic=%v",
		source, r.Pairs, r.IntervalMS, r.JitterMS, r.Irregular, r.Repeated, r.NoiseBlocks, r.NoiseDN, r.Frozen, r.Blockiness, r.Synthetic())
}

func suspects(r framestats.Report) map[string]bool {
	out := map[string]bool{}
	for _, f := range r.Findings() {
		if f.Status == framestats.Suspect {
			out[f.Cue] = true
		}
	}
	return out
}

// TestDemoCameraIsFlaggedSynthetic reads the demo camera as the kiosk does (its own pacing, 3 s
// at 15 fps) through Measure: its frames repeat and carry no sensor noise.
func TestDemoCameraIsFlaggedSynthetic(t *testing.T) {
	demo, err := NewDemo(Config{Source: "demo", Width: 640, Height: 480, FPS: 15})
	if err != nil {
		t.Fatal(err)
	}
	src := Measure(demo)
	if _, ok := src.(Scener); !ok {
		t.Fatal("the measured demo is no longer a Scener: the screens could not direct it")
	}
	ctx := context.Background()
	for range 45 {
		if _, err := src.Read(ctx); err != nil {
			t.Fatal(err)
		}
	}
	m := src.(measuredScener).Measured
	r := m.Report()
	logReport(t, "demo", r)
	s := suspects(r)
	if !r.Synthetic() || !s["noise"] && !s["frozen"] {
		t.Errorf("demo camera not flagged by the noise floor: %+v", r.Findings())
	}
	v := m.CheckCamera(ctx)
	if v.Outcome != sdk.NeedsReview {
		t.Errorf("demo camera check %v %v, want needs-review", v.Outcome, v.Reasons)
	}
	if d, ok := rule(v, "camera.device"); !ok || d.Reason != reasonNotWebcam {
		t.Errorf("camera.device rule %+v", d)
	}
}

func rule(v sdk.Verdict, name string) (sdk.Rule, bool) {
	for _, r := range v.Rules {
		if r.Name == name {
			return r, true
		}
	}
	return sdk.Rule{}, false
}

// scenePhotos are the face photos of the shared test data (the demo's too).
func scenePhotos(t *testing.T, n int) []image.Image {
	t.Helper()
	dir := filepath.Join(sharedDir(), "testdata", "faces")
	names, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if len(names) < n {
		t.Skipf("needs %d photos in %s (the shared test data)", n, dir)
	}
	var out []image.Image
	for _, name := range names[:n] {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, img)
	}
	return out
}

// sensorClip renders n frames of a person (photo) before a light wall, as a USB webcam would
// deliver them: the person sways by a pixel or two, every pixel gets fresh shot and read noise
// (variance 0.25 + 0.008·I DN², so σ ≈ 1.3 DN at I = 200: a well-lit webcam), and each frame is
// JPEG-coded at quality 85 (MJPEG, the format cvcam asks USB cameras for).
func sensorClip(photo image.Image, n int, seed uint64) []*image.RGBA {
	rng := rand.New(rand.NewPCG(seed, 19))
	const w, h = 640, 480
	wall := image.NewRGBA(image.Rect(0, 0, w+8, h+8))
	for y := range h + 8 {
		for x := range w + 8 {
			v := uint8(222 - 18*y/(h+8))
			i := wall.PixOffset(x, y)
			wall.Pix[i], wall.Pix[i+1], wall.Pix[i+2], wall.Pix[i+3] = v, v-2, v-7, 255
		}
	}
	pb := photo.Bounds()
	sh := 400
	sw := pb.Dx() * sh / pb.Dy()
	person := image.NewRGBA(image.Rect(0, 0, sw, sh))
	for y := range sh {
		for x := range sw {
			person.Set(x, y, photo.At(pb.Min.X+x*pb.Dx()/sw, pb.Min.Y+y*pb.Dy()/sh))
		}
	}
	// standard normal samples and σ per level, drawn once (the clip has millions of pixels)
	normal := make([]float64, 1<<16)
	for i := range normal {
		normal[i] = rng.NormFloat64()
	}
	var sigma [256]float64
	for v := range sigma {
		sigma[v] = math.Sqrt(0.25 + 0.008*float64(v))
	}
	var out []*image.RGBA
	for i := range n {
		sec := float64(i) / 15
		dx := int(math.Round(2 * math.Sin(2*math.Pi*sec/5)))
		dy := int(math.Round(1 * math.Sin(2*math.Pi*sec/3)))
		f := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(f, f.Rect, wall, image.Pt(4, 4), draw.Src)
		draw.Draw(f, image.Rect(w/2-sw/2+dx, h-sh+dy+4, w/2-sw/2+dx+sw, h+dy+4), person, image.Point{}, draw.Src)
		for p := 0; p < len(f.Pix); p += 4 {
			for c := range 3 {
				v := f.Pix[p+c]
				n := float64(v) + normal[rng.IntN(len(normal))]*sigma[v]
				f.Pix[p+c] = uint8(max(0, min(255, math.Round(n))))
			}
		}
		out = append(out, jpegRoundTrip(f, 85))
	}
	return out
}

func jpegRoundTrip(img *image.RGBA, q int) *image.RGBA {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		panic(err)
	}
	d, err := jpeg.Decode(&buf)
	if err != nil {
		panic(err)
	}
	return toRGBA(d)
}

// reencode passes frames through what a replay's video codec does to still regions: a 16×16
// macroblock that changed little since the last coded frame is skipped (the decoder repeats it),
// the others are coded (JPEG quality 60 stands in for the codec's intra/residual coding).
func reencode(frames []*image.RGBA) []*image.RGBA {
	var out []*image.RGBA
	var last *image.RGBA
	for _, f := range frames {
		coded := jpegRoundTrip(f, 60)
		if last == nil {
			last = coded
			out = append(out, coded)
			continue
		}
		next := image.NewRGBA(f.Rect)
		copy(next.Pix, coded.Pix)
		for by := 0; by < f.Rect.Dy(); by += 16 {
			for bx := 0; bx < f.Rect.Dx(); bx += 16 {
				var sad, n float64
				for y := by; y < by+16; y++ {
					for x := bx; x < bx+16; x++ {
						i := f.PixOffset(x, y)
						sad += math.Abs(float64(coded.Pix[i+1]) - float64(last.Pix[i+1]))
						n++
					}
				}
				if sad/n < 4 {
					for y := by; y < by+16; y++ {
						i := f.PixOffset(bx, y)
						copy(next.Pix[i:i+64], last.Pix[i:i+64])
					}
				}
			}
		}
		last = next
		out = append(out, next)
	}
	return out
}

// times are capture times at 15 fps with a USB camera's arrival jitter (σ 1.5 ms), or with a
// network-fed virtual camera's stalls and bursts (every third frame late by 100 ms, the next
// two hurried).
func times(n int, stutter bool, seed uint64) []time.Time {
	rng := rand.New(rand.NewPCG(seed, 7))
	t0 := time.Unix(1_780_000_000, 0)
	out := make([]time.Time, n)
	at := t0
	for i := range out {
		step := time.Second/15 + time.Duration(rng.NormFloat64()*1.5*float64(time.Millisecond))
		if stutter {
			switch i % 3 {
			case 0:
				step += 100 * time.Millisecond
			default:
				step = 5 * time.Millisecond
			}
		}
		at = at.Add(step)
		out[i] = at
	}
	return out
}

func report(frames []*image.RGBA, at []time.Time) framestats.Report {
	m := framestats.NewMeter()
	for i, f := range frames {
		m.Add(f, at[i])
	}
	return m.Report()
}

// TestCameraCuesOnSensorLikeAndReplayedFrames: photo frames with sensor-like noise pass every
// cue; the same frames re-encoded like a replayed video, repeated like a still, or delivered
// with a virtual camera's stalls are flagged by the matching cue.
func TestCameraCuesOnSensorLikeAndReplayedFrames(t *testing.T) {
	photos := scenePhotos(t, 3)
	for i, photo := range photos {
		clip := sensorClip(photo, 36, uint64(i+1))
		at := times(len(clip), false, uint64(i+1))
		still := make([]*image.RGBA, len(clip))
		for k := range still {
			still[k] = clip[0]
		}
		for _, c := range []struct {
			name   string
			frames []*image.RGBA
			at     []time.Time
			flag   string // the cue that must find it suspect; "" = none may
		}{
			{"sensor", clip, at, ""},
			{"reencoded", reencode(clip), at, "frozen"},
			{"still", still, at, "repeats"},
			{"stutter", clip, times(len(clip), true, uint64(i+1)), "timing"},
		} {
			r := report(c.frames, c.at)
			logReport(t, fmt.Sprintf("%s-%d", c.name, i+1), r)
			s := suspects(r)
			if c.flag == "" && len(s) > 0 {
				t.Errorf("%s %d: flagged %v: %+v", c.name, i+1, s, r.Findings())
			}
			if c.flag != "" && !s[c.flag] {
				t.Errorf("%s %d: %s not flagged: %+v", c.name, i+1, c.flag, r.Findings())
			}
		}
	}
}
