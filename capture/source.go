// Package capture provides camera sources behind one interface: a webcam through gocv, a video
// or image file, and a synthetic demo source used when no camera exists; plus recording.
package capture

import (
	"context"
	"errors"
	"image"
	"time"
)

// Frame is one picture from a source. Img is owned by the receiver (sources never reuse it).
type Frame struct {
	Img  *image.RGBA
	Seq  uint64    // increases by one per frame delivered
	Time time.Time // when the frame was captured
}

// Source is a camera. Read blocks until the next frame, ctx is done, or the source fails.
type Source interface {
	// Read returns the next frame. ErrDisconnected means the camera went away (pulled cable);
	// the caller may keep calling Read, which tries to reconnect.
	Read(ctx context.Context) (Frame, error)
	// Info describes the source for the operator's health view.
	Info() Info
	Close() error
}

// Info describes a source.
type Info struct {
	Kind   string // "webcam", "file", "demo"
	Name   string // device index or file name (never personal data)
	Width  int
	Height int
	FPS    float64
	// Device is a webcam's identity and the policy's decision about it, from the last time it
	// was opened (nil for other sources, and before a webcam was first looked at).
	Device *DeviceCheck
}

// ErrDisconnected is returned by Read while the camera is unavailable.
var ErrDisconnected = errors.New("capture: camera disconnected")

// ErrClosed is returned by Read after Close.
var ErrClosed = errors.New("capture: source closed")
