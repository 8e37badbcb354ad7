package synth

import (
	"image"
	"image/color"
	"math"
)

// Skin tones from light to dark.
var Skins = []color.RGBA{
	{233, 192, 170, 255}, {224, 172, 138, 255}, {198, 134, 99, 255},
	{163, 108, 76, 255}, {115, 74, 52, 255}, {82, 54, 38, 255},
}

// HandPose places a rendered hand in the frame.
type HandPose struct {
	Count   int        // fingers extended, 0..5
	Thumb3  bool       // show 3 as thumb+index+middle instead of index+middle+ring
	X, Y    float64    // palm centre in pixels
	Palm    float64    // palm width in pixels
	Angle   float64    // radians, 0 = fingers up
	Mirror  bool       // left hand instead of right
	Skin    color.RGBA // base colour
	Forearm bool       // draw the forearm down to the frame's bottom edge
}

type capsule struct {
	ax, ay, bx, by, r float64
	shade             float64
}

func (c capsule) dist(x, y float64) (float64, float64) {
	dx, dy := c.bx-c.ax, c.by-c.ay
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, ((x-c.ax)*dx+(y-c.ay)*dy)/l2))
	}
	px, py := c.ax+t*dx-x, c.ay+t*dy-y
	return math.Sqrt(px*px+py*py) - c.r, t
}

// fingers returns which of thumb, index, middle, ring, pinky are extended for a count.
func fingers(n int, thumb3 bool) [5]bool {
	switch n {
	case 1:
		return [5]bool{false, true, false, false, false}
	case 2:
		return [5]bool{false, true, true, false, false}
	case 3:
		if thumb3 {
			return [5]bool{true, true, true, false, false}
		}
		return [5]bool{false, true, true, true, false}
	case 4:
		return [5]bool{false, true, true, true, true}
	case 5:
		return [5]bool{true, true, true, true, true}
	}
	return [5]bool{}
}

// shapes builds the hand in hand units (palm width 1, fingers up, y down, palm centre at 0,0),
// back to front.
func (p HandPose) shapes(frameBottom float64) []capsule {
	ext := fingers(p.Count, p.Thumb3)
	var s []capsule
	if p.Forearm {
		s = append(s, capsule{0, 0.6, 0.15, frameBottom, 0.36, 0.92})
	}
	// palm as three fat capsules
	s = append(s, capsule{-0.22, -0.15, -0.22, 0.35, 0.3, 1}, capsule{0.2, -0.15, 0.2, 0.35, 0.3, 1},
		capsule{0, -0.2, 0, 0.3, 0.32, 1})
	base := [4][2]float64{{-0.33, -0.42}, {-0.11, -0.48}, {0.11, -0.46}, {0.32, -0.38}}
	length := [4]float64{0.92, 1.02, 0.95, 0.74}
	spread := [4]float64{-0.2, -0.05, 0.08, 0.22}
	var front []capsule
	for i := range 4 {
		bx, by := base[i][0], base[i][1]
		if ext[i+1] {
			a := spread[i]
			front = append(front, capsule{bx, by, bx + length[i]*math.Sin(a), by - length[i]*math.Cos(a), 0.105, 1.05})
		} else { // folded: a knuckle bump curled over the palm
			s = append(s, capsule{bx, by + 0.02, bx, by + 0.22, 0.11, 0.88})
		}
	}
	if ext[0] {
		front = append(front, capsule{-0.42, 0.25, -0.98, -0.28, 0.125, 1.02})
	} else {
		s = append(s, capsule{-0.42, 0.25, -0.12, 0.05, 0.12, 0.9})
	}
	return append(s, front...)
}

// Draw renders the hand onto dst.
func (p HandPose) Draw(dst *image.RGBA) {
	b := dst.Bounds()
	sc := p.Palm
	sin, cos := math.Sin(p.Angle), math.Cos(p.Angle)
	// forearm reaches the frame bottom in hand units (generous)
	shapes := p.shapes((float64(b.Max.Y) - p.Y + sc) / sc * 1.2)
	// bounding box in pixels
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	toPix := func(hx, hy float64) (float64, float64) {
		if p.Mirror {
			hx = -hx
		}
		return p.X + sc*(hx*cos-hy*sin), p.Y + sc*(hx*sin+hy*cos)
	}
	for _, c := range shapes {
		for _, pt := range [][2]float64{{c.ax, c.ay}, {c.bx, c.by}} {
			x, y := toPix(pt[0], pt[1])
			minX, minY = math.Min(minX, x-c.r*sc), math.Min(minY, y-c.r*sc)
			maxX, maxY = math.Max(maxX, x+c.r*sc), math.Max(maxY, y+c.r*sc)
		}
	}
	x0, y0 := max(b.Min.X, int(minX)-2), max(b.Min.Y, int(minY)-2)
	x1, y1 := min(b.Max.X, int(maxX)+2), min(b.Max.Y, int(maxY)+2)
	for py := y0; py < y1; py++ {
		for px := x0; px < x1; px++ {
			// pixel → hand units
			dx, dy := (float64(px)+0.5-p.X)/sc, (float64(py)+0.5-p.Y)/sc
			hx, hy := dx*cos+dy*sin, -dx*sin+dy*cos
			if p.Mirror {
				hx = -hx
			}
			for i := len(shapes) - 1; i >= 0; i-- {
				d, _ := shapes[i].dist(hx, hy)
				if d > 0 {
					continue
				}
				// shading: rounder towards the edge, a darker rim so touching parts separate
				depth := math.Min(1, -d/shapes[i].r)
				k := shapes[i].shade * (0.72 + 0.28*math.Sqrt(depth))
				if -d*sc < 1.2 {
					k *= 0.8
				}
				alpha := math.Min(1, -d*sc+0.5)
				bg := dst.RGBAAt(px, py)
				mix := func(c uint8, bgc uint8) uint8 {
					v := math.Min(255, float64(c)*k)
					return uint8(alpha*v + (1-alpha)*float64(bgc))
				}
				dst.SetRGBA(px, py, color.RGBA{mix(p.Skin.R, bg.R), mix(p.Skin.G, bg.G), mix(p.Skin.B, bg.B), 255})
				break
			}
		}
	}
}
