package facecheck

import (
	"context"
	"image"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// TestCheckSelfieMask paints a surgical-mask-blue shape over the mouth, nose and lower cheeks of
// the good photo (from its own landmarks) and expects the covering rule to fail.
func TestCheckSelfieMask(t *testing.T) {
	d := openTest(t)
	good := loadImage(t, facesDir(t), goodSelfie, 1024)
	pic, err := decode(encode(t, good))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := d.faces(pic, image.Rectangle{})
	if err != nil || len(fs) != 1 || len(fs[0].pts) != 68 {
		t.Fatalf("faces %d err %v", len(fs), err)
	}
	p := fs[0].pts
	// Jaw from ear to ear (points 1..15) closed over the nose bridge (point 28), in photo pixels.
	poly := append([]pt{}, p[1:16]...)
	poly = append(poly, p[28])
	masked := image.NewRGBA(good.Bounds())
	copy(masked.Pix, good.Pix)
	s := pic.scale
	for y := 0; y < masked.Rect.Dy(); y++ {
		for x := 0; x < masked.Rect.Dx(); x++ {
			if inPolygon(pt{float64(x) / s, float64(y) / s}, poly) {
				i := masked.PixOffset(x, y)
				masked.Pix[i], masked.Pix[i+1], masked.Pix[i+2] = 150, 190, 215
			}
		}
	}
	v, err := d.CheckSelfie(context.Background(), sdk.SelfieRequest{Image: encode(t, masked)})
	if err != nil {
		t.Fatal(err)
	}
	if v.Outcome == sdk.Pass {
		t.Fatalf("masked face passed: %+v", v.Rules)
	}
	if r, ok := findRule(v, "face.covering"); ok && r.Outcome != sdk.Fail {
		t.Fatalf("covering rule %+v on a masked face", r)
	}
	t.Logf("masked face: %v %v", v.Outcome, v.Reasons)
}

// inPolygon is the even-odd ray test.
func inPolygon(q pt, poly []pt) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a.Y > q.Y) != (b.Y > q.Y) && q.X < (b.X-a.X)*(q.Y-a.Y)/(b.Y-a.Y)+a.X {
			in = !in
		}
	}
	return in
}
