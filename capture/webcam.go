package capture

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Opener opens the camera device; the webcam source calls it again after the camera went away.
type Opener func(ctx context.Context) (Device, error)

// Default reconnect back-off: the first retry after MinBackoff, doubling up to MaxBackoff.
const (
	MinBackoff = 250 * time.Millisecond
	MaxBackoff = 4 * time.Second
)

// Webcam is a camera that survives being unplugged: a failed grab closes the device and Read
// returns ErrDisconnected; later Reads reopen it, waiting longer between attempts (back-off) while
// it stays away, and frames flow again once it is back.
type Webcam struct {
	open     Opener
	gate     func() DeviceCheck // asked before every open; nil opens any device
	done     chan struct{}
	closeOne sync.Once

	mu       sync.Mutex // serialises Read and Close on the device
	dev      Device
	info     Info
	seq      uint64
	backoff  time.Duration
	retryAt  time.Time
	min, max time.Duration
}

// NewWebcam makes a webcam source over open. The device is opened on the first Read.
func NewWebcam(open Opener, info Info) *Webcam {
	if info.Kind == "" {
		info.Kind = "webcam"
	}
	return &Webcam{open: open, info: info, done: make(chan struct{}), min: MinBackoff, max: MaxBackoff}
}

// SetBackoff changes the reconnect back-off (tests); call it before the first Read.
func (w *Webcam) SetBackoff(min, max time.Duration) { w.min, w.max = min, max }

// Read returns the next frame, or ErrDisconnected while the camera is away.
func (w *Webcam) Read(ctx context.Context) (Frame, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	select {
	case <-w.done:
		return Frame{}, ErrClosed
	default:
	}
	if w.dev == nil {
		if err := w.reconnect(ctx); err != nil {
			return Frame{}, err
		}
	}
	img, err := w.dev.Grab()
	if err != nil {
		_ = w.dev.Close() // the device is gone; its close error says nothing more
		w.dev = nil
		w.backoff = w.min
		w.retryAt = time.Now().Add(w.backoff)
		return Frame{}, fmt.Errorf("%w: %v", ErrDisconnected, err)
	}
	w.seq++
	b := img.Bounds()
	w.info.Width, w.info.Height = b.Dx(), b.Dy()
	return Frame{Img: img, Seq: w.seq, Time: time.Now()}, nil
}

// SetGate makes every open (the first and each reconnect) ask gate who the device is first: a
// refused camera is not opened, and Read returns an error carrying ReasonRefused and ErrRefused
// while it stays. A camera swapped while unplugged is asked about again. Call before the first Read.
func (w *Webcam) SetGate(gate func() DeviceCheck) { w.gate = gate }

// reconnect waits for the next attempt, then tries to open the device once.
func (w *Webcam) reconnect(ctx context.Context) error {
	if d := time.Until(w.retryAt); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w.done:
			return ErrClosed
		case <-t.C:
		}
	}
	if w.gate != nil {
		c := w.gate()
		w.info.Device = &c
		if !c.Allowed {
			w.later()
			return refusedError(c)
		}
	}
	dev, err := w.open(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		w.later()
		return fmt.Errorf("%w: %v", ErrDisconnected, err)
	}
	w.dev, w.backoff = dev, 0
	return nil
}

// later schedules the next open attempt, backing off.
func (w *Webcam) later() {
	switch {
	case w.backoff == 0:
		w.backoff = w.min
	case w.backoff < w.max:
		w.backoff = min(2*w.backoff, w.max)
	}
	w.retryAt = time.Now().Add(w.backoff)
}

// Info describes the camera (the size of the last frame once one was read).
func (w *Webcam) Info() Info {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.info
}

// Connected reports whether the device is open now (the operator's health view).
func (w *Webcam) Connected() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dev != nil
}

// Close stops the source; a Read waiting for a reconnect returns ErrClosed.
func (w *Webcam) Close() error {
	w.closeOne.Do(func() { close(w.done) })
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dev == nil {
		return nil
	}
	err := w.dev.Close()
	w.dev = nil
	if err != nil {
		return fmt.Errorf("capture: close camera: %w", err)
	}
	return nil
}
