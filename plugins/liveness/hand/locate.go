// Package hand finds the applicant's hand against the white background and counts the extended
// fingers: a learned path (MediaPipe hand landmarks through onnxruntime, gated by the model's
// presence score, fingers counted from landmark geometry) and a classical cross-check (largest
// contour, convex hull, convexity defects scaled by the palm radius).
package hand

import (
	"encoding/binary"
	"image"

	"gocv.io/x/gocv"
)

// Mask is a binary image (0/1 per pixel) at the analysis scale.
type Mask struct {
	W, H int
	Pix  []uint8
}

// NotWhite marks pixels that are not the white wall: coloured (max-min channel spread) or dark.
// bgr is a continuous 8-bit 3-channel buffer.
func NotWhite(bgr []byte, w, h int) Mask {
	m := Mask{W: w, H: h, Pix: make([]uint8, w*h)}
	for i := range m.Pix {
		b, g, r := int(bgr[3*i]), int(bgr[3*i+1]), int(bgr[3*i+2])
		hi, lo := max(b, g, r), min(b, g, r)
		if hi-lo > 38 || hi < 160 {
			m.Pix[i] = 1
		}
	}
	return m
}

// ExcludePerson clears the head and torso column under and around a face box, so what is left
// of the foreground is the raised hand beside the face.
func (m Mask) ExcludePerson(face image.Rectangle) {
	if face.Empty() {
		return
	}
	fw, fh := face.Dx(), face.Dy()
	cx := (face.Min.X + face.Max.X) / 2
	head := image.Rect(cx-fw*4/5, 0, cx+fw*4/5, face.Max.Y+fh*2/5)
	torso := image.Rect(cx-fw*9/5, face.Max.Y+fh*2/5, cx+fw*9/5, m.H)
	for _, r := range []image.Rectangle{head, torso} {
		r = r.Intersect(image.Rect(0, 0, m.W, m.H))
		for y := r.Min.Y; y < r.Max.Y; y++ {
			clear(m.Pix[y*m.W+r.Min.X : y*m.W+r.Max.X])
		}
	}
}

// Blob is the chosen hand component.
type Blob struct {
	Box  image.Rectangle // the hand part (top of the arm), square, at mask scale
	Mask Mask            // only the component, cropped to Box
	Area int
}

// Locate picks the largest foreground component (after the person is excluded) and returns a
// square around its top part: the hand held up with the forearm below it. minArea is in pixels.
func (m Mask) Locate(minArea int) (Blob, bool) {
	src, err := gocv.NewMatFromBytes(m.H, m.W, gocv.MatTypeCV8U, m.Pix)
	if err != nil {
		return Blob{}, false
	}
	defer src.Close()
	k := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(3, 3))
	defer k.Close()
	open := gocv.NewMat()
	defer open.Close()
	gocv.MorphologyEx(src, &open, gocv.MorphOpen, k)
	labels, stats, cents := gocv.NewMat(), gocv.NewMat(), gocv.NewMat()
	defer labels.Close()
	defer stats.Close()
	defer cents.Close()
	n := gocv.ConnectedComponentsWithStats(open, &labels, &stats, &cents)
	best, bestArea := -1, minArea
	for i := 1; i < n; i++ {
		if a := int(stats.GetIntAt(i, 4)); a >= bestArea {
			best, bestArea = i, a
		}
	}
	if best < 0 {
		return Blob{}, false
	}
	lab := labels.ToBytes() // CV_32S, little-endian
	if len(lab) != 4*m.W*m.H {
		return Blob{}, false
	}
	at := func(x, y int) bool { return int32(binary.LittleEndian.Uint32(lab[4*(y*m.W+x):])) == int32(best) }
	bx, by := int(stats.GetIntAt(best, 0)), int(stats.GetIntAt(best, 1))
	bw, bh := int(stats.GetIntAt(best, 2)), int(stats.GetIntAt(best, 3))
	// rows of the hand: the top of the component down to ~1.3 of its width
	top := min(bh, bw*13/10+2)
	var sx, cnt int
	for y := by; y < by+top; y++ {
		for x := bx; x < bx+bw; x++ {
			if at(x, y) {
				sx += x
				cnt++
			}
		}
	}
	if cnt == 0 {
		return Blob{}, false
	}
	side := max(bw, top) * 14 / 10
	cx, cy := sx/cnt, by+top/2
	box := image.Rect(cx-side/2, cy-side/2, cx-side/2+side, cy-side/2+side)
	crop := Mask{W: side, H: side, Pix: make([]uint8, side*side)}
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			fx, fy := box.Min.X+x, box.Min.Y+y
			if fx >= 0 && fy >= 0 && fx < m.W && fy < m.H && at(fx, fy) {
				crop.Pix[y*side+x] = 1
			}
		}
	}
	return Blob{Box: box, Mask: crop, Area: bestArea}, true
}
