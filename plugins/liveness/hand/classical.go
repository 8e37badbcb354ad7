package hand

import (
	"image"
	"image/color"
	"math"

	"gocv.io/x/gocv"
)

// CountContour counts extended fingers on a hand mask (fingers up) the classical way: the palm
// centre and radius from the distance transform, the wrist cut off below the palm, then the gaps
// between fingers as convexity defects deeper than 0.45 palm radii with an angle under 90°. A
// lone finger (no gap) is told from a fist by how far the top reaches above the palm.
// It returns -1 when the mask has no usable shape.
func CountContour(m Mask) int {
	if m.W < 16 || m.H < 16 {
		return -1
	}
	src, err := gocv.NewMatFromBytes(m.H, m.W, gocv.MatTypeCV8U, m.Pix)
	if err != nil {
		return -1
	}
	defer src.Close()
	// fill holes (highlights, creases) so the palm's distance transform is not cut short
	outer := gocv.FindContours(src, gocv.RetrievalExternal, gocv.ChainApproxSimple)
	gocv.DrawContours(&src, outer, -1, color.RGBA{1, 1, 1, 1}, -1)
	outer.Close()
	dist, labels := gocv.NewMat(), gocv.NewMat()
	defer dist.Close()
	defer labels.Close()
	gocv.DistanceTransform(src, &dist, &labels, gocv.DistL2, gocv.DistanceMask5, gocv.DistanceLabelCComp)
	_, r32, _, c := gocv.MinMaxLoc(dist)
	r := float64(r32)
	if r < 3 {
		return -1
	}
	// cut the wrist: nothing below the palm centre + 1.3 r
	cut := src.Clone()
	defer cut.Close()
	if y0 := c.Y + int(1.3*r); y0 < m.H {
		gocv.Rectangle(&cut, image.Rect(0, y0, m.W, m.H), color.RGBA{}, -1)
	}
	cs := gocv.FindContours(cut, gocv.RetrievalExternal, gocv.ChainApproxSimple)
	defer cs.Close()
	best, bestA := -1, 0.0
	for i := range cs.Size() {
		if a := gocv.ContourArea(cs.At(i)); a > bestA {
			best, bestA = i, a
		}
	}
	if best < 0 || cs.At(best).Size() < 5 {
		return -1
	}
	cnt := cs.At(best)
	hull := gocv.NewMat()
	defer hull.Close()
	gocv.ConvexHull(cnt, &hull, false, false)
	defects := gocv.NewMat()
	defer defects.Close()
	gaps := 0
	if hull.Rows() >= 3 {
		gocv.ConvexityDefects(cnt, hull, &defects)
		pts := cnt.ToPoints()
		for i := range defects.Rows() {
			s, e, f := pts[defects.GetIntAt(i, 0)], pts[defects.GetIntAt(i, 1)], pts[defects.GetIntAt(i, 2)]
			depth := float64(defects.GetIntAt(i, 3)) / 256
			if depth < 0.45*r || float64(f.Y) > float64(c.Y)+0.4*r {
				continue
			}
			if angle(s, f, e) < math.Pi/2 {
				gaps++
			}
		}
	}
	if gaps > 0 {
		return min(5, gaps+1)
	}
	top := c.Y
	for _, p := range cnt.ToPoints() {
		top = min(top, p.Y)
	}
	if float64(c.Y-top) > 2.0*r {
		return 1
	}
	return 0
}

func angle(a, o, b image.Point) float64 {
	ax, ay := float64(a.X-o.X), float64(a.Y-o.Y)
	bx, by := float64(b.X-o.X), float64(b.Y-o.Y)
	d := math.Hypot(ax, ay) * math.Hypot(bx, by)
	if d == 0 {
		return math.Pi
	}
	return math.Acos(math.Max(-1, math.Min(1, (ax*bx+ay*by)/d)))
}
