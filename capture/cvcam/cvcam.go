// Package cvcam is the capture package's OpenCV side (gocv, cgo): webcams through V4L2, video
// files, the AVI recorder and a face locator that frames the demo source's photo. Everything else
// in capture is pure Go.
package cvcam

import (
	"context"
	"fmt"
	"image"
	"io"

	"gocv.io/x/gocv"

	"github.com/ehraz/ehraz/capture"
)

// Backend opens webcams and video files through OpenCV.
type Backend struct{}

// Open is capture.Open with the OpenCV backend and face locator filled in: what the kiosk calls.
func Open(ctx context.Context, cfg capture.Config) (capture.Source, error) {
	if cfg.Backend == nil {
		cfg.Backend = Backend{}
	}
	if cfg.FaceLocator == nil {
		cfg.FaceLocator = LocateFace
	}
	return capture.Open(ctx, cfg)
}

// OpenDevice opens camera index through V4L2 and asks for the size and rate (the camera may pick
// the nearest it supports).
func (Backend) OpenDevice(ctx context.Context, index, width, height int, fps float64) (capture.Device, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	vc, err := gocv.VideoCaptureDeviceWithAPI(index, gocv.VideoCaptureV4L2)
	if err != nil {
		vc.Close()
		return nil, fmt.Errorf("open camera %d: %w", index, err)
	}
	vc.Set(gocv.VideoCaptureFOURCC, vc.ToCodec("MJPG")) // USB cameras reach 30 fps at 640×480 only in MJPG
	vc.Set(gocv.VideoCaptureFrameWidth, float64(width))
	vc.Set(gocv.VideoCaptureFrameHeight, float64(height))
	vc.Set(gocv.VideoCaptureFPS, fps)
	vc.Set(gocv.VideoCaptureBufferSize, 1) // the newest frame, not a queue of old ones
	return newDevice(vc, false), nil
}

// OpenVideo opens a video file and reports its frame rate.
func (Backend) OpenVideo(ctx context.Context, path string) (capture.Device, float64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	vc, err := gocv.VideoCaptureFile(path)
	if err != nil {
		vc.Close()
		return nil, 0, fmt.Errorf("open video: %w", err)
	}
	return newDevice(vc, true), vc.Get(gocv.VideoCaptureFPS), nil
}

// device is an open VideoCapture.
type device struct {
	vc   *gocv.VideoCapture
	mat  gocv.Mat
	file bool
}

func newDevice(vc *gocv.VideoCapture, file bool) *device {
	return &device{vc: vc, mat: gocv.NewMat(), file: file}
}

// Grab reads the next frame: io.EOF at a file's end, an error when a camera stops delivering.
func (d *device) Grab() (*image.RGBA, error) {
	if !d.vc.Read(&d.mat) || d.mat.Empty() {
		if d.file {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("camera delivered no frame")
	}
	return matToRGBA(d.mat)
}

func (d *device) Close() error {
	d.mat.Close()
	return d.vc.Close()
}

// matToRGBA copies an 8-bit BGR (or grey) Mat into a new RGBA image.
func matToRGBA(m gocv.Mat) (*image.RGBA, error) {
	w, h, ch := m.Cols(), m.Rows(), m.Channels()
	if m.Type() != gocv.MatTypeCV8UC3 && m.Type() != gocv.MatTypeCV8UC1 {
		return nil, fmt.Errorf("unsupported frame type %v", m.Type())
	}
	src := m.ToBytes()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		s := src[y*w*ch : (y+1)*w*ch]
		d := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for x := 0; x < w; x++ {
			if ch == 3 {
				d[4*x], d[4*x+1], d[4*x+2] = s[3*x+2], s[3*x+1], s[3*x]
			} else {
				d[4*x], d[4*x+1], d[4*x+2] = s[x], s[x], s[x]
			}
			d[4*x+3] = 0xff
		}
	}
	return img, nil
}

// rgbaToMat copies an image into a new 8-bit BGR Mat (the caller closes it).
func rgbaToMat(img *image.RGBA) (gocv.Mat, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	buf := make([]byte, 3*w*h)
	for y := 0; y < h; y++ {
		s := img.Pix[(y+b.Min.Y-img.Rect.Min.Y)*img.Stride+4*(b.Min.X-img.Rect.Min.X):]
		d := buf[y*3*w:]
		for x := 0; x < w; x++ {
			d[3*x], d[3*x+1], d[3*x+2] = s[4*x+2], s[4*x+1], s[4*x]
		}
	}
	return gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC3, buf)
}
