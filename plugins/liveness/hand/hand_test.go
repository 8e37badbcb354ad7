package hand

import (
	"image"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"gocv.io/x/gocv"

	"github.com/ehraz/ehraz/plugins/liveness/model"
	"github.com/ehraz/ehraz/synth"
)

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

func landmarker(tb testing.TB) *Landmarker {
	tb.Helper()
	dir := filepath.Join(repoRoot(), "models", "liveness")
	if d := os.Getenv("EHRAZ_MODEL_DIR"); d != "" {
		dir = filepath.Join(d, "liveness")
	}
	rt, err := model.Open(dir, 1)
	if err != nil {
		tb.Skipf("liveness models not prepared (run `make liveness-models`): %v", err)
	}
	l, err := NewLandmarker(rt)
	if err != nil {
		tb.Skipf("hand model not prepared: %v", err)
	}
	tb.Cleanup(func() { _ = l.Close() })
	return l
}

func decodeFile(tb testing.TB, path string) Frame {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Skipf("%s absent (run `make liveness-models`): %v", path, err)
	}
	m, err := gocv.IMDecode(b, gocv.IMReadColor)
	if err != nil || m.Empty() {
		tb.Fatalf("decode %s: %v", path, err)
	}
	defer m.Close()
	return Frame{BGR: m.ToBytes(), W: m.Cols(), H: m.Rows()}
}

// The converted model on real hands: npm @vladmandic/face-api's demo photo sample2.jpg has two
// visible hands; a crop of sofa and hair must not pass the presence gate.
func TestLandmarksOnRealHands(t *testing.T) {
	l := landmarker(t)
	f := decodeFile(t, filepath.Join(repoRoot(), ".cache", "liveness", "sample2.jpg"))
	cases := []struct {
		name string
		box  image.Rectangle
		hand bool
	}{
		{"hand at the mouth", image.Rect(180, 250, 480, 550), true},
		{"hand on the knee", image.Rect(760, 1000, 1000, 1240), true},
		{"no hand (corner)", image.Rect(0, 0, 300, 300), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lm, err := l.Run(f, c.box)
			if err != nil {
				t.Fatal(err)
			}
			if got := lm.Presence >= PresenceGate; got != c.hand {
				t.Fatalf("presence %.3f, hand=%v want %v", lm.Presence, got, c.hand)
			}
		})
	}
}

// renderFrame draws one synthetic hand (fingers up) on a white 320×240 frame.
func renderFrame(n int, skin int, mirror bool) Frame {
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for i := range img.Pix {
		img.Pix[i] = 245
	}
	synth.HandPose{Count: n, X: 160, Y: 150, Palm: 56, Skin: synth.Skins[skin], Mirror: mirror, Forearm: true}.Draw(img)
	bgr := make([]byte, 320*240*3)
	for i := range 320 * 240 {
		bgr[3*i], bgr[3*i+1], bgr[3*i+2] = img.Pix[4*i+2], img.Pix[4*i+1], img.Pix[4*i]
	}
	return Frame{BGR: bgr, W: 320, H: 240}
}

func TestClassicalCountOnRenderedHands(t *testing.T) {
	for n := range 6 {
		for _, skin := range []int{0, 3, 5} {
			for _, mirror := range []bool{false, true} {
				f := renderFrame(n, skin, mirror)
				m := NotWhite(f.BGR, f.W, f.H)
				blob, ok := m.Locate(200)
				if !ok {
					t.Fatalf("n=%d skin=%d: hand not located", n, skin)
				}
				if got := CountContour(blob.Mask); got != n {
					t.Errorf("n=%d skin=%d mirror=%v: counted %d", n, skin, mirror, got)
				}
			}
		}
	}
}

func TestLandmarkCountGeometry(t *testing.T) {
	// an open hand (fingers up, thumb out) and a fist, in frame pixels
	open := Landmarks{Points: [21][3]float64{
		{100, 200}, {80, 185}, {65, 165}, {55, 148}, {45, 132}, // wrist, thumb
		{85, 140}, {82, 115}, {80, 100}, {79, 85}, // index
		{100, 137}, {100, 110}, {100, 93}, {100, 78}, // middle
		{115, 140}, {117, 115}, {118, 100}, {119, 87}, // ring
		{128, 146}, {132, 127}, {134, 116}, {136, 105}, // little
	}}
	if got := open.Count(); got != 5 {
		t.Fatalf("open hand counted %d", got)
	}
	fist := open
	for _, f := range [4][4]int{{5, 6, 7, 8}, {9, 10, 11, 12}, {13, 14, 15, 16}, {17, 18, 19, 20}} {
		m := fist.Points[f[0]]
		fist.Points[f[1]] = [3]float64{m[0], m[1] - 10}
		fist.Points[f[2]] = [3]float64{m[0], m[1] + 2}
		fist.Points[f[3]] = [3]float64{m[0], m[1] + 12}
	}
	fist.Points[4] = [3]float64{95, 160}
	fist.Points[3] = [3]float64{80, 165}
	if got := fist.Count(); got != 0 {
		t.Fatalf("fist counted %d", got)
	}
	two := fist
	two.Points[6], two.Points[7], two.Points[8] = open.Points[6], open.Points[7], open.Points[8]
	two.Points[10], two.Points[11], two.Points[12] = open.Points[10], open.Points[11], open.Points[12]
	if got := two.Count(); got != 2 {
		t.Fatalf("two fingers counted %d", got)
	}
}

// The thumb is judged in the palm's own frame: an open hand turned by any angle still counts 5,
// and the same hand with the thumb folded across the palm (its tip by the middle knuckle, as in
// "4") counts 4 at every angle.
func TestThumbInPalmFrame(t *testing.T) {
	open := Landmarks{Points: [21][3]float64{
		{100, 200}, {80, 185}, {65, 165}, {55, 148}, {45, 132},
		{85, 140}, {82, 115}, {80, 100}, {79, 85},
		{100, 137}, {100, 110}, {100, 93}, {100, 78},
		{115, 140}, {117, 115}, {118, 100}, {119, 87},
		{128, 146}, {132, 127}, {134, 116}, {136, 105},
	}}
	four := open
	four.Points[3], four.Points[4] = [3]float64{80, 160}, [3]float64{98, 150}
	turn := func(l Landmarks, a float64) Landmarks {
		c, s := math.Cos(a), math.Sin(a)
		for i, p := range l.Points {
			x, y := p[0]-100, p[1]-200
			l.Points[i] = [3]float64{100 + c*x - s*y, 200 + s*x + c*y}
		}
		return l
	}
	for _, deg := range []float64{-60, -25, 0, 25, 60, 180} {
		a := deg * math.Pi / 180
		if got := turn(open, a).Count(); got != 5 {
			t.Errorf("open hand turned %v°: %d", deg, got)
		}
		if got := turn(four, a).Count(); got != 4 {
			t.Errorf("thumb folded, turned %v°: %d", deg, got)
		}
	}
}
