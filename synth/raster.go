package synth

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
)

// plane is a float RGB picture (0..255 per channel), the working surface of the renderer.
type plane struct {
	w, h int
	px   []float32 // r, g, b interleaved
}

func newPlane(w, h int) *plane { return &plane{w: w, h: h, px: make([]float32, 3*w*h)} }

func (p *plane) set(x, y int, c [3]float32) {
	i := 3 * (y*p.w + x)
	p.px[i], p.px[i+1], p.px[i+2] = c[0], c[1], c[2]
}

// sample reads p bilinearly at (x, y); ok is false outside the picture.
func (p *plane) sample(x, y float64) (c [3]float32, ok bool) {
	if x < 0 || y < 0 || x > float64(p.w-1) || y > float64(p.h-1) {
		return c, false
	}
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, p.w-1), min(y0+1, p.h-1)
	fx, fy := float32(x-float64(x0)), float32(y-float64(y0))
	for k := 0; k < 3; k++ {
		a := p.px[3*(y0*p.w+x0)+k]*(1-fx) + p.px[3*(y0*p.w+x1)+k]*fx
		b := p.px[3*(y1*p.w+x0)+k]*(1-fx) + p.px[3*(y1*p.w+x1)+k]*fx
		c[k] = a*(1-fy) + b*fy
	}
	return c, true
}

// mask is a float coverage map (0..1) the pen draws into.
type mask struct {
	w, h int
	a    []float32
}

func newMask(w, h int) *mask { return &mask{w: w, h: h, a: make([]float32, w*h)} }

// disc stamps an anti-aliased disc of radius r at (cx, cy).
func (m *mask) disc(cx, cy, r float64) {
	x0, x1 := max(int(cx-r-1), 0), min(int(cx+r+2), m.w)
	y0, y1 := max(int(cy-r-1), 0), min(int(cy+r+2), m.h)
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			d := math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy)
			cov := float32(math.Min(1, math.Max(0, r+0.5-d)))
			if i := y*m.w + x; cov > m.a[i] {
				m.a[i] = cov
			}
		}
	}
}

// rect fills an axis-aligned rectangle.
func (m *mask) rect(x0, y0, x1, y1 int) {
	for y := max(y0, 0); y < min(y1, m.h); y++ {
		for x := max(x0, 0); x < min(x1, m.w); x++ {
			m.a[y*m.w+x] = 1
		}
	}
}

// ink paints colour c over p wherever m has coverage.
func (p *plane) ink(m *mask, c [3]float32) {
	for i, a := range m.a {
		if a == 0 {
			continue
		}
		for k := 0; k < 3; k++ {
			p.px[3*i+k] = p.px[3*i+k]*(1-a) + c[k]*a
		}
	}
}

// warpPlane draws src onto dst inside the quad dstQuad (src's corners tl, tr, br, bl map to it).
func warpPlane(dst, src *plane, dstQuad [4][2]float64) error {
	sw, sh := float64(src.w-1), float64(src.h-1)
	inv, ok := solveHomography(dstQuad, [4][2]float64{{0, 0}, {sw, 0}, {sw, sh}, {0, sh}})
	if !ok {
		return fmt.Errorf("homography: degenerate quad")
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, q := range dstQuad {
		minX, maxX = math.Min(minX, q[0]), math.Max(maxX, q[0])
		minY, maxY = math.Min(minY, q[1]), math.Max(maxY, q[1])
	}
	for y := max(int(minY), 0); y <= min(int(maxY)+1, dst.h-1); y++ {
		for x := max(int(minX), 0); x <= min(int(maxX)+1, dst.w-1); x++ {
			u, v := inv.apply(float64(x), float64(y))
			if c, ok := src.sample(u, v); ok {
				dst.set(x, y, c)
			}
		}
	}
	return nil
}

// gaussBlur blurs p in place with a separable Gaussian of the given sigma (pixels).
func (p *plane) gaussBlur(sigma float64) {
	if sigma < 0.2 {
		return
	}
	r := int(math.Ceil(3 * sigma))
	k := make([]float32, 2*r+1)
	var sum float32
	for i := range k {
		d := float64(i - r)
		k[i] = float32(math.Exp(-d * d / (2 * sigma * sigma)))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	p.convolve(k, 1, 0)
	p.convolve(k, 0, 1)
}

// motionBlur smears p along the direction angle (radians) over length pixels: a shaken hand.
func (p *plane) motionBlur(length, angle float64) {
	n := max(int(length), 2)
	out := make([]float32, len(p.px))
	dx, dy := math.Cos(angle), math.Sin(angle)
	for y := 0; y < p.h; y++ {
		for x := 0; x < p.w; x++ {
			var acc [3]float32
			var cnt float32
			for s := 0; s < n; s++ {
				t := float64(s) - float64(n-1)/2
				if c, ok := p.sample(float64(x)+t*dx, float64(y)+t*dy); ok {
					acc[0], acc[1], acc[2] = acc[0]+c[0], acc[1]+c[1], acc[2]+c[2]
					cnt++
				}
			}
			i := 3 * (y*p.w + x)
			for k := 0; k < 3; k++ {
				out[i+k] = acc[k] / cnt
			}
		}
	}
	p.px = out
}

// convolve applies the 1-D kernel k along (dx, dy) ∈ {(1,0), (0,1)}, clamping at the borders.
func (p *plane) convolve(k []float32, dx, dy int) {
	r := len(k) / 2
	out := make([]float32, len(p.px))
	for y := 0; y < p.h; y++ {
		for x := 0; x < p.w; x++ {
			var acc [3]float32
			for i, kv := range k {
				sx := min(max(x+(i-r)*dx, 0), p.w-1)
				sy := min(max(y+(i-r)*dy, 0), p.h-1)
				j := 3 * (sy*p.w + sx)
				acc[0] += kv * p.px[j]
				acc[1] += kv * p.px[j+1]
				acc[2] += kv * p.px[j+2]
			}
			j := 3 * (y*p.w + x)
			out[j], out[j+1], out[j+2] = acc[0], acc[1], acc[2]
		}
	}
	p.px = out
}

// noise adds Gaussian sensor noise of the given standard deviation.
func (p *plane) noise(rng *rand.Rand, sd float64) {
	for i := range p.px {
		p.px[i] += float32(rng.NormFloat64() * sd)
	}
}

// encodeJPEG clamps p to 8 bits and encodes it as JPEG.
func (p *plane) encodeJPEG(quality int) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, p.w, p.h))
	for i := 0; i < p.w*p.h; i++ {
		img.Pix[4*i] = clamp8(p.px[3*i])
		img.Pix[4*i+1] = clamp8(p.px[3*i+1])
		img.Pix[4*i+2] = clamp8(p.px[3*i+2])
		img.Pix[4*i+3] = 255
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		return nil, fmt.Errorf("encode scene: %w", err)
	}
	return b.Bytes(), nil
}

func clamp8(v float32) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}
