package sigcheck

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"sort"

	"gocv.io/x/gocv"
)

// sheet is the paper found in a frame.
type sheet struct {
	found bool
	// quad holds the corners tl, tr, br, bl in full-resolution pixels.
	quad     [4][2]float64
	areaFrac float64 // quad area / frame area
	bright   float64 // median brightness (HSV V) inside the quad
	sat      float64 // median saturation inside the quad
	w, h     int     // frame size
}

// Paper segmentation: paper is low-saturation and bright relative to the brightest such pixels,
// with a low floor so a paper in a shadow or a dark room is still found (and then judged).
const (
	paperMaxSat     = 70   // HSV S, 0..255
	paperRelBright  = 0.38 // of the paper level (98th percentile of low-saturation V)
	paperMinBright  = 35
	paperMinArea    = 0.01 // of the frame: smaller regions are not a sheet
	paperMinContras = 1.25 // paper median V / surroundings median V
	paperMinFill    = 0.85 // the region's area / its quadrilateral's area (fingers may cut a corner)
	// A region filling the whole frame counts as paper only when it is this bright (a close-up of
	// white paper), not a dull table top.
	fullFrameMinBright = 140
)

// findSheet looks for the largest bright, low-saturation quadrilateral in bgr, working on a copy
// scaled to workW pixels wide.
func findSheet(bgr gocv.Mat, workW int) sheet {
	s := sheet{w: bgr.Cols(), h: bgr.Rows()}
	scale := math.Min(1, float64(workW)/float64(s.w))
	sw, sh := max(int(float64(s.w)*scale+0.5), 1), max(int(float64(s.h)*scale+0.5), 1)
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(bgr, &small, image.Pt(sw, sh), 0, 0, gocv.InterpolationArea)
	hsv := gocv.NewMat()
	defer hsv.Close()
	gocv.CvtColor(small, &hsv, gocv.ColorBGRToHSV)
	px := hsv.ToBytes()
	n := sw * sh

	var hist [256]int
	lowSat := 0
	for i := 0; i < n; i++ {
		if px[3*i+1] < paperMaxSat {
			hist[px[3*i+2]]++
			lowSat++
		}
	}
	if lowSat < n/100 {
		return s
	}
	level := percentile(hist[:], lowSat, 0.98)
	mask, ok := paperMask(px, sw, sh, hist[:], lowSat, level)
	if !ok {
		return s
	}
	defer mask.Close()
	contours := gocv.FindContours(mask, gocv.RetrievalExternal, gocv.ChainApproxSimple)
	defer contours.Close()
	best, bestArea := -1, 0.0
	for i := 0; i < contours.Size(); i++ {
		if a := gocv.ContourArea(contours.At(i)); a > bestArea {
			best, bestArea = i, a
		}
	}
	if best < 0 || bestArea < paperMinArea*float64(n) {
		return s
	}
	c := contours.At(best)
	approx := gocv.ApproxPolyDP(c, 0.02*gocv.ArcLength(c, true), true)
	defer approx.Close()
	var pts []image.Point
	if approx.Size() == 4 {
		pts = approx.ToPoints()
	} else {
		pts = gocv.MinAreaRect(c).Points
	}
	if len(pts) != 4 {
		return s
	}
	q := orderCorners(pts)
	if qa := polygonArea(q); qa <= 0 || bestArea/qa < paperMinFill {
		return s // a blob, not a sheet: its outline does not fill its quadrilateral
	}
	s.areaFrac = polygonArea(q) / float64(n)

	// Brightness inside vs outside the quad, on the small picture.
	var in, out [256]int
	var nin, nout int
	var satHist [256]int
	for y := 0; y < sh; y++ {
		for x := 0; x < sw; x++ {
			i := y*sw + x
			if insideQuad(q, float64(x)+0.5, float64(y)+0.5) {
				in[px[3*i+2]]++
				satHist[px[3*i+1]]++
				nin++
			} else {
				out[px[3*i+2]]++
				nout++
			}
		}
	}
	if nin == 0 {
		return s
	}
	s.bright = percentile(in[:], nin, 0.5)
	s.sat = percentile(satHist[:], nin, 0.5)
	if nout > n/20 && s.bright < paperMinContras*percentile(out[:], nout, 0.5) {
		return s // not brighter than its surroundings: a light table, not a sheet
	}
	if nout <= n/20 && s.bright < fullFrameMinBright {
		return s // the whole frame is one dull surface
	}
	for i := range q {
		s.quad[i] = [2]float64{q[i][0] / scale, q[i][1] / scale}
	}
	s.found = true
	return s
}

// rectify warps the quad of gray to a straight sheet no larger than maxSide pixels and never
// enlarged, so blur is measured at the camera's own resolution. The caller owns the result.
func rectify(gray gocv.Mat, q [4][2]float64, maxLong int) gocv.Mat {
	w := math.Max(dist(q[0], q[1]), dist(q[3], q[2]))
	h := math.Max(dist(q[0], q[3]), dist(q[1], q[2]))
	if f := float64(maxLong) / math.Max(w, h); f < 1 {
		w, h = w*f, h*f
	}
	W, H := max(int(w), 8), max(int(h), 8)
	src := gocv.NewPointVectorFromPoints([]image.Point{
		pt(q[0]), pt(q[1]), pt(q[2]), pt(q[3]),
	})
	defer src.Close()
	dst := gocv.NewPointVectorFromPoints([]image.Point{{0, 0}, {W - 1, 0}, {W - 1, H - 1}, {0, H - 1}})
	defer dst.Close()
	m := gocv.GetPerspectiveTransform(src, dst)
	defer m.Close()
	out := gocv.NewMat()
	gocv.WarpPerspectiveWithParams(gray, &out, m, image.Pt(W, H), gocv.InterpolationLinear, gocv.BorderReplicate, color.RGBA{})
	return out
}

func pt(p [2]float64) image.Point { return image.Pt(int(math.Round(p[0])), int(math.Round(p[1]))) }

func dist(a, b [2]float64) float64 { return math.Hypot(a[0]-b[0], a[1]-b[1]) }

// orderCorners returns the points as top-left, top-right, bottom-right, bottom-left.
func orderCorners(p []image.Point) [4][2]float64 {
	var cx, cy float64
	for _, v := range p {
		cx += float64(v.X) / 4
		cy += float64(v.Y) / 4
	}
	type ang struct {
		a float64
		p [2]float64
	}
	as := make([]ang, 4)
	for i, v := range p {
		as[i] = ang{math.Atan2(float64(v.Y)-cy, float64(v.X)-cx), [2]float64{float64(v.X), float64(v.Y)}}
	}
	sort.Slice(as, func(i, j int) bool { return as[i].a < as[j].a })
	// Clockwise in image coordinates from the smallest angle; rotate so the corner with the
	// smallest x+y comes first.
	start := 0
	for i := range as {
		if as[i].p[0]+as[i].p[1] < as[start].p[0]+as[start].p[1] {
			start = i
		}
	}
	var q [4][2]float64
	for i := 0; i < 4; i++ {
		q[i] = as[(start+i)%4].p
	}
	return q
}

func polygonArea(q [4][2]float64) float64 {
	var a float64
	for i := 0; i < 4; i++ {
		j := (i + 1) % 4
		a += q[i][0]*q[j][1] - q[j][0]*q[i][1]
	}
	return math.Abs(a) / 2
}

// insideQuad reports whether (x, y) lies inside the convex quad q (either winding).
func insideQuad(q [4][2]float64, x, y float64) bool {
	var pos, neg bool
	for i := 0; i < 4; i++ {
		j := (i + 1) % 4
		c := (q[j][0]-q[i][0])*(y-q[i][1]) - (q[j][1]-q[i][1])*(x-q[i][0])
		pos = pos || c > 0
		neg = neg || c < 0
	}
	return !(pos && neg)
}

// percentile returns the value below which share p of a histogram's n samples fall.
func percentile(hist []int, n int, p float64) float64 {
	target := int(p * float64(n))
	acc := 0
	for v, c := range hist {
		acc += c
		if acc > target {
			return float64(v)
		}
	}
	return float64(len(hist) - 1)
}

func oddAtLeast(v, lo int) int {
	v = max(v, lo)
	if v%2 == 0 {
		v++
	}
	return v
}

// paperMask segments the paper with hysteresis: a strong mask (low saturation, brighter than the
// Otsu split of the low-saturation pixels) picks the sheet's lit part; the weak mask (brighter
// than paperRelBright of the paper level) extends it into shadows. When the weak region containing
// the sheet reaches the frame's border while the strong one does not, the weak threshold has let
// in a pale table: the strong region is used alone. The caller owns the returned Mat.
func paperMask(px []byte, sw, sh int, hist []int, lowSat int, level float64) (gocv.Mat, bool) {
	n := sw * sh
	split := otsu(hist, lowSat)
	weakThr := math.Max(paperMinBright, paperRelBright*level)
	strongPx, weakPx := make([]byte, n), make([]byte, n)
	for i := 0; i < n; i++ {
		if px[3*i+1] >= paperMaxSat {
			continue
		}
		v := float64(px[3*i+2])
		if v > weakThr {
			weakPx[i] = 255
		}
		if v > split && v > weakThr {
			strongPx[i] = 255
		}
	}
	strong, err := cleanMask(strongPx, sw, sh)
	if err != nil {
		return gocv.Mat{}, false
	}
	weak, err := cleanMask(weakPx, sw, sh)
	if err != nil {
		strong.Close()
		return gocv.Mat{}, false
	}
	defer weak.Close()
	sLab, sBox, ok := largestComponent(strong)
	if !ok {
		strong.Close()
		return gocv.Mat{}, false
	}
	wl, err := labelsOf(weak)
	if err != nil || len(wl.lab) != n || len(sLab) != n {
		return strong, true
	}
	// the weak component that contains most of the strong one
	votes := map[int32]int{}
	for i, l := range sLab {
		if l && wl.lab[i] > 0 {
			votes[wl.lab[i]]++
		}
	}
	var best int32
	for l, c := range votes {
		if best == 0 || c > votes[best] {
			best = l
		}
	}
	wBox := wl.boxes[best]
	if best == 0 || touchesBorder(wBox, sw, sh) > touchesBorder(sBox, sw, sh) {
		out := onlyLabel(sLab, sw, sh)
		strong.Close()
		return out, true
	}
	strong.Close()
	sel := make([]bool, n)
	for i, l := range wl.lab {
		sel[i] = l == best
	}
	return onlyLabel(sel, sw, sh), true
}

// cleanMask closes small gaps (ink strokes) and opens away thin lines (grid lines, edges).
func cleanMask(px []byte, w, h int) (gocv.Mat, error) {
	m, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8U, px)
	if err != nil {
		return gocv.Mat{}, fmt.Errorf("paper mask: %w", err)
	}
	k := oddAtLeast(w/90, 3)
	closeK := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(k, k))
	defer closeK.Close()
	openK := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(5, 5))
	defer openK.Close()
	out := gocv.NewMat()
	gocv.MorphologyEx(m, &out, gocv.MorphClose, closeK)
	gocv.MorphologyEx(out, &out, gocv.MorphOpen, openK)
	m.Close()
	return out, nil
}

type labelling struct {
	lab   []int32
	boxes []image.Rectangle
	areas []int
}

func labelsOf(m gocv.Mat) (labelling, error) {
	labels, stats, cents := gocv.NewMat(), gocv.NewMat(), gocv.NewMat()
	defer labels.Close()
	defer stats.Close()
	defer cents.Close()
	n := gocv.ConnectedComponentsWithStats(m, &labels, &stats, &cents)
	lab, err := int32s(labels)
	if err != nil {
		return labelling{}, err
	}
	l := labelling{lab: lab, boxes: make([]image.Rectangle, n), areas: make([]int, n)}
	for i := 0; i < n; i++ {
		x, y := int(stats.GetIntAt(i, 0)), int(stats.GetIntAt(i, 1))
		w, h := int(stats.GetIntAt(i, 2)), int(stats.GetIntAt(i, 3))
		l.boxes[i] = image.Rect(x, y, x+w, y+h)
		l.areas[i] = int(stats.GetIntAt(i, 4))
	}
	return l, nil
}

// largestComponent returns the biggest foreground component of m as a pixel set and its bounds.
func largestComponent(m gocv.Mat) ([]bool, image.Rectangle, bool) {
	l, err := labelsOf(m)
	if err != nil || len(l.areas) < 2 {
		return nil, image.Rectangle{}, false
	}
	best := 1
	for i := 2; i < len(l.areas); i++ {
		if l.areas[i] > l.areas[best] {
			best = i
		}
	}
	sel := make([]bool, len(l.lab))
	for i, v := range l.lab {
		sel[i] = v == int32(best)
	}
	return sel, l.boxes[best], true
}

func onlyLabel(sel []bool, w, h int) gocv.Mat {
	px := make([]byte, len(sel))
	for i, v := range sel {
		if v {
			px[i] = 255
		}
	}
	m, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8U, px)
	if err != nil {
		return gocv.NewMat()
	}
	return m
}

// touchesBorder counts the frame sides a box reaches.
func touchesBorder(b image.Rectangle, w, h int) int {
	n := 0
	for _, t := range []bool{b.Min.X <= 1, b.Min.Y <= 1, b.Max.X >= w-1, b.Max.Y >= h-1} {
		if t {
			n++
		}
	}
	return n
}

// otsu returns the threshold maximising between-class variance of a histogram of n samples.
func otsu(hist []int, n int) float64 {
	var sum float64
	for v, c := range hist {
		sum += float64(v * c)
	}
	var sumB, wB, best float64
	thr := 0.0
	for v, c := range hist {
		wB += float64(c)
		if wB == 0 {
			continue
		}
		wF := float64(n) - wB
		if wF == 0 {
			break
		}
		sumB += float64(v * c)
		mB, mF := sumB/wB, (sum-sumB)/wF
		if between := wB * wF * (mB - mF) * (mB - mF); between > best {
			best, thr = between, float64(v)
		}
	}
	return thr
}
