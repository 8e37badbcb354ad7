package framestats

import (
	"image"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// frame is a w×h grey picture of level v with Gaussian noise of sigma (0: none), shifted right by
// dx pixels (a pattern of vertical stripes makes the shift visible).
func frame(rng *rand.Rand, w, h int, sigma float64, dx int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := 120.0 + 6*math.Sin(float64(x-dx)/5)
			if sigma > 0 {
				v += rng.NormFloat64() * sigma
			}
			u := uint8(max(0, min(255, math.Round(v))))
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = u, u, u, 255
		}
	}
	return img
}

func TestFindings(t *testing.T) {
	const w, h = 160, 120
	t0 := time.Unix(0, 0)
	for _, c := range []struct {
		name    string
		sigma   float64
		move    bool          // shift by one pixel every frame
		repeat  bool          // every frame the same picture
		every   time.Duration // interval
		stall   bool          // every third interval 100 ms longer
		n       int
		suspect []string
		unmeas  bool
	}{
		{name: "sensor noise, still", sigma: 1.5, every: 66 * time.Millisecond, n: 40},
		{name: "sensor noise, swaying", sigma: 1.5, move: true, every: 66 * time.Millisecond, n: 40},
		{name: "rendered, swaying", move: true, every: 66 * time.Millisecond, n: 40, suspect: []string{"noise", "frozen"}},
		{name: "rendered, still", every: 66 * time.Millisecond, n: 40, suspect: []string{"repeats", "noise", "frozen"}},
		{name: "a still photo", sigma: 1.5, repeat: true, every: 66 * time.Millisecond, n: 40, suspect: []string{"repeats", "noise", "frozen"}},
		{name: "stalls", sigma: 1.5, stall: true, every: 40 * time.Millisecond, n: 40, suspect: []string{"timing"}},
		{name: "too few frames", sigma: 1.5, every: 66 * time.Millisecond, n: 10, unmeas: true},
		{name: "gaps restart the pairs", sigma: 1.5, every: 2 * time.Second, n: 40, unmeas: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			m := NewMeter()
			at := t0
			first := frame(rng, w, h, c.sigma, 0)
			for i := range c.n {
				img := first
				if !c.repeat {
					dx := 0
					if c.move {
						dx = i % 3
					}
					img = frame(rng, w, h, c.sigma, dx)
				}
				step := c.every
				if c.stall && i%3 == 0 {
					step += 100 * time.Millisecond
				}
				at = at.Add(step)
				m.Add(img, at)
			}
			r := m.Report()
			got := map[string]Status{}
			for _, f := range r.Findings() {
				got[f.Cue] = f.Status
			}
			if c.unmeas {
				if got["frames"] != Unmeasured || r.Synthetic() {
					t.Errorf("want unmeasured, got %v (%+v)", got, r)
				}
				return
			}
			want := map[string]bool{}
			for _, s := range c.suspect {
				want[s] = true
			}
			for _, cue := range []string{"timing", "repeats", "noise", "frozen"} {
				if (got[cue] == Suspect) != want[cue] {
					t.Errorf("%s: %v, want suspect %v (report %+v)", cue, got[cue], want[cue], r)
				}
			}
			if got["blockiness"] != Info {
				t.Errorf("blockiness decided: %v", got["blockiness"])
			}
			if c.sigma > 0 && !c.repeat && math.Abs(r.NoiseDN-c.sigma) > 0.5 {
				t.Errorf("noise %.2f DN, want about %.1f", r.NoiseDN, c.sigma)
			}
		})
	}
}

func TestResetForgets(t *testing.T) {
	m := NewMeter()
	rng := rand.New(rand.NewPCG(3, 4))
	at := time.Unix(0, 0)
	for range 5 {
		at = at.Add(66 * time.Millisecond)
		m.Add(frame(rng, 64, 48, 1, 0), at)
	}
	m.Reset()
	if r := m.Report(); r.Frames != 0 || r.Pairs != 0 {
		t.Errorf("after Reset: %+v", r)
	}
}

// BenchmarkAdd is the meter's cost per 640×480 frame (it runs on every camera frame).
func BenchmarkAdd(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	frames := []*image.RGBA{frame(rng, 640, 480, 1.5, 0), frame(rng, 640, 480, 1.5, 1)}
	m := NewMeter()
	at := time.Unix(0, 0)
	b.ResetTimer()
	for i := range b.N {
		at = at.Add(66 * time.Millisecond)
		m.Add(frames[i%2], at)
	}
}
