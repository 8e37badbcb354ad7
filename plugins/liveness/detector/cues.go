package detector

import (
	"encoding/binary"
	"image"
	"math"
	"sort"

	"gocv.io/x/gocv"

	"github.com/ehraz/ehraz/plugins/liveness/hand"
	"github.com/ehraz/ehraz/plugins/liveness/model"
)

// Passive anti-spoofing cues, each measured on the face region of a few sampled frames.

// borderQuad reports whether a strong four-sided outline (a phone bezel, a photo's edge)
// surrounds the face: a convex quadrilateral containing the face centre, larger than 1.6 faces
// and smaller than most of the frame. f and face are at the small scale.
func borderQuad(f hand.Frame, face image.Rectangle) bool {
	g, err := grayMat(f)
	if err != nil {
		return false
	}
	defer g.Close()
	edges := gocv.NewMat()
	defer edges.Close()
	gocv.Canny(g, &edges, 40, 120)
	k := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(3, 3))
	defer k.Close()
	gocv.Dilate(edges, &edges, k)
	cs := gocv.FindContours(edges, gocv.RetrievalList, gocv.ChainApproxSimple)
	defer cs.Close()
	c := image.Pt((face.Min.X+face.Max.X)/2, (face.Min.Y+face.Max.Y)/2)
	fa := float64(area(face))
	frame := float64(f.W * f.H)
	for i := range cs.Size() {
		cnt := cs.At(i)
		a := gocv.ContourArea(cnt)
		if a < 1.6*fa || a > 0.8*frame {
			continue
		}
		approx := gocv.ApproxPolyDP(cnt, 0.04*gocv.ArcLength(cnt, true), true)
		pts := approx.ToPoints()
		approx.Close()
		if len(pts) != 4 || !convexContains(pts, c) {
			continue
		}
		return true
	}
	return false
}

func convexContains(q []image.Point, p image.Point) bool {
	sign := 0
	for i := range q {
		a, b := q[i], q[(i+1)%len(q)]
		cr := (b.X-a.X)*(p.Y-a.Y) - (b.Y-a.Y)*(p.X-a.X)
		s := 1
		if cr < 0 {
			s = -1
		}
		if sign == 0 {
			sign = s
		} else if s != sign {
			return false
		}
	}
	return true
}

// moire measures periodic fine texture in the face: the strongest peak of the spectrum's high
// band (0.22–0.5 cycles/pixel) over the band's median, as log10. Screens beating against the
// sensor and halftone dots give sharp peaks; skin and camera noise give a flat band. f and face
// are at the work scale.
func moire(f hand.Frame, face image.Rectangle) float64 {
	const n = 96
	side := min(n, face.Dx(), face.Dy())
	if side < 32 {
		return math.NaN()
	}
	cx, cy := (face.Min.X+face.Max.X)/2, (face.Min.Y+face.Max.Y)/2
	x0, y0 := cx-side/2, cy-side/2
	if x0 < 0 || y0 < 0 || x0+side > f.W || y0+side > f.H {
		return math.NaN()
	}
	buf := make([]byte, 4*side*side)
	var mean float64
	vals := make([]float64, side*side)
	for y := range side {
		for x := range side {
			p := ((y0+y)*f.W + x0 + x) * 3
			v := 0.114*float64(f.BGR[p]) + 0.587*float64(f.BGR[p+1]) + 0.299*float64(f.BGR[p+2])
			vals[y*side+x] = v
			mean += v
		}
	}
	mean /= float64(side * side)
	for y := range side {
		wy := 0.5 - 0.5*math.Cos(2*math.Pi*float64(y)/float64(side-1))
		for x := range side {
			wx := 0.5 - 0.5*math.Cos(2*math.Pi*float64(x)/float64(side-1))
			binary.LittleEndian.PutUint32(buf[4*(y*side+x):], math.Float32bits(float32((vals[y*side+x]-mean)*wx*wy)))
		}
	}
	src, err := gocv.NewMatFromBytes(side, side, gocv.MatTypeCV32F, buf)
	if err != nil {
		return math.NaN()
	}
	defer src.Close()
	spec := gocv.NewMat()
	defer spec.Close()
	gocv.DFT(src, &spec, gocv.DftComplexOutput)
	parts := gocv.Split(spec)
	mag := gocv.NewMat()
	defer mag.Close()
	gocv.Magnitude(parts[0], parts[1], &mag)
	for _, p := range parts {
		p.Close()
	}
	m, err := mag.DataPtrFloat32()
	if err != nil {
		return math.NaN()
	}
	var band []float64
	peak := 0.0
	for y := range side {
		fy := float64(y) / float64(side)
		if fy > 0.5 {
			fy -= 1
		}
		for x := range side {
			fx := float64(x) / float64(side)
			if fx > 0.5 {
				fx -= 1
			}
			r := math.Hypot(fx, fy)
			if r < 0.22 || r > 0.5 {
				continue
			}
			v := float64(m[y*side+x])
			band = append(band, v)
			peak = math.Max(peak, v)
		}
	}
	if len(band) == 0 {
		return math.NaN()
	}
	sort.Float64s(band)
	med := band[len(band)/2]
	if med <= 0 {
		return math.NaN()
	}
	return math.Log10(peak / med)
}

// glare is the fraction of the (enlarged) face region that is blown-out white: a screen's or
// glossy print's specular reflection. f and face are at the work scale.
func glare(f hand.Frame, face image.Rectangle) float64 {
	r := grow(face, 0.2).Intersect(image.Rect(0, 0, f.W, f.H))
	if r.Empty() {
		return math.NaN()
	}
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			p := (y*f.W + x) * 3
			if min(f.BGR[p], f.BGR[p+1], f.BGR[p+2]) >= 248 {
				n++
			}
		}
	}
	return float64(n) / float64(area(r))
}

func grow(r image.Rectangle, k float64) image.Rectangle {
	dx, dy := int(float64(r.Dx())*k), int(float64(r.Dy())*k)
	return image.Rect(r.Min.X-dx, r.Min.Y-dy, r.Max.X+dx, r.Max.Y+dy)
}

// planarity tracks corners of the face region from frame a to frame b and returns the share of
// tracks a single homography explains within 0.8 px (a photo or screen is a plane; a turning head
// is not) and the median track length. NaN when there are too few tracks. Frames at work scale.
func planarity(a, b hand.Frame, face image.Rectangle) (float64, float64) {
	r := grow(face, 0.05).Intersect(image.Rect(0, 0, a.W, a.H))
	if r.Dx() < 40 || r.Dy() < 40 {
		return math.NaN(), 0
	}
	ga, err := grayMat(a)
	if err != nil {
		return math.NaN(), 0
	}
	defer ga.Close()
	gb, err := grayMat(b)
	if err != nil {
		return math.NaN(), 0
	}
	defer gb.Close()
	ra, rb := ga.Region(r), gb.Region(r)
	defer ra.Close()
	defer rb.Close()
	corners := gocv.NewMat()
	defer corners.Close()
	gocv.GoodFeaturesToTrack(ra, &corners, 120, 0.01, 4)
	if corners.Rows() < 20 {
		return math.NaN(), 0
	}
	next, status, errs := gocv.NewMat(), gocv.NewMat(), gocv.NewMat()
	defer next.Close()
	defer status.Close()
	defer errs.Close()
	gocv.CalcOpticalFlowPyrLK(ra, rb, corners, next, &status, &errs)
	p0, err0 := corners.DataPtrFloat32()
	p1, err1 := next.DataPtrFloat32()
	if err0 != nil || err1 != nil {
		return math.NaN(), 0
	}
	var src, dst []byte
	var moves []float64
	for i := range corners.Rows() {
		if status.GetUCharAt(i, 0) == 0 || 2*i+1 >= len(p1) {
			continue
		}
		for _, v := range []float32{p0[2*i], p0[2*i+1]} {
			src = binary.LittleEndian.AppendUint32(src, math.Float32bits(v))
		}
		for _, v := range []float32{p1[2*i], p1[2*i+1]} {
			dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(v))
		}
		moves = append(moves, math.Hypot(float64(p1[2*i]-p0[2*i]), float64(p1[2*i+1]-p0[2*i+1])))
	}
	n := len(moves)
	if n < 15 {
		return math.NaN(), 0
	}
	sort.Float64s(moves)
	sm, err := gocv.NewMatFromBytes(n, 1, gocv.MatTypeCV32FC2, src)
	if err != nil {
		return math.NaN(), 0
	}
	defer sm.Close()
	dm, err := gocv.NewMatFromBytes(n, 1, gocv.MatTypeCV32FC2, dst)
	if err != nil {
		return math.NaN(), 0
	}
	defer dm.Close()
	mask := gocv.NewMat()
	defer mask.Close()
	h := gocv.FindHomography(sm, &dm, gocv.HomograpyMethodRANSAC, 0.8, &mask, 2000, 0.995)
	defer h.Close()
	if h.Empty() {
		return math.NaN(), moves[n/2]
	}
	return float64(gocv.CountNonZero(mask)) / float64(n), moves[n/2]
}

// antispoofNet runs the human-models antispoof net on the face (grown by 10 %, resized to
// 128×128 RGB in [0,1]) and returns its "real face" score; NaN when the net is not loaded.
// It scored real faces anywhere in 0.50–0.82 on this project's tests, so it is only a weak cue.
func antispoofNet(s *model.Session, f hand.Frame, face image.Rectangle) float64 {
	if s == nil {
		return math.NaN()
	}
	const n = 128
	r := grow(face, 0.1)
	in := make([]float32, 3*n*n)
	for y := range n {
		fy := r.Min.Y + (2*y+1)*r.Dy()/(2*n)
		for x := range n {
			fx := r.Min.X + (2*x+1)*r.Dx()/(2*n)
			if fx < 0 || fy < 0 || fx >= f.W || fy >= f.H {
				continue
			}
			p := (fy*f.W + fx) * 3
			in[y*n+x] = float32(f.BGR[p+2]) / 255
			in[n*n+y*n+x] = float32(f.BGR[p+1]) / 255
			in[2*n*n+y*n+x] = float32(f.BGR[p]) / 255
		}
	}
	out, err := s.Run(in)
	if err != nil || len(out) == 0 || len(out[0]) == 0 {
		return math.NaN()
	}
	return float64(out[0][0])
}
