package facecheck

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"math"

	"gocv.io/x/gocv"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// Live-hint limits (preview frames, Haar face box over the guide oval's width).
const (
	hintCloser   = 0.40 // face narrower than this share of the guide: move closer
	hintBack     = 0.95 // wider: move back
	hintOffset   = 0.25 // face centre further than this (in guide half-sizes) from the guide centre
	hintDark     = 60.0 // mean face luma below this: too dark
	hintMotion   = 0.04 // face centre moved more than this share of the frame width since last call
	previewWidth = 320  // frames are reduced to about this width before detection
)

// frameMeasure is what "hold still" compares between calls.
type frameMeasure struct{ cx, cy, w float64 }

// AnalyzeFrame gives live guidance on a preview frame: it decodes at reduced size, finds faces
// with a Haar cascade and answers hints (locale keys) with the measures behind them. Only
// selfie and video frames are analysed.
func (d *Detector) AnalyzeFrame(ctx context.Context, req sdk.FrameRequest) (sdk.FrameAnalysis, error) {
	if err := ctx.Err(); err != nil {
		return sdk.FrameAnalysis{}, fmt.Errorf("analyze frame: %w", err)
	}
	if req.Purpose == sdk.PurposeSignature {
		return sdk.FrameAnalysis{Hints: []sdk.Hint{{Key: "hint.face.not_applicable", Severity: 0}}}, nil
	}
	blocking := func(key string) (sdk.FrameAnalysis, error) {
		return sdk.FrameAnalysis{Hints: []sdk.Hint{{Key: key, Severity: 2}}}, nil
	}
	if len(req.Image.Data) == 0 || len(req.Image.Data) > MaxImageBytes {
		return blocking("hint.face.bad_frame")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(req.Image.Data))
	if err != nil || cfg.Width*cfg.Height > MaxImagePixels || cfg.Width < MinImageSide || cfg.Height < MinImageSide {
		return blocking("hint.face.bad_frame")
	}
	flag := gocv.IMReadGrayScale
	switch {
	case cfg.Width >= 8*previewWidth:
		flag = gocv.IMReadReducedGrayscale8
	case cfg.Width >= 4*previewWidth:
		flag = gocv.IMReadReducedGrayscale4
	case cfg.Width >= 2*previewWidth:
		flag = gocv.IMReadReducedGrayscale2
	}
	gray, err := gocv.IMDecode(req.Image.Data, flag)
	if err != nil || gray.Empty() {
		gray.Close()
		return blocking("hint.face.bad_frame")
	}
	defer gray.Close()
	w, h := gray.Cols(), gray.Rows()
	d.cascadeMu.Lock()
	boxes := d.cascade.DetectMultiScaleWithParams(gray, 1.15, 3, 0, image.Pt(w/12, w/12), image.Pt(w, w))
	d.cascadeMu.Unlock()

	a := sdk.FrameAnalysis{Measures: map[string]float64{"faces": float64(len(boxes))}}
	for _, b := range boxes {
		a.Boxes = append(a.Boxes, sdk.Rect{X: float64(b.Min.X) / float64(w), Y: float64(b.Min.Y) / float64(h), W: float64(b.Dx()) / float64(w), H: float64(b.Dy()) / float64(h)})
	}
	hint := func(key string, sev int) { a.Hints = append(a.Hints, sdk.Hint{Key: key, Severity: sev}) }
	switch len(boxes) {
	case 0:
		d.remember(nil)
		hint("hint.face.no_face", 2)
		return a, nil
	case 1:
	default:
		d.remember(nil)
		hint("hint.face.only_one", 2)
		return a, nil
	}
	b := boxes[0]
	cx, cy, rx, ry := guideRect(req.Guide, w, h)
	size := float64(b.Dx()) / (2 * rx)
	fx, fy := float64(b.Min.X+b.Max.X)/2, float64(b.Min.Y+b.Max.Y)/2
	off := math.Hypot((fx-cx)/rx, (fy-cy)/ry)
	region := gray.Region(b)
	mean := region.Mean().Val1
	region.Close()
	a.Measures["face_size"], a.Measures["offset"], a.Measures["brightness"] = size, off, mean
	switch {
	case size < hintCloser:
		hint("hint.face.move_closer", 1)
	case size > hintBack:
		hint("hint.face.move_back", 1)
	}
	if off > hintOffset {
		hint("hint.face.center", 1)
	}
	if mean < hintDark {
		hint("hint.face.too_dark", 1)
	}
	cur := &frameMeasure{cx: fx / float64(w), cy: fy / float64(h), w: float64(b.Dx()) / float64(w)}
	if prev := d.remember(cur); prev != nil {
		motion := math.Hypot(cur.cx-prev.cx, cur.cy-prev.cy) + math.Abs(cur.w-prev.w)
		a.Measures["motion"] = motion
		if motion > hintMotion {
			hint("hint.face.hold_still", 1)
		}
	}
	a.Ready = len(a.Hints) == 0
	return a, nil
}

// remember stores this frame's face measure and returns the previous one.
func (d *Detector) remember(m *frameMeasure) *frameMeasure {
	d.motionMu.Lock()
	defer d.motionMu.Unlock()
	prev := d.last
	d.last = m
	return prev
}
