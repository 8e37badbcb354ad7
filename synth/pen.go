package synth

import (
	"math"
	"math/rand/v2"
)

type pt struct{ x, y float64 }

// stroke draws a Catmull-Rom spline through pts with a pen whose radius swells and thins like a
// real pen under changing pressure (base radius r).
func stroke(m *mask, rng *rand.Rand, pts []pt, r float64) {
	if len(pts) < 2 {
		return
	}
	ext := append(append([]pt{pts[0]}, pts...), pts[len(pts)-1])
	freq, phase := 0.004+rng.Float64()*0.01, rng.Float64()*6
	dist := 0.0
	for i := 1; i+2 < len(ext); i++ {
		p0, p1, p2, p3 := ext[i-1], ext[i], ext[i+1], ext[i+2]
		n := max(int(math.Hypot(p2.x-p1.x, p2.y-p1.y)/0.4), 2)
		for s := 0; s < n; s++ {
			t := float64(s) / float64(n)
			t2, t3 := t*t, t*t*t
			x := 0.5 * (2*p1.x + (-p0.x+p2.x)*t + (2*p0.x-5*p1.x+4*p2.x-p3.x)*t2 + (-p0.x+3*p1.x-3*p2.x+p3.x)*t3)
			y := 0.5 * (2*p1.y + (-p0.y+p2.y)*t + (2*p0.y-5*p1.y+4*p2.y-p3.y)*t2 + (-p0.y+3*p1.y-3*p2.y+p3.y)*t3)
			dist += 0.4
			m.disc(x, y, r*(0.8+0.3*math.Sin(dist*freq*6.28+phase)))
		}
	}
}

// signature draws one handwritten-looking signature inside the box (x, y, w, h): a main stroke
// that loops as it runs right, sometimes a second stroke and an underline flourish, and a few
// dots as Persian script has.
func signature(m *mask, rng *rand.Rand, x, y, w, h, r float64) {
	cy := y + h/2
	n := 7 + rng.IntN(7)
	var main []pt
	px := x
	for i := 0; i < n; i++ {
		px += w / float64(n) * (0.6 + 0.8*rng.Float64())
		if rng.IntN(3) == 0 { // a loop: step back
			px -= w / float64(n) * (0.5 + 0.6*rng.Float64())
		}
		px = math.Min(math.Max(px, x), x+w)
		main = append(main, pt{px, cy + (rng.Float64()-0.5)*h})
	}
	stroke(m, rng, main, r)
	if rng.IntN(2) == 0 { // second word, overlapping the first's span
		var second []pt
		sx := x + w*(0.3+0.3*rng.Float64())
		for i := 0; i < 4+rng.IntN(3); i++ {
			second = append(second, pt{sx + float64(i)*w*0.08, cy + (rng.Float64()-0.3)*h*0.6})
		}
		stroke(m, rng, second, r*0.9)
	}
	if rng.IntN(2) == 0 { // underline flourish
		fy := y + h*(0.8+0.2*rng.Float64())
		stroke(m, rng, []pt{{x + w*0.1, fy}, {x + w*0.5, fy + h*0.08}, {x + w*0.95, fy - h*0.1}}, r*0.8)
	}
	for i := rng.IntN(3); i > 0; i-- {
		m.disc(x+w*rng.Float64(), y+h*(0.05+0.2*rng.Float64()), r*1.4)
	}
}

// printedPage fills the area with rows of small glyph-like marks: a typed letter, not a signature.
func printedPage(m *mask, rng *rand.Rand, x, y, w, h float64) {
	xh := 9 + rng.Float64()*4
	line := xh * (2.0 + 0.4*rng.Float64())
	for ly := y; ly+xh < y+h; ly += line {
		lx := x
		for lx < x+w {
			word := 2 + rng.IntN(7)
			for g := 0; g < word && lx < x+w; g++ {
				gw := xh * (0.55 + 0.35*rng.Float64())
				glyph(m, rng, lx, ly, gw, xh)
				lx += gw + xh*0.2
			}
			lx += xh * 0.8
		}
	}
}

func glyph(m *mask, rng *rand.Rand, x, y, w, h float64) {
	a := pt{x + w*rng.Float64(), y + h*rng.Float64()}
	for i := 0; i < 2+rng.IntN(2); i++ {
		b := pt{x + w*rng.Float64(), y + h*rng.Float64()}
		n := max(int(math.Hypot(b.x-a.x, b.y-a.y)/0.5), 1)
		for s := 0; s <= n; s++ {
			t := float64(s) / float64(n)
			m.disc(a.x+(b.x-a.x)*t, a.y+(b.y-a.y)*t, 1.1)
		}
		a = b
	}
}

// scribble covers most of the area with dense zig-zag strokes: far too much ink for a signature.
func scribble(m *mask, rng *rand.Rand, x, y, w, h, r float64) {
	for row := 0; row < 14; row++ {
		var pts []pt
		yy := y + h*float64(row)/14
		for i := 0; i < 30; i++ {
			pts = append(pts, pt{x + w*float64(i)/29, yy + (rng.Float64()-0.5)*h*0.25})
		}
		stroke(m, rng, pts, r*1.6)
	}
}
