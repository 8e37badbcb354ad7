package synth

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// SheetKind is one family of signature scenes (a sheet of paper on a table, or its absence).
type SheetKind string

const (
	SheetGood     SheetKind = "good"
	SheetBlank    SheetKind = "blank"
	SheetNoPaper  SheetKind = "no_paper"
	SheetDark     SheetKind = "dark"
	SheetBlurred  SheetKind = "blurred"
	SheetShaken   SheetKind = "shaken"
	SheetFar      SheetKind = "far"
	SheetShadow   SheetKind = "shadow"
	SheetGlare    SheetKind = "glare"
	SheetPrinted  SheetKind = "printed"
	SheetScribble SheetKind = "scribble"
	SheetTwo      SheetKind = "two"
)

// SheetKinds lists every kind, the positive one first.
func SheetKinds() []SheetKind {
	return []SheetKind{SheetGood, SheetBlank, SheetNoPaper, SheetDark, SheetBlurred, SheetShaken, SheetFar, SheetShadow, SheetGlare, SheetPrinted, SheetScribble, SheetTwo}
}

// Expectation is what a correct detector answers for a kind: the rule that must fail and its
// reason key (both empty for SheetGood, which must pass).
type Expectation struct {
	Rule   string
	Reason string
}

// expectations is the failing rule of every negative kind.
var expectations = map[SheetKind]Expectation{
	SheetBlank:    {"signature.ink.amount", "verdict.signature.ink.none"},
	SheetNoPaper:  {"signature.paper.found", "verdict.signature.paper.none"},
	SheetDark:     {"signature.paper.white", "verdict.signature.paper.dark"},
	SheetBlurred:  {"signature.sharpness", "verdict.signature.blurred"},
	SheetShaken:   {"signature.steady", "verdict.signature.shaken"},
	SheetFar:      {"signature.paper.size", "verdict.signature.paper.small"},
	SheetShadow:   {"signature.light.even", "verdict.signature.light.uneven"},
	SheetGlare:    {"signature.light.glare", "verdict.signature.light.glare"},
	SheetPrinted:  {"signature.ink.printed", "verdict.signature.ink.printed"},
	SheetScribble: {"signature.ink.amount", "verdict.signature.ink.too_much"},
	SheetTwo:      {"signature.count", "verdict.signature.count.many"},
}

// Expect returns the expected failing rule of a kind (none for SheetGood).
func Expect(k SheetKind) Expectation { return expectations[k] }

// SheetCase is one rendered signature scene with its label.
type SheetCase struct {
	Kind  SheetKind
	Seed  uint64
	Image sdk.Image
	Want  Expectation
}

// Name is a stable identifier such as "blank/3".
func (c SheetCase) Name() string { return fmt.Sprintf("%s/%d", c.Kind, c.Seed) }

// SheetSet renders n scenes of every kind, seeds 1..n, at w×h.
func SheetSet(n, w, h int) ([]SheetCase, error) {
	var out []SheetCase
	for _, k := range SheetKinds() {
		for s := 1; s <= n; s++ {
			c, err := RenderSheet(k, uint64(s), w, h)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// Paper space: an A5 sheet in landscape at ~120 dpi.
const (
	paperW = 1000
	paperH = 707
)

// RenderSheet draws one scene of kind k from seed at w×h and encodes it as the kiosk camera would
// (JPEG).
func RenderSheet(k SheetKind, seed uint64, w, h int) (SheetCase, error) {
	rng := rand.New(rand.NewPCG(seed, uint64(len(k))*7919+kindHash(k)))
	scene := tableTop(rng, w, h)
	if k != SheetNoPaper {
		paper := sheet(rng, k)
		frac := 0.45 + 0.17*rng.Float64()
		if k == SheetFar {
			frac = 0.14 + 0.08*rng.Float64()
		}
		quad := placement(rng, w, h, frac)
		if err := warpPlane(scene, paper, quad); err != nil {
			return SheetCase{}, fmt.Errorf("render %s/%d: %w", k, seed, err)
		}
		light(rng, scene, k, quad)
	} else {
		light(rng, scene, k, [4][2]float64{})
	}
	switch k {
	case SheetBlurred:
		scene.gaussBlur(3 + 1.5*rng.Float64())
	case SheetShaken:
		scene.motionBlur(14+10*rng.Float64(), rng.Float64()*math.Pi)
	default:
		scene.gaussBlur(0.4 + 0.5*rng.Float64())
	}
	sd := 1.5 + 2*rng.Float64()
	if k == SheetDark {
		sd += 2
	}
	scene.noise(rng, sd)
	data, err := scene.encodeJPEG(78 + rng.IntN(15))
	if err != nil {
		return SheetCase{}, err
	}
	return SheetCase{Kind: k, Seed: seed, Want: Expect(k),
		Image: sdk.Image{Data: data, Format: "jpeg", Width: w, Height: h}}, nil
}

func kindHash(k SheetKind) uint64 {
	var h uint64 = 1469598103934665603
	for i := 0; i < len(k); i++ {
		h = (h ^ uint64(k[i])) * 1099511628211
	}
	return h
}

// sheet renders the paper with its content in paper space.
func sheet(rng *rand.Rand, k SheetKind) *plane {
	p := newPlane(paperW, paperH)
	base := 212 + 30*rng.Float64()
	tint := [3]float64{rng.Float64()*6 - 3, rng.Float64()*6 - 3, rng.Float64()*6 - 3}
	for y := 0; y < paperH; y++ {
		for x := 0; x < paperW; x++ {
			f := rng.NormFloat64() * 1.5
			p.set(x, y, [3]float32{float32(base + tint[0] + f), float32(base + tint[1] + f), float32(base + tint[2] + f)})
		}
	}
	m := newMask(paperW, paperH)
	r := 1.6 + 1.4*rng.Float64()
	switch k {
	case SheetBlank:
	case SheetPrinted:
		printedPage(m, rng, 80, 70, paperW-160, paperH-140)
	case SheetScribble:
		scribble(m, rng, 120, 100, paperW-240, paperH-200, r)
	case SheetTwo:
		signature(m, rng, 70, 60, 330, 160, r)
		signature(m, rng, 600, 470, 330, 160, r)
	default:
		sw := 420 + 200*rng.Float64()
		sh := 150 + 90*rng.Float64()
		sx := (paperW-sw)/2 + (rng.Float64()-0.5)*120
		sy := (paperH-sh)/2 + (rng.Float64()-0.5)*120
		signature(m, rng, sx, sy, sw, sh, r)
	}
	inks := [][3]float32{{20, 25, 30}, {25, 35, 110}, {15, 15, 60}}
	p.ink(m, inks[rng.IntN(len(inks))])
	return p
}

// placement returns the paper's corners (tl, tr, br, bl) in the frame: width frac of the frame
// width, rotated a little, with some perspective, kept inside the frame.
func placement(rng *rand.Rand, w, h int, frac float64) [4][2]float64 {
	pw := frac * float64(w)
	ph := pw * paperH / paperW
	if ph > 0.88*float64(h) { // keep the sheet inside the frame
		ph = 0.88 * float64(h)
		pw = ph * paperW / paperH
	}
	th := (rng.Float64() - 0.5) * 0.28
	cx := float64(w)/2 + (rng.Float64()-0.5)*0.1*float64(w)
	cy := float64(h)/2 + (rng.Float64()-0.5)*0.08*float64(h)
	var q [4][2]float64
	for i, c := range [4][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		x := c[0]*pw/2 + (rng.Float64()-0.5)*0.05*pw
		y := c[1]*ph/2 + (rng.Float64()-0.5)*0.05*pw
		q[i] = [2]float64{cx + x*math.Cos(th) - y*math.Sin(th), cy + x*math.Sin(th) + y*math.Cos(th)}
	}
	// shift back inside the frame with a small margin
	var dx, dy float64
	for _, p := range q {
		dx = math.Max(dx, 4-p[0])
		dx = math.Min(dx, float64(w)-5-p[0])
		dy = math.Max(dy, 4-p[1])
		dy = math.Min(dy, float64(h)-5-p[1])
	}
	for i := range q {
		q[i][0] += dx
		q[i][1] += dy
	}
	return q
}

// tableTop draws a table top: wood grain, woven cloth, laminate or a cutting mat.
func tableTop(rng *rand.Rand, w, h int) *plane {
	p := newPlane(w, h)
	kind := rng.IntN(4)
	b := 0.7 + 0.4*rng.Float64()
	period := 3 + 4*rng.Float64()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x), float64(y)
			var c [3]float64
			switch kind {
			case 0: // wood
				g := 0.5 + 0.5*math.Sin((fy+25*math.Sin(fx/170))/period)
				c = [3]float64{120 + 40*g, 78 + 25*g, 45 + 15*g}
			case 1: // cloth
				g := math.Sin(fx/1.7) * math.Sin(fy/1.7)
				c = [3]float64{60 + 12*g, 70 + 12*g, 95 + 12*g}
			case 2: // grey laminate
				c = [3]float64{72, 72, 76}
			default: // green cutting mat with a grid
				c = [3]float64{40, 95, 70}
				if int(fx)%60 < 2 || int(fy)%60 < 2 {
					c = [3]float64{150, 190, 160}
				}
			}
			n := rng.NormFloat64() * 4
			p.set(x, y, [3]float32{float32(c[0]*b + n), float32(c[1]*b + n), float32(c[2]*b + n)})
		}
	}
	return p
}

// light applies the room's light: overall gain with a gentle gradient, plus the kind's defect
// (dark room, a shadow across the sheet, glare on it).
func light(rng *rand.Rand, p *plane, k SheetKind, quad [4][2]float64) {
	g0 := 0.9 + 0.12*rng.Float64()
	if k == SheetDark {
		g0 = 0.2 + 0.1*rng.Float64()
	}
	gx, gy := (rng.Float64()-0.5)*0.2, (rng.Float64()-0.5)*0.2
	cx := (quad[0][0] + quad[1][0] + quad[2][0] + quad[3][0]) / 4
	cy := (quad[0][1] + quad[1][1] + quad[2][1] + quad[3][1]) / 4
	pw := math.Hypot(quad[1][0]-quad[0][0], quad[1][1]-quad[0][1])
	// shadow edge: a line through the sheet near its centre
	sa := rng.Float64() * math.Pi
	sx, sy := cx+(rng.Float64()-0.5)*0.3*pw, cy+(rng.Float64()-0.5)*0.2*pw
	depth := 0.42 + 0.15*rng.Float64()
	// glare spot on the sheet
	gxp, gyp := cx+(rng.Float64()-0.5)*0.4*pw, cy+(rng.Float64()-0.5)*0.25*pw
	gs := (0.12 + 0.06*rng.Float64()) * pw
	for y := 0; y < p.h; y++ {
		for x := 0; x < p.w; x++ {
			fx, fy := float64(x), float64(y)
			g := g0 * (1 + gx*(fx/float64(p.w)-0.5) + gy*(fy/float64(p.h)-0.5))
			add := 0.0
			switch k {
			case SheetShadow:
				d := (fx-sx)*math.Cos(sa) + (fy-sy)*math.Sin(sa)
				t := 1 / (1 + math.Exp(-d/6)) // soft edge
				g *= 1 - (1-depth)*t
			case SheetGlare:
				d2 := ((fx-gxp)*(fx-gxp) + (fy-gyp)*(fy-gyp)) / (gs * gs)
				add = 200 * math.Exp(-d2)
			}
			i := 3 * (y*p.w + x)
			for c := 0; c < 3; c++ {
				p.px[i+c] = float32(float64(p.px[i+c])*g + add)
			}
		}
	}
}
