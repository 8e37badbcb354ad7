package capture

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"sort"
	"time"

	lsynth "github.com/ehraz/ehraz/plugins/liveness/synth"
	ssynth "github.com/ehraz/ehraz/plugins/signature/synth"
)

// The demo's scene material comes from the plugins' own generators: a "good" signature scene
// from plugins/signature/synth; a genuine live head and a rendered hand from plugins/liveness/synth.
const (
	sheetSeed = 1 // the signature scene (checked against the real signature plugin in tests)
	clipSeed  = 1 // the head's placement and motion (checked against the real liveness plugin)
	// clipFPS is the head clip's rate: the video step records 8 frames a second, and the
	// generator takes ~50 ms a frame at 640×480, so more frames would only delay the clip. The
	// hand is drawn on every frame the demo delivers.
	clipFPS = 8
)

// demoPerson is the demo's person for the challenge scene: a picture around the face and the face
// box in it (the same person as the face scene, so the face match still finds them).
type demoPerson struct {
	img  image.Image
	face image.Rectangle
}

// cropPerson copies the part of photo around face that the clip generator uses, so the demo
// does not keep a large photo in memory.
func cropPerson(photo image.Image, face image.Rectangle) demoPerson {
	w, h := face.Dx(), face.Dy()
	r := image.Rect(face.Min.X-13*w/10, face.Min.Y-3*h/2, face.Max.X+13*w/10, face.Max.Y+13*h/10).Intersect(photo.Bounds())
	img := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(img, img.Bounds(), photo, r.Min, draw.Src)
	return demoPerson{img: img, face: face.Sub(r.Min)}
}

// prep is scene material prepared in the background; its fields are set before done closes.
type prep struct {
	done  chan struct{}
	sheet *image.RGBA // signature: the scene, larger than a frame by sheetMargin on every side
	actor *demoActor  // challenge
	err   error
}

func startPrep(fill func(p *prep)) *prep {
	p := &prep{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		fill(p)
	}()
	return p
}

// ready reports whether p finished without an error (false for nil).
func (p *prep) ready() bool {
	if p == nil {
		return false
	}
	select {
	case <-p.done:
		return p.err == nil
	default:
		return false
	}
}

// sheetMargin is how far the signature scene drifts (pixels each way) in a frame of width w.
func sheetMargin(w int) int { return max(4, w/32) }

// renderSheet renders the signature generator's "good" scene (a signed white sheet on a table)
// larger than the frame by the drift margin, decoded once.
func renderSheet(w, h int) (*image.RGBA, error) {
	m := sheetMargin(w)
	c, err := ssynth.Render(ssynth.Good, sheetSeed, w+2*m, h+2*m)
	if err != nil {
		return nil, fmt.Errorf("demo signature scene: %w", err)
	}
	img, err := jpeg.Decode(bytes.NewReader(c.Image.Data))
	if err != nil {
		return nil, fmt.Errorf("demo signature scene: decode: %w", err)
	}
	return toRGBA(img), nil
}

// drawSheet is the signature scene at time t: the sheet drifting gently, as held by a hand. The
// shift is whole pixels, so the ink stays as sharp as rendered.
func drawSheet(sheet *image.RGBA, w, h int, t time.Duration) *image.RGBA {
	m := sheetMargin(w)
	s := t.Seconds()
	x0 := m + int(math.Round(0.8*float64(m)*math.Sin(2*math.Pi*s/7)))
	y0 := m + int(math.Round(0.6*float64(m)*math.Sin(2*math.Pi*s/5+1)))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		src := sheet.Pix[(y0+y)*sheet.Stride+4*x0:]
		copy(img.Pix[y*img.Stride:y*img.Stride+4*w], src[:4*w])
	}
	return img
}

// demoActor is the challenge scene's material: the person's live head and shoulders rendered once
// by the liveness generator (a genuine clip without a hand; it does not depend on the numbers, so
// it is ready long before the video step), and the generator's hand showing 0 to 5 fingers,
// rendered once too and moved a little per frame (drawing a hand takes tens of milliseconds).
type demoActor struct {
	frames [][]byte // JPEG
	ts     []int64  // each frame's time in the clip, ms
	hands  [6]*image.RGBA
}

// handDrift is how far the hand moves (pixels each way, less vertically).
const handDrift = 3

// renderActor renders person's head and the hands at w×h.
func renderActor(person demoPerson, w, h int, fps float64) (*demoActor, error) {
	if person.img == nil {
		return nil, errors.New("demo challenge scene: no person")
	}
	cl, err := lsynth.Make(lsynth.Spec{Face: person.img, FaceBox: person.face, Kind: lsynth.Genuine,
		Seed: clipSeed, W: w, H: h, FPS: int(math.Round(min(fps, clipFPS)))})
	if err != nil {
		return nil, fmt.Errorf("demo challenge scene: %w", err)
	}
	if len(cl.Frames) < 2 {
		return nil, fmt.Errorf("demo challenge scene: %d frames", len(cl.Frames))
	}
	a := &demoActor{}
	for _, f := range cl.Frames {
		a.frames = append(a.frames, f.Image.Data)
		a.ts = append(a.ts, f.TimestampMS)
	}
	skin := faceSkin(person)
	for n := range a.hands {
		a.hands[n] = handSprite(handPose(n, cl.FaceRect, w, skin), w, h)
	}
	return a, nil
}

// handPose shows n fingers beside the face (on the white wall, clear of the body) where the
// liveness generator puts the hand.
func handPose(n int, face image.Rectangle, w int, skin color.RGBA) lsynth.HandPose {
	fw := float64(face.Dx())
	cx, cy := float64(face.Min.X+face.Max.X)/2, float64(face.Min.Y+face.Max.Y)/2
	palm := 0.66 * fw
	x := math.Max(1.25*palm, math.Min(float64(w)-1.25*palm, cx+1.72*fw)) // the whole hand in view
	return lsynth.HandPose{Count: n, X: x, Y: cy + 0.35*fw, Palm: palm, Angle: 0.08, Skin: skin, Forearm: true}
}

// handSprite draws p onto a transparent canvas a little taller than the frame (so the forearm
// still reaches the bottom edge when the hand drifts up) and keeps the part it covered: opaque
// pixels are the hand, their edges blended with the wall's colour.
func handSprite(p lsynth.HandPose, w, h int) *image.RGBA {
	c := image.NewRGBA(image.Rect(0, 0, w, h+2*handDrift))
	for i := 0; i < len(c.Pix); i += 4 {
		c.Pix[i], c.Pix[i+1], c.Pix[i+2] = 240, 240, 241 // the wall behind the hand; alpha stays 0
	}
	p.Draw(c) // sets alpha on every pixel it draws
	box := image.Rectangle{}
	for y := range c.Rect.Dy() {
		for x := range w {
			if c.Pix[y*c.Stride+4*x+3] != 0 {
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	out := image.NewRGBA(box)
	draw.Draw(out, box, c, box.Min, draw.Src)
	return out
}

// drawHand puts sprite onto dst moved by (dx, dy), its opaque pixels only.
func drawHand(dst, sprite *image.RGBA, dx, dy int) {
	r := sprite.Rect.Add(image.Pt(dx, dy)).Intersect(dst.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			s := sprite.PixOffset(x-dx, y-dy)
			if sprite.Pix[s+3] != 0 {
				copy(dst.Pix[dst.PixOffset(x, y):][:4], sprite.Pix[s:s+4])
			}
		}
	}
}

// frame is the index of the head frame at time t of the scene: the clip played forth and back.
func (a *demoActor) frame(t time.Duration) int {
	ms := pingPong(t.Milliseconds(), a.ts[len(a.ts)-1])
	return max(0, sort.Search(len(a.ts), func(i int) bool { return a.ts[i] > ms })-1)
}

// draw puts the hand showing n fingers onto img at time t, moving gently.
func (a *demoActor) draw(img *image.RGBA, n int, t time.Duration) {
	if n < 0 || n >= len(a.hands) {
		return
	}
	s := t.Seconds()
	dx := int(math.Round(handDrift * math.Sin(2.9*s)))
	dy := int(math.Round(0.7 * handDrift * math.Sin(2.1*s)))
	drawHand(img, a.hands[n], dx, dy)
}

// count is the number of fingers to show rec into a recording: number i during the i-th share
// of length hold, the share the screen lights that number for; -1 (no hand) before and after.
func count(numbers []int, rec, hold time.Duration) int {
	if rec < 0 || hold <= 0 {
		return -1
	}
	if i := int(rec / hold); i < len(numbers) {
		return numbers[i]
	}
	return -1
}

// faceSkin is the generator's skin tone nearest the middle of person's face, for the hand (the
// generator's tones are what the liveness plugin's hand finder is calibrated on).
func faceSkin(p demoPerson) color.RGBA {
	f := p.face
	r := image.Rect(f.Min.X+f.Dx()/4, f.Min.Y+f.Dy()/3, f.Max.X-f.Dx()/4, f.Max.Y-f.Dy()/4).Intersect(p.img.Bounds())
	var sum [3]float64
	n := 0.0
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			cr, cg, cb, _ := p.img.At(x, y).RGBA()
			sum[0], sum[1], sum[2] = sum[0]+float64(cr>>8), sum[1]+float64(cg>>8), sum[2]+float64(cb>>8)
			n++
		}
	}
	best := lsynth.Skins[1]
	if n == 0 {
		return best
	}
	bestD := math.Inf(1)
	for _, s := range lsynth.Skins {
		dr, dg, db := float64(s.R)-sum[0]/n, float64(s.G)-sum[1]/n, float64(s.B)-sum[2]/n
		if d := dr*dr + dg*dg + db*db; d < bestD {
			best, bestD = s, d
		}
	}
	return best
}

// pingPong maps t to [0, span] going forth and back.
func pingPong(t, span int64) int64 {
	if span <= 0 {
		return 0
	}
	p := t % (2 * span)
	if p < 0 {
		p += 2 * span
	}
	if p > span {
		p = 2*span - p
	}
	return p
}

// drawnFaceBox is the face's box in drawnHead's picture b for a frame of height frameH.
func drawnFaceBox(b image.Rectangle, frameH int) image.Rectangle {
	fh := faceShare * float64(frameH)
	cx, cy := 0.5*float64(b.Dx()), 0.42*float64(b.Dy())+0.03*fh
	return image.Rect(int(cx-0.36*fh), int(cy-0.5*fh), int(cx+0.36*fh), int(cy+0.5*fh))
}
