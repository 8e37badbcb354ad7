package synth

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// A plain test "face" (a skin ellipse with eyes) is enough to check the clip's structure.
func testFace() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 200, 240))
	for y := range 240 {
		for x := range 200 {
			dx, dy := float64(x-100)/70, float64(y-120)/95
			c := color.RGBA{200, 200, 200, 255}
			if dx*dx+dy*dy < 1 {
				c = color.RGBA{210, 160, 130, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func TestClipLabelsFollowTheNumbersShown(t *testing.T) {
	cases := []struct {
		name  string
		kind  ClipKind
		shown []int
	}{
		{"genuine", Genuine, []int{3, 1, 5}},
		{"screen", ScreenReplay, []int{2, 4, 1}},
		{"print", Print, []int{5, 5, 2}},
		{"flat", FlatWarp, []int{1, 2, 3}},
		{"no hand", Genuine, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, err := MakeClip(ClipSpec{Face: testFace(), FaceBox: image.Rect(30, 25, 170, 215), Shown: c.shown, Kind: c.kind, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(cl.Frames) != len(cl.Labels) || len(cl.Frames) < 60 {
				t.Fatalf("%d frames, %d labels", len(cl.Frames), len(cl.Labels))
			}
			// the held numbers, in order, are exactly the ones shown
			var held []int
			for i, l := range cl.Labels {
				if l > 0 && (i == 0 || cl.Labels[i-1] != l) {
					held = append(held, l)
				}
				if c.shown == nil && l != -1 {
					t.Fatalf("frame %d labelled %d without a hand", i, l)
				}
			}
			if len(held) != len(c.shown) {
				t.Fatalf("held %v, shown %v", held, c.shown)
			}
			for i := range held {
				if held[i] != c.shown[i] {
					t.Fatalf("held %v, shown %v", held, c.shown)
				}
			}
			for i := 1; i < len(cl.Frames); i++ {
				if cl.Frames[i].TimestampMS <= cl.Frames[i-1].TimestampMS {
					t.Fatal("timestamps must increase")
				}
			}
			img, err := jpeg.Decode(bytes.NewReader(cl.Frames[0].Image.Data))
			if err != nil || img.Bounds().Dx() != 640 || img.Bounds().Dy() != 480 {
				t.Fatalf("frame 0: %v %v", err, img.Bounds())
			}
		})
	}
}

func TestRenderedHandCoversMoreWithMoreFingers(t *testing.T) {
	prev := 0
	for n := range 6 {
		img := image.NewRGBA(image.Rect(0, 0, 300, 300))
		HandPose{Count: n, X: 150, Y: 170, Palm: 80, Skin: Skins[2]}.Draw(img)
		cover := 0
		for i := 0; i < len(img.Pix); i += 4 {
			if img.Pix[i+3] != 0 {
				cover++
			}
		}
		if cover <= prev {
			t.Fatalf("%d fingers cover %d px, not more than %d", n, cover, prev)
		}
		prev = cover
	}
}

func TestHomographyMapsCorners(t *testing.T) {
	src := [4][2]float64{{0, 0}, {10, 0}, {10, 10}, {0, 10}}
	dst := [4][2]float64{{1, 2}, {12, 1}, {13, 12}, {0, 11}}
	h, ok := solveHomography(src, dst)
	if !ok {
		t.Fatal("degenerate")
	}
	for i := range src {
		x, y := h.apply(src[i][0], src[i][1])
		if d := (x-dst[i][0])*(x-dst[i][0]) + (y-dst[i][1])*(y-dst[i][1]); d > 1e-9 {
			t.Fatalf("corner %d → (%v,%v), want %v", i, x, y, dst[i])
		}
	}
}

// A clip following windows shows each number only from its reaction after its window opened
// (never before the window), in order, and a fist between.
func TestClipFollowsWindows(t *testing.T) {
	ws := []sdk.Window{{StartMS: 600, EndMS: 2000}, {StartMS: 2400, EndMS: 4200}, {StartMS: 4500, EndMS: 6000}}
	shown := []int{4, 2, 5}
	cl, err := MakeClip(ClipSpec{Face: testFace(), FaceBox: image.Rect(30, 25, 170, 215), Shown: shown, Kind: Genuine, Seed: 2,
		Windows: ws, ReactMS: 500, ReactJitterMS: 100})
	if err != nil {
		t.Fatal(err)
	}
	var held []int
	for i, l := range cl.Labels {
		ts := cl.Frames[i].TimestampMS
		if l > 0 && (i == 0 || cl.Labels[i-1] != l) {
			held = append(held, l)
			w := ws[len(held)-1]
			if ts < w.StartMS+400 || ts > w.StartMS+600+67 {
				t.Fatalf("number %d first shown at %d ms, window %+v with a 400–600 ms reaction", l, ts, w)
			}
		}
	}
	if len(held) != 3 || held[0] != 4 || held[1] != 2 || held[2] != 5 {
		t.Fatalf("held %v, want %v", held, shown)
	}
	if _, err := MakeClip(ClipSpec{Face: testFace(), FaceBox: image.Rect(30, 25, 170, 215), Shown: shown, Windows: ws[:2]}); err == nil {
		t.Error("two windows for three numbers made a clip")
	}
}
