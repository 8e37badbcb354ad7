package capture

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	"image/jpeg"
	"math"
	"slices"
	"sync"
	"time"
)

// Demo is the synthetic camera used when none exists: a person's photo (or a drawn face) on a
// white background, drifting gently like someone standing in front of the kiosk, at the requested
// rate. Its Info.Kind is "demo" so the screens label it as synthetic. It implements Scener: at the
// signature step it shows a signed sheet, at the video step the same person showing the challenge
// numbers with a rendered hand, in order, during the recording; so a demo session can finish.
type Demo struct {
	mu    sync.Mutex // serializes Read; held while waiting for the next frame
	pace  *pacer
	info  Info
	seq   uint64
	start time.Time
	white []byte      // a white frame's pixels, copied into each new frame
	head  *image.RGBA // the head and shoulders, opaque, its soft edge blended into the white
	// the head frame decoded last (under mu)
	shown   int
	shownIm *image.RGBA

	person demoPerson // the same person for the challenge scene; set once by NewDemo

	smu   sync.Mutex // guards the scene below; never held while waiting
	scene Scene
	sheet *prep // signature material, prepared once
	actor *prep // challenge material, prepared once
}

var _ Scener = (*Demo)(nil)

// NewDemo builds the demo scene for cfg (size, rate, FaceDir, FaceLocator).
func NewDemo(cfg Config) (*Demo, error) {
	cfg = cfg.withDefaults()
	w, h := cfg.Width, cfg.Height
	d := &Demo{pace: newPacer(cfg.FPS), info: Info{Kind: "demo", Name: "synthetic", Width: w, Height: h, FPS: cfg.FPS}}
	d.white = make([]byte, 4*w*h)
	for i := range d.white {
		d.white[i] = 0xff
	}
	photo, face, ok := pickFace(cfg.FaceDir, cfg.FaceLocator)
	var mask *image.Alpha
	if ok {
		d.head, mask = headCutout(photo, face, h)
		d.person = cropPerson(photo, face)
	} else {
		d.head, mask = drawnHead(h)
	}
	// Blend onto white once: each frame then only copies rows.
	onWhite := image.NewRGBA(d.head.Bounds())
	copy(onWhite.Pix, d.white)
	draw.DrawMask(onWhite, onWhite.Bounds(), d.head, image.Point{}, mask, image.Point{}, draw.Over)
	d.head = onWhite
	if !ok {
		d.person = demoPerson{img: onWhite, face: drawnFaceBox(onWhite.Bounds(), h)}
	}
	return d, nil
}

// SetScene switches what the demo shows. The signature sheet and the challenge scene's head are
// rendered in the background once, the head as soon as any scene is set (it takes seconds and
// does not depend on the numbers); see Ready. Until then Read shows the face.
func (d *Demo) SetScene(s Scene) {
	s.Numbers = slices.Clone(s.Numbers)
	w, h, fps, person := d.info.Width, d.info.Height, d.info.FPS, d.person
	d.smu.Lock()
	defer d.smu.Unlock()
	d.scene = s
	if d.actor == nil {
		d.actor = startPrep(func(p *prep) { p.actor, p.err = renderActor(person, w, h, fps) })
	}
	if s.Kind == SceneSignature && d.sheet == nil {
		d.sheet = startPrep(func(p *prep) { p.sheet, p.err = renderSheet(w, h) })
	}
}

// Ready waits until the current scene's material is rendered (nothing for the face) and returns
// why it could not be, if so.
func (d *Demo) Ready(ctx context.Context) error {
	d.smu.Lock()
	var p *prep
	switch d.scene.Kind {
	case SceneSignature:
		p = d.sheet
	case SceneChallenge:
		p = d.actor
	}
	d.smu.Unlock()
	if p == nil {
		return nil
	}
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Read returns the next frame when it is due.
func (d *Demo) Read(ctx context.Context) (Frame, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	at, err := d.pace.wait(ctx)
	if err != nil {
		return Frame{}, err
	}
	if d.start.IsZero() {
		d.start = at
	}
	d.seq++
	return Frame{Img: d.frameAt(at), Seq: d.seq, Time: at}, nil
}

// frameAt draws the current scene at time at; the face while a scene's material is not ready.
func (d *Demo) frameAt(at time.Time) *image.RGBA {
	t := at.Sub(d.start)
	d.smu.Lock()
	sc, sheet, actor := d.scene, d.sheet, d.actor
	d.smu.Unlock()
	switch sc.Kind {
	case SceneSignature:
		if sheet.ready() {
			return drawSheet(sheet.sheet, d.info.Width, d.info.Height, t)
		}
	case SceneChallenge:
		if actor.ready() {
			if img, ok := d.actorFrame(actor.actor, actor.actor.frame(t)); ok {
				rec := time.Duration(-1)
				if !sc.Start.IsZero() {
					rec = at.Sub(sc.Start)
				}
				actor.actor.draw(img, count(sc.Numbers, rec, sc.Hold), t)
				return img
			}
		}
	}
	return d.render(t)
}

// actorFrame is a copy of the actor's head frame i, decoded once while it repeats.
func (d *Demo) actorFrame(a *demoActor, i int) (*image.RGBA, bool) {
	if d.shownIm == nil || d.shown != i {
		img, err := jpeg.Decode(bytes.NewReader(a.frames[i]))
		if err != nil || img.Bounds().Dx() != d.info.Width || img.Bounds().Dy() != d.info.Height {
			return nil, false
		}
		d.shown, d.shownIm = i, toRGBA(img)
	}
	return cloneRGBA(d.shownIm), true
}

// render draws the face scene at time t: the head centred in the face guide, swaying slowly.
func (d *Demo) render(t time.Duration) *image.RGBA {
	w, h := d.info.Width, d.info.Height
	img := &image.RGBA{Pix: make([]byte, len(d.white)), Stride: 4 * w, Rect: image.Rect(0, 0, w, h)}
	copy(img.Pix, d.white)
	s := t.Seconds()
	dx := int(math.Round(0.03 * float64(w) * math.Sin(2*math.Pi*s/6)))
	dy := int(math.Round(0.015 * float64(h) * math.Sin(2*math.Pi*s/4)))
	hb := d.head.Bounds()
	// The face guide's centre is at (0.5, 0.475) of the frame; the head's face centre is at
	// (0.5, 0.42) of the cut-out.
	x0 := w/2 - hb.Dx()/2 + dx
	y0 := int(0.475*float64(h)) - int(0.42*float64(hb.Dy())) + dy
	r := image.Rect(x0, y0, x0+hb.Dx(), y0+hb.Dy())
	draw.Draw(img, r, d.head, image.Point{}, draw.Src)
	return img
}

// Info says the source is synthetic.
func (d *Demo) Info() Info { return d.info }

// Close does nothing: the scene is in memory (material still rendering is dropped when done).
func (d *Demo) Close() error { return nil }
