package facecheck

import (
	"context"
	"image"
	"image/color"
	"image/draw"
	"slices"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// previewFrame places the good selfie, reduced to size×size, at (x, y) on a 640×480 grey frame.
func previewFrame(t testing.TB, x, y, size int, light float64) sdk.Image {
	t.Helper()
	face := resizeRGBA(loadImage(t, facesDir(t), goodSelfie, 1024), size, size)
	frame := image.NewRGBA(image.Rect(0, 0, 640, 480))
	draw.Draw(frame, frame.Bounds(), &image.Uniform{color.RGBA{120, 120, 120, 255}}, image.Point{}, draw.Src)
	draw.Draw(frame, image.Rect(x, y, x+size, y+size), face, image.Point{}, draw.Src)
	return encode(t, scaleLight(frame, light))
}

func hintKeys(a sdk.FrameAnalysis) []string {
	var ks []string
	for _, h := range a.Hints {
		ks = append(ks, h.Key)
	}
	return ks
}

func TestAnalyzeFrameHints(t *testing.T) {
	guide := sdk.Rect{X: 0.3, Y: 0.1, W: 0.4, H: 0.8} // an oval 256 px wide around the frame centre
	tests := []struct {
		name      string
		x, y, sz  int
		light     float64
		want      string // a hint that must be present ("" = ready)
		wantBoxes int
	}{
		{"centred", 170, 90, 300, 1, "", 1},
		{"far", 245, 165, 150, 1, "hint.face.move_closer", 1},
		{"close", 80, 0, 480, 1, "hint.face.move_back", 1},
		{"off centre", 0, 90, 300, 1, "hint.face.center", 1},
		{"dark", 170, 90, 300, 0.25, "hint.face.too_dark", 1},
		{"nobody", 0, 0, 0, 1, "hint.face.no_face", 0},
	}
	d := openTest(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d.remember(nil) // fresh "hold still" state
			var img sdk.Image
			if tc.sz == 0 {
				img = encode(t, scaleLight(imageRGBA(640, 480), 1))
			} else {
				img = previewFrame(t, tc.x, tc.y, tc.sz, tc.light)
			}
			a, err := d.AnalyzeFrame(context.Background(), sdk.FrameRequest{Image: img, Purpose: sdk.PurposeSelfie, Guide: guide})
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Boxes) != tc.wantBoxes {
				t.Fatalf("%d boxes, want %d (hints %v, measures %v)", len(a.Boxes), tc.wantBoxes, hintKeys(a), a.Measures)
			}
			if tc.want == "" {
				if !a.Ready || len(a.Hints) != 0 {
					t.Fatalf("not ready: hints %v measures %v", hintKeys(a), a.Measures)
				}
				return
			}
			if a.Ready || !slices.Contains(hintKeys(a), tc.want) {
				t.Fatalf("hints %v (ready %v), want %s; measures %v", hintKeys(a), a.Ready, tc.want, a.Measures)
			}
		})
	}
}

func TestAnalyzeFrameHoldStill(t *testing.T) {
	d := openTest(t)
	guide := sdk.Rect{X: 0.3, Y: 0.1, W: 0.4, H: 0.8}
	ctx := context.Background()
	first, _ := d.AnalyzeFrame(ctx, sdk.FrameRequest{Image: previewFrame(t, 170, 90, 300, 1), Purpose: sdk.PurposeSelfie, Guide: guide})
	same, _ := d.AnalyzeFrame(ctx, sdk.FrameRequest{Image: previewFrame(t, 170, 90, 300, 1), Purpose: sdk.PurposeSelfie, Guide: guide})
	moved, _ := d.AnalyzeFrame(ctx, sdk.FrameRequest{Image: previewFrame(t, 130, 70, 300, 1), Purpose: sdk.PurposeSelfie, Guide: guide})
	if slices.Contains(hintKeys(first), "hint.face.hold_still") || slices.Contains(hintKeys(same), "hint.face.hold_still") {
		t.Errorf("still face told to hold still: %v / %v", hintKeys(first), hintKeys(same))
	}
	if !slices.Contains(hintKeys(moved), "hint.face.hold_still") || moved.Ready {
		t.Errorf("moving face: hints %v measures %v", hintKeys(moved), moved.Measures)
	}
	for _, bad := range [][]byte{nil, []byte("garbage"), hugePNGHeader(40000, 40000)} {
		a, err := d.AnalyzeFrame(ctx, sdk.FrameRequest{Image: sdk.Image{Data: bad}, Purpose: sdk.PurposeSelfie})
		if err != nil || a.Ready || !slices.Contains(hintKeys(a), "hint.face.bad_frame") {
			t.Errorf("bad frame %q: ready %v hints %v err %v", bad, a.Ready, hintKeys(a), err)
		}
	}
}
