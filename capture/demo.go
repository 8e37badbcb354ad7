package capture

import (
	"context"
	"image"
	"image/draw"
	"math"
	"sync"
	"time"
)

// Demo is the synthetic camera used when none exists: a person's photo (or a drawn face) on a
// white background, drifting gently like someone standing in front of the kiosk, at the requested
// rate. Its Info.Kind is "demo" so the screens label it as synthetic.
type Demo struct {
	mu    sync.Mutex
	pace  *pacer
	info  Info
	seq   uint64
	start time.Time
	white []byte      // a white frame's pixels, copied into each new frame
	head  *image.RGBA // the head and shoulders, opaque, its soft edge blended into the white
}

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
	} else {
		d.head, mask = drawnHead(h)
	}
	// Blend onto white once: each frame then only copies rows.
	onWhite := image.NewRGBA(d.head.Bounds())
	copy(onWhite.Pix, d.white)
	draw.DrawMask(onWhite, onWhite.Bounds(), d.head, image.Point{}, mask, image.Point{}, draw.Over)
	d.head = onWhite
	return d, nil
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
	return Frame{Img: d.render(at.Sub(d.start)), Seq: d.seq, Time: at}, nil
}

// render draws the scene at time t: the head centred in the face guide, swaying slowly.
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

// Close does nothing: the scene is in memory.
func (d *Demo) Close() error { return nil }
