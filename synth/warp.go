package synth

import (
	"image"
	"image/color"
	"math"
)

// homography maps (x,y) by a 3×3 matrix (row-major, h[8] = 1).
type homography [9]float64

// identity is the homography that maps every point to itself.
var identity = homography{1, 0, 0, 0, 1, 0, 0, 0, 1}

func (h homography) apply(x, y float64) (float64, float64) {
	w := h[6]*x + h[7]*y + h[8]
	return (h[0]*x + h[1]*y + h[2]) / w, (h[3]*x + h[4]*y + h[5]) / w
}

// solveHomography finds H with H(src[i]) = dst[i] for four point pairs; ok is false when the
// quads are degenerate (three points on a line).
func solveHomography(src, dst [4][2]float64) (h homography, ok bool) {
	var a [8][9]float64
	for i := range 4 {
		x, y, u, v := src[i][0], src[i][1], dst[i][0], dst[i][1]
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	for c := range 8 { // Gauss-Jordan with partial pivoting
		p := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-12 {
			return homography{}, false
		}
		a[c], a[p] = a[p], a[c]
		for r := range 8 {
			if r == c {
				continue
			}
			f := a[r][c] / a[c][c]
			for k := c; k < 9; k++ {
				a[r][k] -= f * a[c][k]
			}
		}
	}
	for i := range 8 {
		h[i] = a[i][8] / a[i][i]
	}
	h[8] = 1
	return h, true
}

// bilinear samples src at (x,y); ok is false outside.
func bilinear(src *image.RGBA, x, y float64) (color.RGBA, bool) {
	b := src.Bounds()
	x -= 0.5
	y -= 0.5
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	if x0 < b.Min.X || y0 < b.Min.Y || x0+1 >= b.Max.X || y0+1 >= b.Max.Y {
		return color.RGBA{}, false
	}
	fx, fy := x-float64(x0), y-float64(y0)
	c00, c10 := src.RGBAAt(x0, y0), src.RGBAAt(x0+1, y0)
	c01, c11 := src.RGBAAt(x0, y0+1), src.RGBAAt(x0+1, y0+1)
	mix := func(a, b, c, d uint8) uint8 {
		return uint8(math.Round((float64(a)*(1-fx)+float64(b)*fx)*(1-fy) + (float64(c)*(1-fx)+float64(d)*fx)*fy))
	}
	return color.RGBA{mix(c00.R, c10.R, c01.R, c11.R), mix(c00.G, c10.G, c01.G, c11.G), mix(c00.B, c10.B, c01.B, c11.B),
		mix(c00.A, c10.A, c01.A, c11.A)}, true
}

// warpRGBA draws tex onto dst through the quad (texture corners TL, TR, BR, BL), with the
// texture's alpha, sampling at pixel centres.
func warpRGBA(dst, tex *image.RGBA, quad [4][2]float64) {
	tb := tex.Bounds()
	w, h := float64(tb.Dx()), float64(tb.Dy())
	inv, ok := solveHomography(quad, [4][2]float64{{0, 0}, {w, 0}, {w, h}, {0, h}})
	if !ok {
		inv = identity
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, q := range quad {
		minX, minY, maxX, maxY = math.Min(minX, q[0]), math.Min(minY, q[1]), math.Max(maxX, q[0]), math.Max(maxY, q[1])
	}
	b := dst.Bounds()
	for y := max(b.Min.Y, int(minY)); y < min(b.Max.Y, int(maxY)+1); y++ {
		for x := max(b.Min.X, int(minX)); x < min(b.Max.X, int(maxX)+1); x++ {
			u, v := inv.apply(float64(x)+0.5, float64(y)+0.5)
			c, ok := bilinear(tex, u, v)
			if !ok || c.A == 0 {
				continue
			}
			blend(dst, x, y, c, float64(c.A)/255)
		}
	}
}

func blend(dst *image.RGBA, x, y int, c color.RGBA, a float64) {
	o := dst.RGBAAt(x, y)
	m := func(s, d uint8) uint8 { return uint8(math.Round(a*float64(s) + (1-a)*float64(d))) }
	dst.SetRGBA(x, y, color.RGBA{m(c.R, o.R), m(c.G, o.G), m(c.B, o.B), 255})
}

// resize scales src to w×h with an area-average (box) filter.
func resize(src image.Image, r image.Rectangle, w, h int) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	sx, sy := float64(r.Dx())/float64(w), float64(r.Dy())/float64(h)
	for y := range h {
		for x := range w {
			x0, y0 := r.Min.X+int(float64(x)*sx), r.Min.Y+int(float64(y)*sy)
			x1, y1 := max(x0+1, r.Min.X+int(float64(x+1)*sx)), max(y0+1, r.Min.Y+int(float64(y+1)*sy))
			var sr, sg, sb, n float64
			for yy := y0; yy < y1; yy += max(1, (y1-y0)/4) {
				for xx := x0; xx < x1; xx += max(1, (x1-x0)/4) {
					cr, cg, cb, _ := src.At(xx, yy).RGBA()
					sr, sg, sb, n = sr+float64(cr>>8), sg+float64(cg>>8), sb+float64(cb>>8), n+1
				}
			}
			out.SetRGBA(x, y, color.RGBA{uint8(sr / n), uint8(sg / n), uint8(sb / n), 255})
		}
	}
	return out
}
