package capture

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // still sources read JPEG
	_ "image/png"  // and PNG
	"io"
	"os"
	"path/filepath"
	"sync"
)

// Still repeats one image file at a fixed rate, like a camera pointed at a photo.
type Still struct {
	img  *image.RGBA
	info Info
	mu   sync.Mutex
	pace *pacer
	seq  uint64
}

// NewStill reads the image at path (PNG or JPEG).
func NewStill(path string, fps float64) (*Still, error) {
	img, err := loadRGBA(path)
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	return &Still{img: img, pace: newPacer(fps),
		info: Info{Kind: "file", Name: filepath.Base(path), Width: b.Dx(), Height: b.Dy(), FPS: fps}}, nil
}

// Read returns a fresh copy of the image when the next frame is due.
func (s *Still) Read(ctx context.Context) (Frame, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, err := s.pace.wait(ctx)
	if err != nil {
		return Frame{}, err
	}
	s.seq++
	return Frame{Img: cloneRGBA(s.img), Seq: s.seq, Time: at}, nil
}

// Info describes the file.
func (s *Still) Info() Info { return s.info }

// Close does nothing: the image is in memory.
func (s *Still) Close() error { return nil }

// Video plays a video file at its own rate and starts again at its end.
type Video struct {
	open Opener
	info Info
	mu   sync.Mutex
	dev  Device
	pace *pacer
	seq  uint64
}

// NewVideo plays the device that open returns (reopened at the end of the file); dev is the first
// one, already open.
func NewVideo(dev Device, open Opener, name string, fps float64) *Video {
	return &Video{open: open, dev: dev, pace: newPacer(fps), info: Info{Kind: "file", Name: name, FPS: fps}}
}

// Read returns the file's next frame when it is due.
func (v *Video) Read(ctx context.Context) (Frame, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.dev == nil {
		return Frame{}, ErrClosed
	}
	at, err := v.pace.wait(ctx)
	if err != nil {
		return Frame{}, err
	}
	img, err := v.dev.Grab()
	if errors.Is(err, io.EOF) {
		_ = v.dev.Close() // at its end; reopened below
		v.dev = nil
		if v.dev, err = v.open(ctx); err != nil {
			return Frame{}, fmt.Errorf("capture: reopen %s: %w", v.info.Name, err)
		}
		img, err = v.dev.Grab()
	}
	if err != nil {
		return Frame{}, fmt.Errorf("capture: read %s: %w", v.info.Name, err)
	}
	v.seq++
	b := img.Bounds()
	v.info.Width, v.info.Height = b.Dx(), b.Dy()
	return Frame{Img: img, Seq: v.seq, Time: at}, nil
}

// Info describes the file (its frame size once a frame was read).
func (v *Video) Info() Info {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.info
}

// Close closes the file.
func (v *Video) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.dev == nil {
		return nil
	}
	err := v.dev.Close()
	v.dev = nil
	return err
}

func loadRGBA(path string) (*image.RGBA, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("capture: decode %s: %w", filepath.Base(path), err)
	}
	return toRGBA(img), nil
}

func toRGBA(img image.Image) *image.RGBA {
	if r, ok := img.(*image.RGBA); ok && r.Bounds().Min == (image.Point{}) {
		return r
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	return out
}

func cloneRGBA(img *image.RGBA) *image.RGBA {
	out := &image.RGBA{Pix: make([]byte, len(img.Pix)), Stride: img.Stride, Rect: img.Rect}
	copy(out.Pix, img.Pix)
	return out
}
