package facecheck

import (
	"context"
	"fmt"
	"image"
	"math"
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
	oneBLASThread()
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

// faces runs go-face's HOG detector, landmarks and descriptors on a decoded picture. With a hint
// (the applicant's face as BlazeFace found it) go-face looks only at a square around it, reduced
// so the face is about hintFaceSide pixels wide: HOG's cost grows with the pixels it scans, and
// dlib's 150-px face chip (the face itself ~100 px of it) takes no detail from a larger face. If
// go-face finds nothing there it looks at the whole picture, as it does without a hint. Boxes and
// landmarks are returned in working-picture pixels either way.
func (d *Detector) faces(p *picture, hint image.Rectangle) ([]detected, error) {
	if !hint.Empty() {
		side := float64(max(hint.Dx(), hint.Dy())) * hintMargin
		c := image.Pt((hint.Min.X+hint.Max.X)/2, (hint.Min.Y+hint.Max.Y)/2)
		r := image.Rect(c.X-int(side/2), c.Y-int(side/2), c.X+int(side/2), c.Y+int(side/2)).Intersect(p.rgba.Bounds())
		s := math.Min(1, hintFaceSide/float64(max(hint.Dx(), 1)))
		fs, err := d.recognize(p, r, s)
		if err != nil || len(fs) > 0 {
			return fs, err
		}
	}
	return d.recognize(p, p.rgba.Bounds(), 1)
}

// Hinted detection: the square go-face scans is hintMargin times BlazeFace's box, and the face in
// it is reduced to about hintFaceSide pixels (never enlarged). HOG finds faces from ~80 px.
const (
	hintMargin   = 2.2
	hintFaceSide = 160.0
)

// recognize runs go-face on region r of the picture reduced by s and maps what it finds back.
func (d *Detector) recognize(p *picture, r image.Rectangle, s float64) ([]detected, error) {
	in, err := goFaceInput(p, r, s)
	if err != nil {
		return nil, fmt.Errorf("recognize: %w", err)
	}
	fs, err := d.rec.Recognize(in)
	if err != nil {
		return nil, fmt.Errorf("recognize: %w", err)
	}
	back := func(x, y int) (float64, float64) {
		return float64(x)/s + float64(r.Min.X), float64(y)/s + float64(r.Min.Y)
	}
	out := make([]detected, len(fs))
	for i, f := range fs {
		x0, y0 := back(f.Rectangle.Min.X, f.Rectangle.Min.Y)
		x1, y1 := back(f.Rectangle.Max.X, f.Rectangle.Max.Y)
		f.Rectangle = image.Rect(int(math.Round(x0)), int(math.Round(y0)), int(math.Round(x1)), int(math.Round(y1)))
		pts := make([]pt, len(f.Shapes))
		for j, q := range f.Shapes {
			pts[j].X, pts[j].Y = back(q.X, q.Y)
			f.Shapes[j] = image.Pt(int(math.Round(pts[j].X)), int(math.Round(pts[j].Y)))
		}
		out[i] = detected{Face: f, pts: pts}
	}
	return out, nil
}
