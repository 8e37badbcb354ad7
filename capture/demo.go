package capture

import (
	"context"
	"image"
	"slices"
	"sync"
	"time"

	"github.com/ehraz/ehraz/synth"
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
	face  *synth.FaceScene // the face scene, drawn once; also the person of the challenge scene

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
	photo, face, _ := pickFace(cfg.FaceDir, cfg.FaceLocator) // no photo: a drawn face
	d.face = synth.NewFaceScene(photo, face, w, h)
	return d, nil
}

// SetScene switches what the demo shows. The signature sheet and the challenge scene's head are
// rendered in the background once, the head as soon as any scene is set (it takes seconds and
// does not depend on the numbers); see Ready. Until then Read shows the face.
func (d *Demo) SetScene(s Scene) {
	s.Numbers = slices.Clone(s.Numbers)
	w, h, fps, person := d.info.Width, d.info.Height, d.info.FPS, d.face.Person()
	d.smu.Lock()
	defer d.smu.Unlock()
	d.scene = s
	if d.actor == nil {
		d.actor = startPrep(func(p *prep) { p.challenge, p.err = synth.NewChallengeScene(person, w, h, fps) })
	}
	if s.Kind == SceneSignature && d.sheet == nil {
		d.sheet = startPrep(func(p *prep) { p.sheet, p.err = synth.NewSignatureScene(w, h) })
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
			return sheet.sheet.Frame(t)
		}
	case SceneChallenge:
		if actor.ready() {
			rec := time.Duration(-1)
			if !sc.Start.IsZero() {
				rec = at.Sub(sc.Start)
			}
			if img, ok := actor.challenge.Frame(t, count(sc.Numbers, rec, sc.Hold)); ok {
				return img
			}
		}
	}
	return d.face.Frame(t)
}

// Info says the source is synthetic.
func (d *Demo) Info() Info { return d.info }

// Close does nothing: the scene is in memory (material still rendering is dropped when done).
func (d *Demo) Close() error { return nil }
