package synth

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// ClipKind is what a clip presents to the camera.
type ClipKind int

const (
	Genuine      ClipKind = iota // a (simulated) live head: non-planar yaw, torso, hand
	ScreenReplay                 // the face on a phone screen: bezel, moiré, glare, moved as a plane
	Print                        // the face as a halftone print on paper, moved as a plane
	FlatWarp                     // a plain face photo cut-out moved as a plane
)

func (k ClipKind) String() string {
	return [...]string{"genuine", "screen-replay", "print", "flat-warp"}[k]
}

// ClipSpec describes one clip.
type ClipSpec struct {
	Face    image.Image
	FaceBox image.Rectangle // the face inside Face
	Shown   []int           // numbers the hand shows, in order (nil: no hand at all)
	Kind    ClipKind
	Seed    uint64
	W, H    int // default 640×480
	FPS     int // default 15
	MinMS   int // the clip lasts at least this long (the tail is extended)
	// Windows, when set (one per Shown number), are when each number is on screen, in ms from
	// the clip's start: the hand makes a fist until a window opens, shows its number from a
	// reaction time after the window began (ReactMS, ±ReactJitterMS per number) until the same
	// reaction after it closed, then a fist again — a person following the screen. Unset: the
	// fixed timeline (lead-in, then per number a 400 ms fist and a 1.2–1.7 s hold).
	Windows []sdk.Window
	// ReactMS is the person's reaction time to a window (default 400–900 ms, drawn from Seed);
	// ReactJitterMS varies it per number (default 150).
	ReactMS, ReactJitterMS int
}

// Clip is the recorded frames plus the exact count drawn in each frame (-1: no hand).
type Clip struct {
	Frames []sdk.Frame
	Labels []int
	// FaceRect is where the face was placed (pixels of the first frame).
	FaceRect image.Rectangle
}

// Timeline: lead-in, then per number a transition (fist) and a hold.
const (
	leadMS       = 700
	transitionMS = 400
	tailMS       = 300
)

// MakeClip renders the clip.
func MakeClip(s ClipSpec) (Clip, error) {
	if s.W == 0 {
		s.W, s.H = 640, 480
	}
	if s.FPS == 0 {
		s.FPS = 15
	}
	if s.Face == nil || s.FaceBox.Empty() {
		return Clip{}, fmt.Errorf("synth: no face")
	}
	rng := rand.New(rand.NewPCG(s.Seed, 0x5eed))
	var segs []seg
	t := leadMS
	if len(s.Windows) > 0 {
		if len(s.Windows) != len(s.Shown) {
			return Clip{}, fmt.Errorf("synth: %d windows for %d numbers", len(s.Windows), len(s.Shown))
		}
		// the reactions from their own source: the same Seed draws the same person and hand as
		// the fixed timeline does
		segs, t = followWindows(s, rand.New(rand.NewPCG(s.Seed, 0x4eac7)))
	} else {
		segs = append(segs, seg{0, 0, leadMS})
		for _, n := range s.Shown {
			segs = append(segs, seg{0, t, t + transitionMS})
			t += transitionMS
			hold := 1200 + rng.IntN(500)
			segs = append(segs, seg{n, t, t + hold})
			t += hold
		}
	}
	tail := max(tailMS, s.MinMS-t)
	segs = append(segs, seg{0, t, t + tail})
	total := t + tail
	if s.Shown == nil {
		total = max(6000, s.MinMS)
	}
	// face patch at kiosk size
	fw := 110 + rng.Float64()*35
	scale := fw / float64(s.FaceBox.Dx())
	cx, cy := float64(s.FaceBox.Min.X+s.FaceBox.Max.X)/2, float64(s.FaceBox.Min.Y+s.FaceBox.Max.Y)/2
	src := image.Rect(int(cx-float64(s.FaceBox.Dx())*1.0), int(cy-float64(s.FaceBox.Dy())*1.25),
		int(cx+float64(s.FaceBox.Dx())*1.0), int(cy+float64(s.FaceBox.Dy())*1.05)).Intersect(s.Face.Bounds())
	patch := resize(s.Face, src, max(8, int(float64(src.Dx())*scale)), max(8, int(float64(src.Dy())*scale)))
	// where the face centre lands
	fcx := float64(s.W)/2 + (rng.Float64()-0.5)*30
	fcy := float64(s.H)*0.42 + (rng.Float64()-0.5)*20
	px := fcx - (cx-float64(src.Min.X))*scale // patch origin
	py := fcy - (cy-float64(src.Min.Y))*scale
	faceRect := image.Rect(int(fcx-fw/2), int(fcy-float64(s.FaceBox.Dy())*scale/2), int(fcx+fw/2), int(fcy+float64(s.FaceBox.Dy())*scale/2))
	skin := Skins[rng.IntN(len(Skins))]
	shirt := []color.RGBA{{40, 50, 90, 255}, {70, 70, 75, 255}, {110, 30, 40, 255}, {30, 80, 60, 255}}[rng.IntN(4)]
	side := 1.0
	if rng.IntN(2) == 0 {
		side = -1
	}
	mirror := rng.IntN(2) == 0
	thumb3 := rng.IntN(2) == 0
	palm := fw * (0.6 + rng.Float64()*0.12)
	hx0 := fcx + side*fw*(1.65+rng.Float64()*0.15)
	hx0 = math.Max(1.25*palm, math.Min(float64(s.W)-1.25*palm, hx0)) // the whole hand stays in view
	hy0 := fcy + fw*0.35
	var tex *image.RGBA
	switch s.Kind {
	case ScreenReplay:
		tex = phoneTexture(s.Face, src, patch.Bounds().Dx(), patch.Bounds().Dy(), rng)
	case Print:
		tex = printTexture(patch)
	case FlatWarp:
		tex = patch
	}
	phase := rng.Float64() * 6
	var clip Clip
	clip.FaceRect = faceRect
	var buf bytes.Buffer
	wall := whiteWall(s.W, s.H, rng)
	for ms := 0; ms < total; ms += 1000 / s.FPS {
		img := image.NewRGBA(wall.Bounds())
		copy(img.Pix, wall.Pix)
		tt := float64(ms) / 1000
		jx, jy := 3*math.Sin(tt*1.7+phase), 2*math.Sin(tt*2.3+phase)
		if s.Kind == Genuine {
			drawTorso(img, fcx+jx, fcy+jy, fw, skin, shirt)
			yaw := 0.16 * math.Sin(2*math.Pi*tt/3.1+phase)
			drawHead(img, patch, px+jx, py+jy, yaw)
		} else {
			// a plane tilting and drifting in front of the camera
			tw, th := float64(tex.Bounds().Dx()), float64(tex.Bounds().Dy())
			ox, oy := fcx-tw/2+jx*2, fcy-th*0.45+jy*2
			a := 0.08 * math.Sin(2*math.Pi*tt/2.7+phase)
			rot := 0.04 * math.Sin(tt*1.3+phase)
			c, sn := math.Cos(rot), math.Sin(rot)
			corner := func(x, y, k float64) [2]float64 {
				x -= tw / 2
				y = (y - th/2) * k
				return [2]float64{ox + tw/2 + x*c - y*sn, oy + th/2 + x*sn + y*c}
			}
			warpRGBA(img, tex, [4][2]float64{corner(0, 0, 1+a), corner(tw, 0, 1-a), corner(tw, th, 1-a), corner(0, th, 1+a)})
		}
		count := -1
		if s.Shown != nil {
			count = 0
			for _, sg := range segs {
				if ms >= sg.start && ms < sg.end {
					count = sg.count
				}
			}
			HandPose{Count: count, Thumb3: thumb3, X: hx0 + 2.5*math.Sin(tt*2.9) + rng.Float64(), Y: hy0 + 2*math.Sin(tt*2.1),
				Palm: palm * (1 + 0.02*math.Sin(tt)), Angle: side*0.08 + 0.05*math.Sin(tt*1.1+phase), Mirror: mirror,
				Skin: skin, Forearm: true}.Draw(img)
		}
		buf.Reset()
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 88}); err != nil {
			return Clip{}, fmt.Errorf("synth: encode frame: %w", err)
		}
		clip.Frames = append(clip.Frames, sdk.Frame{
			Image:       sdk.Image{Data: bytes.Clone(buf.Bytes()), Format: "jpeg", Width: s.W, Height: s.H},
			TimestampMS: int64(ms),
		})
		clip.Labels = append(clip.Labels, count)
	}
	return clip, nil
}

// seg is one stretch of the clip's timeline: the count shown from start to end (ms).
type seg struct {
	count      int
	start, end int
}

// followWindows is the timeline of a person following the windows on screen: a fist, and each
// number from its reaction after its window opened to the same reaction after it closed. It
// returns the segments and the end of the last one.
func followWindows(s ClipSpec, rng *rand.Rand) ([]seg, int) {
	react, jitter := s.ReactMS, s.ReactJitterMS
	if react <= 0 {
		react = 400 + rng.IntN(501)
	}
	if jitter <= 0 {
		jitter = 150
	}
	segs := []seg{{0, 0, int(s.Windows[0].StartMS)}}
	end := 0
	for i, w := range s.Windows {
		r := max(300, react+rng.IntN(2*jitter+1)-jitter)
		from, to := int(w.StartMS)+r, int(w.EndMS)+r
		if i+1 < len(s.Windows) {
			to = min(to, int(s.Windows[i+1].StartMS)+r) // the next number replaces it
		}
		segs = append(segs, seg{0, end, from}, seg{s.Shown[i], from, to})
		end = to
	}
	return segs, end
}

// whiteWall is a white wall: slight vertical gradient, vignette and sensor noise.
func whiteWall(w, h int, rng *rand.Rand) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			dx, dy := float64(x)/float64(w)-0.5, float64(y)/float64(h)-0.5
			v := 246 - 14*(dx*dx+dy*dy) - 4*float64(y)/float64(h) + rng.NormFloat64()*1.5
			c := uint8(math.Max(0, math.Min(255, v)))
			img.Pix[(y*w+x)*4+0] = c
			img.Pix[(y*w+x)*4+1] = c
			img.Pix[(y*w+x)*4+2] = uint8(math.Min(255, float64(c)+1))
			img.Pix[(y*w+x)*4+3] = 255
		}
	}
	return img
}

// drawTorso draws a neck and shoulders under the face.
func drawTorso(img *image.RGBA, cx, cy, fw float64, skin, shirt color.RGBA) {
	neck := capsule{cx, cy, cx, cy + fw*1.1, fw * 0.28, 1}
	body := []capsule{{cx - fw*0.7, cy + fw*1.35, cx + fw*0.7, cy + fw*1.35, fw * 0.55, 1},
		{cx - fw*0.8, cy + fw*2.1, cx + fw*0.8, cy + fw*3.5, fw * 0.8, 1}}
	b := img.Bounds()
	for y := max(0, int(cy)); y < b.Max.Y; y++ {
		for x := max(0, int(cx-fw*2)); x < min(b.Max.X, int(cx+fw*2)); x++ {
			fx, fy := float64(x), float64(y)
			in := false
			for _, c := range body {
				if d, _ := c.dist(fx, fy); d <= 0 {
					in = true
				}
			}
			if in {
				img.SetRGBA(x, y, shirt)
			} else if d, _ := neck.dist(fx, fy); d <= 0 {
				k := 0.85
				img.SetRGBA(x, y, color.RGBA{uint8(float64(skin.R) * k), uint8(float64(skin.G) * k), uint8(float64(skin.B) * k), 255})
			}
		}
	}
}

// drawHead composites the face patch with a soft elliptical mask, turned by yaw as on a
// cylinder (the nose moves more than the ears), which no single homography explains.
func drawHead(img, patch *image.RGBA, ox, oy, yaw float64) {
	pw, ph := float64(patch.Bounds().Dx()), float64(patch.Bounds().Dy())
	ccx, ccy := pw/2, ph/2
	rx, ry := pw*0.42, ph*0.47
	b := img.Bounds()
	for y := max(b.Min.Y, int(oy)); y < min(b.Max.Y, int(oy+ph)); y++ {
		for x := max(b.Min.X, int(ox)); x < min(b.Max.X, int(ox+pw)); x++ {
			lx, ly := float64(x)+0.5-ox, float64(y)+0.5-oy
			ex, ey := (lx-ccx)/rx, (ly-ccy)/ry
			r := math.Sqrt(ex*ex + ey*ey)
			if r >= 1 {
				continue
			}
			// cylinder: u = sin(φ); the surface point at φ came from φ-yaw
			u := math.Max(-1, math.Min(1, (lx-ccx)/(rx*1.05)))
			phi := math.Asin(u) - yaw
			if math.Abs(phi) >= math.Pi/2 {
				continue
			}
			sx := ccx + math.Sin(phi)*rx*1.05
			c, ok := bilinear(patch, sx, ly)
			if !ok {
				continue
			}
			blend(img, x, y, c, math.Min(1, (1-r)*8))
		}
	}
}

// phoneTexture is a phone (dark bezel) whose screen shows the photo around the face, with the
// screen's pixel grid beating against the camera's (moiré), a cool tint and a glare spot.
func phoneTexture(face image.Image, src image.Rectangle, w, h int, rng *rand.Rand) *image.RGBA {
	screen := resize(face, src, w, h)
	bez := int(float64(w) * 0.07)
	tex := image.NewRGBA(image.Rect(0, 0, w+2*bez, h+3*bez))
	period := 2.6 + rng.Float64()*0.6
	gx, gy := w*3/4, h/5
	for y := range tex.Bounds().Dy() {
		for x := range tex.Bounds().Dx() {
			sx, sy := x-bez, y-bez-bez/2
			if sx < 0 || sy < 0 || sx >= w || sy >= h {
				tex.SetRGBA(x, y, color.RGBA{18, 18, 22, 255})
				continue
			}
			c := screen.RGBAAt(sx, sy)
			m := 1 + 0.14*math.Sin(2*math.Pi*float64(sx)/period)*math.Sin(2*math.Pi*float64(sy)/(period*1.07))
			dx, dy := float64(sx-gx)/float64(w)*4, float64(sy-gy)/float64(h)*6
			g := 120 * math.Exp(-(dx*dx + dy*dy))
			f := func(v uint8, tint float64) uint8 {
				return uint8(math.Max(0, math.Min(255, float64(v)*m*tint+g)))
			}
			tex.SetRGBA(x, y, color.RGBA{f(c.R, 0.92), f(c.G, 0.97), f(c.B, 1.08), 255})
		}
	}
	return tex
}

// printTexture is the patch as a colour halftone on paper with a margin.
func printTexture(patch *image.RGBA) *image.RGBA {
	w, h := patch.Bounds().Dx(), patch.Bounds().Dy()
	m := w / 10
	tex := image.NewRGBA(image.Rect(0, 0, w+2*m, h+2*m))
	paper := color.RGBA{244, 242, 236, 255}
	for i := 0; i < len(tex.Pix); i += 4 {
		copy(tex.Pix[i:i+4], []uint8{paper.R, paper.G, paper.B, 255})
	}
	const pitch = 3
	for cy := 0; cy < h; cy += pitch {
		for cx := 0; cx < w; cx += pitch {
			var r, g, b, n float64
			for y := cy; y < min(h, cy+pitch); y++ {
				for x := cx; x < min(w, cx+pitch); x++ {
					c := patch.RGBAAt(x, y)
					r, g, b, n = r+float64(c.R), g+float64(c.G), b+float64(c.B), n+1
				}
			}
			r, g, b = r/n, g/n, b/n
			lum := (0.3*r + 0.59*g + 0.11*b) / 255
			rad := pitch * 0.75 * math.Sqrt(1-lum)
			// ink: the cell colour pushed darker, printed as a dot
			ink := color.RGBA{uint8(r * 0.6), uint8(g * 0.6), uint8(b * 0.6), 255}
			for y := cy; y < min(h, cy+pitch); y++ {
				for x := cx; x < min(w, cx+pitch); x++ {
					dx, dy := float64(x-cx)-pitch/2+0.5, float64(y-cy)-pitch/2+0.5
					if dx*dx+dy*dy <= rad*rad {
						tex.SetRGBA(x+m, y+m, ink)
					}
				}
			}
		}
	}
	return tex
}
