package facecheck

import (
	"image"
	"math"

	"gocv.io/x/gocv"
)

// frameSides counts the sides of the face (left, right, above, below) on which a long, straight,
// strong edge runs parallel to the face box within a couple of face sizes: the border of a photo
// print or the bezel of a phone screen held up to the camera. A real head in a room rarely has
// straight edges on three sides close around it. g is the working image, f the face box in it.
func frameSides(g *image.Gray, f image.Rectangle) int {
	b := g.Bounds()
	if f.Empty() || b.Dx() < 32 || b.Dy() < 32 {
		return 0
	}
	src, err := gocv.NewMatFromBytes(b.Dy(), b.Dx(), gocv.MatTypeCV8U, g.Pix)
	if err != nil {
		return 0
	}
	defer src.Close()
	blur := gocv.NewMat()
	defer blur.Close()
	gocv.GaussianBlur(src, &blur, image.Pt(5, 5), 0, 0, gocv.BorderDefault)
	edges := gocv.NewMat()
	defer edges.Close()
	gocv.Canny(blur, &edges, 60, 160)
	lines := gocv.NewMat()
	defer lines.Close()
	fw, fh := float64(f.Dx()), float64(f.Dy())
	minLen := 0.8 * math.Min(fw, fh)
	gocv.HoughLinesPWithParams(edges, &lines, 1, math.Pi/180, 50, float32(minLen), 4)

	var left, right, top, bottom bool
	reach := 2.5 // how far from the face box, in face sizes, a frame edge may lie
	for i := 0; i < lines.Rows(); i++ {
		v := lines.GetVeciAt(i, 0)
		x0, y0, x1, y1 := float64(v[0]), float64(v[1]), float64(v[2]), float64(v[3])
		dx, dy := math.Abs(x1-x0), math.Abs(y1-y0)
		switch {
		case dx < 0.12*dy: // vertical
			x := (x0 + x1) / 2
			lo, hi := math.Min(y0, y1), math.Max(y0, y1)
			if overlap(lo, hi, float64(f.Min.Y), float64(f.Max.Y)) < 0.5*fh {
				continue
			}
			if x < float64(f.Min.X)-0.05*fw && x > float64(f.Min.X)-reach*fw {
				left = true
			}
			if x > float64(f.Max.X)+0.05*fw && x < float64(f.Max.X)+reach*fw {
				right = true
			}
		case dy < 0.12*dx: // horizontal
			y := (y0 + y1) / 2
			lo, hi := math.Min(x0, x1), math.Max(x0, x1)
			if overlap(lo, hi, float64(f.Min.X), float64(f.Max.X)) < 0.5*fw {
				continue
			}
			if y < float64(f.Min.Y)-0.3*fh && y > float64(f.Min.Y)-reach*fh {
				top = true
			}
			if y > float64(f.Max.Y)+0.05*fh && y < float64(f.Max.Y)+reach*fh {
				bottom = true
			}
		}
	}
	n := 0
	for _, s := range []bool{left, right, top, bottom} {
		if s {
			n++
		}
	}
	return n
}

func overlap(a0, a1, b0, b1 float64) float64 { return math.Max(0, math.Min(a1, b1)-math.Max(a0, b0)) }
