package synth

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
)

// The demo camera's scenes come from the generators the plugins are tested with: a "good"
// signature scene (RenderSheet), and a genuine live head and a rendered hand (MakeClip,
// HandPose); so what the demo shows is what the plugins are calibrated on.
const (
	demoSheetSeed = 1 // the signature scene (checked against the real signature plugin in tests)
	demoClipSeed  = 1 // the head's placement and motion (checked against the real liveness plugin)
	// demoClipFPS is the head clip's rate: the video step records 8 frames a second, and the
	// generator takes ~50 ms a frame at 640×480, so more frames would only delay the clip. The
	// hand is drawn on every frame the demo delivers.
	demoClipFPS = 8
)

// Person is a picture around a person's face and the face box in it: what the challenge scene
// is rendered from (the same person as the face scene, so the face match still finds them).
type Person struct {
	Img  image.Image
	Face image.Rectangle
}

// cropPerson copies the part of photo around face that the clip generator uses, so the demo
// does not keep a large photo in memory.
func cropPerson(photo image.Image, face image.Rectangle) Person {
	w, h := face.Dx(), face.Dy()
	r := image.Rect(face.Min.X-13*w/10, face.Min.Y-3*h/2, face.Max.X+13*w/10, face.Max.Y+13*h/10).Intersect(photo.Bounds())
	img := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(img, img.Bounds(), photo, r.Min, draw.Src)
	return Person{Img: img, Face: face.Sub(r.Min)}
}

// FaceScene is the demo's face scene: a person's head and shoulders on a white wall, centred in
// the kiosk's face guide and swaying slowly, as someone standing in front of the kiosk.
type FaceScene struct {
	w, h   int
	white  []byte      // a white frame's pixels, copied into each new frame
	head   *image.RGBA // the head and shoulders, opaque, its soft edge blended into the white
	person Person
}

// NewFaceScene cuts the head and shoulders out of photo around its face box for w×h frames; a
// nil photo draws a simple face instead.
func NewFaceScene(photo image.Image, face image.Rectangle, w, h int) *FaceScene {
	s := &FaceScene{w: w, h: h, white: make([]byte, 4*w*h)}
	for i := range s.white {
		s.white[i] = 0xff
	}
	var head *image.RGBA
	var mask *image.Alpha
	if photo != nil {
		head, mask = headCutout(photo, face, h)
		s.person = cropPerson(photo, face)
	} else {
		head, mask = drawnHead(h)
	}
	// Blend onto white once: each frame then only copies rows.
	s.head = image.NewRGBA(head.Bounds())
	copy(s.head.Pix, s.white)
	draw.DrawMask(s.head, s.head.Bounds(), head, image.Point{}, mask, image.Point{}, draw.Over)
	if photo == nil {
		s.person = Person{Img: s.head, Face: drawnFaceBox(s.head.Bounds(), h)}
	}
	return s
}

// Person is the scene's person, for the challenge scene.
func (s *FaceScene) Person() Person { return s.person }

// Frame draws the scene at time t: the head centred in the face guide, swaying slowly.
func (s *FaceScene) Frame(t time.Duration) *image.RGBA {
	w, h := s.w, s.h
	img := &image.RGBA{Pix: make([]byte, len(s.white)), Stride: 4 * w, Rect: image.Rect(0, 0, w, h)}
	copy(img.Pix, s.white)
	sec := t.Seconds()
	dx := int(math.Round(0.03 * float64(w) * math.Sin(2*math.Pi*sec/6)))
	dy := int(math.Round(0.015 * float64(h) * math.Sin(2*math.Pi*sec/4)))
	hb := s.head.Bounds()
	// The face guide's centre is at (0.5, 0.475) of the frame; the head's face centre is at
	// (0.5, 0.42) of the cut-out.
	x0 := w/2 - hb.Dx()/2 + dx
	y0 := int(0.475*float64(h)) - int(0.42*float64(hb.Dy())) + dy
	r := image.Rect(x0, y0, x0+hb.Dx(), y0+hb.Dy())
	draw.Draw(img, r, s.head, image.Point{}, draw.Src)
	return img
}

// SignatureScene is the demo's signature scene: the signature generator's "good" scene (a
// signed white sheet on a table) drifting gently, as held by a hand.
type SignatureScene struct {
	w, h  int
	sheet *image.RGBA // larger than a frame by sheetMargin on every side
}

// sheetMargin is how far the signature scene drifts (pixels each way) in a frame of width w.
func sheetMargin(w int) int { return max(4, w/32) }

// NewSignatureScene renders the scene for w×h frames, larger than the frame by the drift
// margin, decoded once. It takes about a second at 640×480.
func NewSignatureScene(w, h int) (*SignatureScene, error) {
	m := sheetMargin(w)
	c, err := RenderSheet(SheetGood, demoSheetSeed, w+2*m, h+2*m)
	if err != nil {
		return nil, fmt.Errorf("demo signature scene: %w", err)
	}
	img, err := jpeg.Decode(bytes.NewReader(c.Image.Data))
	if err != nil {
		return nil, fmt.Errorf("demo signature scene: decode: %w", err)
	}
	return &SignatureScene{w: w, h: h, sheet: toRGBA(img)}, nil
}

// Frame is the scene at time t. The shift is whole pixels, so the ink stays as sharp as
// rendered.
func (s *SignatureScene) Frame(t time.Duration) *image.RGBA {
	w, h, m := s.w, s.h, sheetMargin(s.w)
	sec := t.Seconds()
	x0 := m + int(math.Round(0.8*float64(m)*math.Sin(2*math.Pi*sec/7)))
	y0 := m + int(math.Round(0.6*float64(m)*math.Sin(2*math.Pi*sec/5+1)))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		src := s.sheet.Pix[(y0+y)*s.sheet.Stride+4*x0:]
		copy(img.Pix[y*img.Stride:y*img.Stride+4*w], src[:4*w])
	}
	return img
}

// ChallengeScene is the demo's video-step scene: the person's live head and shoulders rendered
// once by the clip generator (a genuine clip without a hand; it does not depend on the numbers,
// so it can be prepared long before the video step) and played forth and back, and the
// generator's hand showing 0 to 5 fingers, rendered once too and moved a little per frame
// (drawing a hand takes tens of milliseconds). Frame keeps the last decoded head frame, so a
// ChallengeScene is for one goroutine at a time.
type ChallengeScene struct {
	w, h   int
	frames [][]byte // JPEG
	ts     []int64  // each frame's time in the clip, ms
	hands  [6]*image.RGBA
	// the head frame decoded last
	shown   int
	shownIm *image.RGBA
}

// HandDrift is how far the challenge scene's hand moves (pixels each way, less vertically).
const HandDrift = 3

// NewChallengeScene renders person's head and the hands for w×h frames delivered at fps. It
// takes seconds.
func NewChallengeScene(person Person, w, h int, fps float64) (*ChallengeScene, error) {
	if person.Img == nil {
		return nil, errors.New("demo challenge scene: no person")
	}
	cl, err := MakeClip(ClipSpec{Face: person.Img, FaceBox: person.Face, Kind: Genuine,
		Seed: demoClipSeed, W: w, H: h, FPS: int(math.Round(min(fps, demoClipFPS)))})
	if err != nil {
		return nil, fmt.Errorf("demo challenge scene: %w", err)
	}
	if len(cl.Frames) < 2 {
		return nil, fmt.Errorf("demo challenge scene: %d frames", len(cl.Frames))
	}
	s := &ChallengeScene{w: w, h: h}
	for _, f := range cl.Frames {
		s.frames = append(s.frames, f.Image.Data)
		s.ts = append(s.ts, f.TimestampMS)
	}
	skin := faceSkin(person)
	for n := range s.hands {
		s.hands[n] = handSprite(demoHandPose(n, cl.FaceRect, w, skin), w, h)
	}
	return s, nil
}

// Hand is the sprite of the hand showing n fingers (0..5), at its place in the frame before the
// drift.
func (s *ChallengeScene) Hand(n int) *image.RGBA { return s.hands[n] }

// Frame is the scene at time t with the hand showing n fingers (none when n is outside 0..5);
// false when the head frame cannot be decoded at the scene's size.
func (s *ChallengeScene) Frame(t time.Duration, n int) (*image.RGBA, bool) {
	i := s.frame(t)
	if s.shownIm == nil || s.shown != i {
		img, err := jpeg.Decode(bytes.NewReader(s.frames[i]))
		if err != nil || img.Bounds().Dx() != s.w || img.Bounds().Dy() != s.h {
			return nil, false
		}
		s.shown, s.shownIm = i, toRGBA(img)
	}
	img := toRGBA(s.shownIm) // a copy: the caller owns the frame
	s.draw(img, n, t)
	return img, true
}

// demoHandPose shows n fingers beside the face (on the white wall, clear of the body) where the
// clip generator puts the hand.
func demoHandPose(n int, face image.Rectangle, w int, skin color.RGBA) HandPose {
	fw := float64(face.Dx())
	cx, cy := float64(face.Min.X+face.Max.X)/2, float64(face.Min.Y+face.Max.Y)/2
	palm := 0.66 * fw
	x := math.Max(1.25*palm, math.Min(float64(w)-1.25*palm, cx+1.72*fw)) // the whole hand in view
	return HandPose{Count: n, X: x, Y: cy + 0.35*fw, Palm: palm, Angle: 0.08, Skin: skin, Forearm: true}
}

// handSprite draws p onto a transparent canvas a little taller than the frame (so the forearm
// still reaches the bottom edge when the hand drifts up) and keeps the part it covered: opaque
// pixels are the hand, their edges blended with the wall's colour.
func handSprite(p HandPose, w, h int) *image.RGBA {
	c := image.NewRGBA(image.Rect(0, 0, w, h+2*HandDrift))
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
func (s *ChallengeScene) frame(t time.Duration) int {
	ms := pingPong(t.Milliseconds(), s.ts[len(s.ts)-1])
	return max(0, sort.Search(len(s.ts), func(i int) bool { return s.ts[i] > ms })-1)
}

// draw puts the hand showing n fingers onto img at time t, moving gently.
func (s *ChallengeScene) draw(img *image.RGBA, n int, t time.Duration) {
	if n < 0 || n >= len(s.hands) {
		return
	}
	sec := t.Seconds()
	dx := int(math.Round(HandDrift * math.Sin(2.9*sec)))
	dy := int(math.Round(0.7 * HandDrift * math.Sin(2.1*sec)))
	drawHand(img, s.hands[n], dx, dy)
}

// faceSkin is the generator's skin tone nearest the middle of person's face, for the hand (the
// generator's tones are what the liveness plugin's hand finder is calibrated on).
func faceSkin(p Person) color.RGBA {
	f := p.Face
	r := image.Rect(f.Min.X+f.Dx()/4, f.Min.Y+f.Dy()/3, f.Max.X-f.Dx()/4, f.Max.Y-f.Dy()/4).Intersect(p.Img.Bounds())
	var sum [3]float64
	n := 0.0
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			cr, cg, cb, _ := p.Img.At(x, y).RGBA()
			sum[0], sum[1], sum[2] = sum[0]+float64(cr>>8), sum[1]+float64(cg>>8), sum[2]+float64(cb>>8)
			n++
		}
	}
	best := Skins[1]
	if n == 0 {
		return best
	}
	bestD := math.Inf(1)
	for _, s := range Skins {
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

// toRGBA copies img into a new RGBA picture with its origin at (0, 0).
func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	return out
}
