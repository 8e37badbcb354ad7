package facecheck

import (
	"context"
	"fmt"
	"os"
	"sync"

	face "github.com/Kagami/go-face"
	"gocv.io/x/gocv"

	"github.com/ehraz/ehraz/plugins/face/calibration"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// Version is the plugin's version, reported by Info.
const Version = "0.1.0"

// Detector implements sdk.Plugin, sdk.FaceDetector and sdk.FrameAnalyzer. It is safe for
// concurrent use: go-face serialises its own networks, the cascade and the hold-still state have
// their own locks.
type Detector struct {
	rec *face.Recognizer
	th  Thresholds
	cal calibration.Table // descriptor distance → estimated false-match rate

	cascadeMu sync.Mutex
	cascade   gocv.CascadeClassifier // live hints (AnalyzeFrame) only

	// blaze counts the people behind the applicant in CheckSelfie; when it could not be loaded
	// (blazeErr) every selfie's background rule could not be verified, never passes.
	blaze    *blazeFace
	blazeErr error

	motionMu sync.Mutex
	last     *frameMeasure // the previous AnalyzeFrame's face, for "hold still"

	cache descCache // descriptors of the last few matched pictures
}

// Open loads go-face's models from modelDir (see ModelDir), the match calibration table (see
// LoadCalibration), OpenCV's Haar cascade (live hints) and BlazeFace (the background count). A
// missing BlazeFace does not stop the plugin: it says so on stderr and BackgroundErr, and every
// selfie's face.background rule is could-not-verify.
func Open(modelDir string, th Thresholds) (*Detector, error) {
	if err := CheckModelDir(modelDir); err != nil {
		return nil, err
	}
	rec, err := face.NewRecognizer(modelDir)
	if err != nil {
		return nil, fmt.Errorf("load face models from %s: %w", modelDir, err)
	}
	cal, err := LoadCalibration(modelDir)
	if err != nil {
		rec.Close()
		return nil, err
	}
	d := &Detector{rec: rec, th: th, cal: cal, cascade: gocv.NewCascadeClassifier()}
	if !d.cascade.Load(cascadePath()) {
		d.Close()
		return nil, fmt.Errorf("load Haar cascade %s (apt opencv-data, or set %s)", cascadePath(), EnvCascade)
	}
	if d.blaze, d.blazeErr = openBlaze(modelDir); d.blazeErr != nil {
		fmt.Fprintf(os.Stderr, "face plugin: WARNING %v (run `make models`): selfies' background check will say could-not-verify\n", d.blazeErr)
	}
	return d, nil
}

// BackgroundErr says why the background face detector is unavailable (nil when it is loaded).
func (d *Detector) BackgroundErr() error { return d.blazeErr }

// Close frees the native models.
func (d *Detector) Close() {
	if d.rec != nil {
		d.rec.Close()
		d.rec = nil
	}
	d.cascade.Close()
	d.blaze.close()
	d.blaze = nil
}

// Info describes the plugin truthfully.
func (d *Detector) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{
		Name:            "face",
		Vendor:          "Ehraz",
		Version:         Version,
		ProtocolVersion: sdk.ProtocolVersion,
		Kinds:           []sdk.Kind{sdk.KindFace},
		Capabilities:    []string{"AnalyzeFrame", "CheckSelfie", "MatchFaces"},
	}, nil
}

// detected is one face found by go-face, in working-image pixels.
type detected struct {
	face.Face
	pts []pt
}

// faces runs go-face's HOG detector, landmarks and descriptors on a decoded picture.
func (d *Detector) faces(p *picture) ([]detected, error) {
	fs, err := d.rec.Recognize(p.jpeg)
	if err != nil {
		return nil, fmt.Errorf("recognize: %w", err)
	}
	out := make([]detected, len(fs))
	for i, f := range fs {
		out[i] = detected{Face: f, pts: toPts(f.Shapes)}
	}
	return out, nil
}
