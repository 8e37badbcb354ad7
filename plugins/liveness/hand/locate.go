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
	// Others counts the other components at least minArea and half the chosen one's area: a
	// second hand held up (or another hand-sized object beside the person).
	Others int
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
	others := 0
	bx0, by0 := int(stats.GetIntAt(best, 0)), int(stats.GetIntAt(best, 1))
	bx1, by1 := bx0+int(stats.GetIntAt(best, 2)), by0+int(stats.GetIntAt(best, 3))
	for i := 1; i < n; i++ {
		a := int(stats.GetIntAt(i, 4))
		if i == best || a < minArea || 2*a < bestArea {
			continue
		}
		// the forearm cut off by a sleeve edge, a watch or a bracelet starts just under the hand
		// and overlaps its columns: part of the same arm, not a second hand
		x0, y0 := int(stats.GetIntAt(i, 0)), int(stats.GetIntAt(i, 1))
		x1 := x0 + int(stats.GetIntAt(i, 2))
		if y0 >= by1-2 && y0-by1 <= max(4, (bx1-bx0)/4) && x0 < bx1 && x1 > bx0 {
			continue
		}
		others++
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
	return Blob{Box: box, Mask: crop, Area: bestArea, Others: others}, true
}

// Skin marks skin-coloured pixels by chroma alone (YCrCb: red-difference above and blue-difference
// below the grey axis, within the band human skin of every tone falls in under white light), so a
// hand is found on a grey, shaded or off-white wall where NotWhite takes the wall for foreground.
// Very dark and very bright pixels (no reliable chroma) are left out. bgr is continuous 8-bit BGR.
func Skin(bgr []byte, w, h int) Mask {
	m := Mask{W: w, H: h, Pix: make([]uint8, w*h)}
	for i := range m.Pix {
		b, g, r := float64(bgr[3*i]), float64(bgr[3*i+1]), float64(bgr[3*i+2])
		y := 0.299*r + 0.587*g + 0.114*b
		cr := 128 + 0.713*(r-y)
		cb := 128 + 0.564*(b-y)
		if y > 35 && y < 250 && cr >= skinCrMin && cr <= 180 && cb >= 80 && cb <= 130 && cr-cb >= skinCrCbMin {
			m.Pix[i] = 1
		}
	}
	return m
}

// Skin chroma bounds: grey walls sit at Cr ≈ Cb ≈ 128; skin is at least this red and this much
// redder than blue.
const (
	skinCrMin   = 134
	skinCrCbMin = 12
)
