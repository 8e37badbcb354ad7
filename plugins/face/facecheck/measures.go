package facecheck

import (
	"image"
	"image/color"
	"math"
)

// cropGray returns r (clipped to g) resized to width w by area averaging, keeping the aspect.
func cropGray(g *image.Gray, r image.Rectangle, w int) *image.Gray {
	r = r.Intersect(g.Bounds())
	if r.Empty() {
		return image.NewGray(image.Rect(0, 0, 0, 0))
	}
	h := max(1, r.Dy()*w/max(1, r.Dx()))
	dst := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		y0 := r.Min.Y + y*r.Dy()/h
		y1 := max(r.Min.Y+(y+1)*r.Dy()/h, y0+1)
		for x := 0; x < w; x++ {
			x0 := r.Min.X + x*r.Dx()/w
			x1 := max(r.Min.X+(x+1)*r.Dx()/w, x0+1)
			var s, n int
			for yy := y0; yy < y1; yy++ {
				row := g.Pix[g.PixOffset(x0, yy):]
				for xx := 0; xx < x1-x0; xx++ {
					s += int(row[xx])
					n++
				}
			}
			dst.Pix[y*dst.Stride+x] = uint8(s / n)
		}
	}
	return dst
}

// laplacianVariance is the variance of the 4-neighbour Laplacian: low on a blurred picture.
func laplacianVariance(g *image.Gray) float64 {
	b := g.Bounds()
	var sum, sq float64
	n := 0
	for y := b.Min.Y + 1; y < b.Max.Y-1; y++ {
		for x := b.Min.X + 1; x < b.Max.X-1; x++ {
			i := g.PixOffset(x, y)
			l := float64(g.Pix[i-1]) + float64(g.Pix[i+1]) + float64(g.Pix[i-g.Stride]) + float64(g.Pix[i+g.Stride]) - 4*float64(g.Pix[i])
			sum += l
			sq += l * l
			n++
		}
	}
	if n == 0 {
		return 0
	}
	m := sum / float64(n)
	return sq/float64(n) - m*m
}

// meanStd returns the mean and standard deviation of the luma in g.
func meanStd(g *image.Gray) (float64, float64) {
	if len(g.Pix) == 0 {
		return 0, 0
	}
	var s, sq float64
	for _, v := range g.Pix {
		f := float64(v)
		s += f
		sq += f * f
	}
	n := float64(len(g.Pix))
	m := s / n
	return m, math.Sqrt(math.Max(0, sq/n-m*m))
}

// chroma is the mean (Cb, Cr) and luma of a patch.
type chroma struct{ Y, Cb, Cr float64 }

// patchChroma averages the YCbCr of a square patch of half-size r centred on c.
func patchChroma(img *image.RGBA, c pt, r float64) (chroma, bool) {
	rect := image.Rect(int(c.X-r), int(c.Y-r), int(c.X+r)+1, int(c.Y+r)+1).Intersect(img.Bounds())
	if rect.Dx() < 2 || rect.Dy() < 2 {
		return chroma{}, false
	}
	var out chroma
	n := 0.0
	for y := rect.Min.Y; y < rect.Max.Y; y++ {
		for x := rect.Min.X; x < rect.Max.X; x++ {
			i := img.PixOffset(x, y)
			yy, cb, cr := color.RGBToYCbCr(img.Pix[i], img.Pix[i+1], img.Pix[i+2])
			out.Y += float64(yy)
			out.Cb += float64(cb)
			out.Cr += float64(cr)
			n++
		}
	}
	out.Y, out.Cb, out.Cr = out.Y/n, out.Cb/n, out.Cr/n
	return out, true
}

// coveringScore measures how unlike skin the lower face is: the chroma distance (and a scaled
// luma difference) between the skin between the eyes (above any mask) and patches on the lower
// cheeks and the chin, which a mask, scarf or hand covers. The median of the three patches
// tolerates one odd patch (a beard, a shadow). 68-point landmarks; higher means more covered.
func coveringScore(img *image.RGBA, p []pt) (float64, bool) {
	iod := dist(p[36], p[45])
	ref, ok := patchChroma(img, mid(p[27], p[28]), 0.08*iod)
	if !ok {
		return 0, false
	}
	lows := []pt{mid(p[4], p[48], p[31]), mid(p[12], p[54], p[35]), mid(p[57], p[8])}
	var ds []float64
	for _, c := range lows {
		ch, ok := patchChroma(img, c, 0.08*iod)
		if !ok {
			return 0, false
		}
		dy := (ch.Y - ref.Y) / 4
		ds = append(ds, math.Sqrt((ch.Cb-ref.Cb)*(ch.Cb-ref.Cb)+(ch.Cr-ref.Cr)*(ch.Cr-ref.Cr)+dy*dy))
	}
	// median of three
	a, b, c := ds[0], ds[1], ds[2]
	return math.Max(math.Min(a, b), math.Min(math.Max(a, b), c)), true
}
