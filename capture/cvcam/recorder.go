package cvcam

import (
	"fmt"
	"image"
	"os"

	"gocv.io/x/gocv"

	"github.com/ehraz/ehraz/capture"
)

// Recorder writes frames to an MJPG AVI file with a timestamp sidecar (path + ".tsv", see
// capture.TimestampLog). Frames of another size are scaled to the recording's size.
type Recorder struct {
	vw    *gocv.VideoWriter
	log   *capture.TimestampLog
	w, h  int
	path  string
	count int
}

// NewRecorder creates path (an .avi) for frames of w×h at fps.
func NewRecorder(path string, w, h int, fps float64) (*Recorder, error) {
	vw, err := gocv.VideoWriterFile(path, "MJPG", fps, w, h, true)
	if err != nil {
		return nil, fmt.Errorf("cvcam: recorder: %w", err)
	}
	if !vw.IsOpened() {
		vw.Close()
		return nil, fmt.Errorf("cvcam: recorder: cannot write %s", path)
	}
	log, err := capture.CreateTimestampLog(path + ".tsv")
	if err != nil {
		vw.Close()
		os.Remove(path)
		return nil, err
	}
	return &Recorder{vw: vw, log: log, w: w, h: h, path: path}, nil
}

// Write appends one frame and its timestamp.
func (r *Recorder) Write(f capture.Frame) error {
	m, err := rgbaToMat(f.Img)
	if err != nil {
		return fmt.Errorf("cvcam: recorder: %w", err)
	}
	defer m.Close()
	if m.Cols() != r.w || m.Rows() != r.h {
		scaled := gocv.NewMat()
		defer scaled.Close()
		gocv.Resize(m, &scaled, image.Pt(r.w, r.h), 0, 0, gocv.InterpolationLinear)
		if err := r.vw.Write(scaled); err != nil {
			return fmt.Errorf("cvcam: recorder: %w", err)
		}
	} else if err := r.vw.Write(m); err != nil {
		return fmt.Errorf("cvcam: recorder: %w", err)
	}
	r.count++
	return r.log.Add(f)
}

// Frames is how many frames were written.
func (r *Recorder) Frames() int { return r.count }

// Close finishes the file and the sidecar.
func (r *Recorder) Close() error {
	if r.vw == nil {
		return nil
	}
	r.vw.Close()
	r.vw = nil
	return r.log.Close()
}
