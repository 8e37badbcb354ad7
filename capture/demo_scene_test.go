package capture

import (
	"context"
	"image"
	"image/color"
	"testing"
	"time"

	"github.com/ehraz/ehraz/synth"
)

func TestCountFollowsTheRecordingShares(t *testing.T) {
	nums := []int{3, 1, 4}
	const ms = time.Millisecond
	for _, tc := range []struct {
		name string
		rec  time.Duration
		hold time.Duration
		want int
	}{
		{"before the recording", -ms, 1667 * ms, -1},
		{"start of the first share", 0, 1667 * ms, 3},
		{"end of the first share", 1666 * ms, 1667 * ms, 3},
		{"second share", 1667 * ms, 1667 * ms, 1},
		{"third share", 3334*ms + 1000*ms, 1667 * ms, 4},
		{"end of the last share", 5000 * ms, 1667 * ms, 4},
		{"after the recording", 5001 * ms, 1667 * ms, -1},
		{"no hold time", 500 * ms, 0, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := count(nums, tc.rec, tc.hold); got != tc.want {
				t.Errorf("count(%v, %v, %v) = %d, want %d", nums, tc.rec, tc.hold, got, tc.want)
			}
		})
	}
}

// TestDemoScenes: each scene draws what its step needs, from the same demo (drawn face, so no
// shared photos are needed), switching back and forth.
func TestDemoScenes(t *testing.T) {
	d, err := NewDemo(Config{FaceDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	base := time.Now()
	d.start = base
	at := func(ms int) *image.RGBA { return d.frameAt(base.Add(time.Duration(ms) * time.Millisecond)) }
	white := color.RGBA{255, 255, 255, 255}
	// face (the default)
	if err := d.Ready(ctx); err != nil {
		t.Fatalf("face scene: %v", err)
	}
	face := at(0)
	if c := face.RGBAAt(2, 2); c != white {
		t.Errorf("face scene corner %v, want white", c)
	}
	if n := nonWhite(face, image.Rect(300, 200, 340, 240)); n < 800 {
		t.Errorf("face scene: %d of 1600 centre pixels are not white: no face", n)
	}

	// signature: a bright sheet on a table, drifting
	d.SetScene(Scene{Kind: SceneSignature})
	if err := d.Ready(ctx); err != nil {
		t.Fatalf("signature scene: %v", err)
	}
	sig := at(0)
	if c := sig.RGBAAt(2, 2); c == white || c == face.RGBAAt(2, 2) {
		t.Errorf("signature scene corner %v: want the table, not the face scene's wall", c)
	}
	if m := meanGrey(sig, image.Rect(280, 200, 360, 280)); m < 150 {
		t.Errorf("signature scene centre grey %.0f, want the white sheet (≥ 150)", m)
	}
	if later := at(1700); later.Bounds() != sig.Bounds() || samePix(later, sig) {
		t.Errorf("signature scene does not drift (or changes size %v)", later.Bounds())
	}

	// challenge: no hand until the recording starts, then the numbers in order
	nums := []int{5, 1, 3}
	d.SetScene(Scene{Kind: SceneChallenge, Numbers: nums})
	if err := d.Ready(ctx); err != nil {
		t.Fatalf("challenge scene: %v", err)
	}
	d.smu.Lock()
	actor := d.actor.challenge
	d.smu.Unlock()
	// the hand's pixels: where the open hand's sprite is, the colour of its palm's centre
	five := actor.Hand(5)
	palm := five.RGBAAt(five.Rect.Min.X+five.Rect.Dx()/2, five.Rect.Min.Y+five.Rect.Dy()/3)
	skinAt := func(img *image.RGBA) int {
		r := image.Rect(five.Rect.Min.X-synth.HandDrift, five.Rect.Min.Y-synth.HandDrift, five.Rect.Max.X+synth.HandDrift, five.Rect.Min.Y+five.Rect.Dx())
		return near(img, r, palm, 50)
	}
	if n := skinAt(at(500)); n > 20 {
		t.Errorf("before the recording %d hand pixels, want none", n)
	}
	start := base.Add(time.Second)
	hold := 5 * time.Second / time.Duration(len(nums))
	d.SetScene(Scene{Kind: SceneChallenge, Numbers: nums, Start: start, Hold: hold})
	mid := func(i int) int { return int((time.Second + time.Duration(i)*hold + hold*3/5) / time.Millisecond) }
	n5, n1, n3 := skinAt(at(mid(0))), skinAt(at(mid(1))), skinAt(at(mid(2)))
	t.Logf("hand pixels showing 5, 1, 3: %d, %d, %d", n5, n1, n3)
	if n1 < 500 || !(n5 > n3 && n3 > n1) {
		t.Errorf("hand pixels while showing 5, 1, 3: %d, %d, %d; want a hand, more pixels for more fingers", n5, n1, n3)
	}
	if n := skinAt(at(7000)); n > 20 {
		t.Errorf("after the recording %d hand pixels, want none", n)
	}

	// back to the face
	d.SetScene(Scene{Kind: SceneFace})
	if again := at(0); !samePix(again, face) {
		t.Error("the face scene differs after the other scenes")
	}
}

func meanGrey(img *image.RGBA, r image.Rectangle) float64 {
	var s float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := img.RGBAAt(x, y)
			s += (float64(c.R) + float64(c.G) + float64(c.B)) / 3
		}
	}
	return s / float64(r.Dx()*r.Dy())
}

// near counts the pixels in r within tol of c on every channel.
func near(img *image.RGBA, r image.Rectangle, c color.RGBA, tol int) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			p := img.RGBAAt(x, y)
			if abs(int(p.R)-int(c.R)) <= tol && abs(int(p.G)-int(c.G)) <= tol && abs(int(p.B)-int(c.B)) <= tol {
				n++
			}
		}
	}
	return n
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func samePix(a, b *image.RGBA) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for i := range a.Pix {
		if a.Pix[i] != b.Pix[i] {
			return false
		}
	}
	return true
}
