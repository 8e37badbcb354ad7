package detector

import (
	"context"
	"fmt"
	"image"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// AnalyzeFrame gives live guidance for the video step: is there one face inside the guide, is
// the light enough and the wall behind white. Boxes are the faces found, normalised. For the
// video step it also counts the raised fingers of the hand beside the face, with the counter the
// video check uses on each frame (liveFingers), so the kiosk shows the count while recording.
func (d *Detector) AnalyzeFrame(ctx context.Context, req sdk.FrameRequest) (sdk.FrameAnalysis, error) {
	if err := ctx.Err(); err != nil {
		return sdk.FrameAnalysis{}, fmt.Errorf("analyze frame: %w", err)
	}
	if d.cascades == nil {
		return sdk.FrameAnalysis{}, fmt.Errorf("analyze frame: %w", d.setupErr)
	}
	work, small, err := decode(sdk.Frame{Image: req.Image})
	if err != nil {
		return sdk.FrameAnalysis{Hints: []sdk.Hint{{Key: "hint.liveness.frame_unreadable", Severity: 2}}}, nil
	}
	fs := d.cascades.faces(small)
	fa := sdk.FrameAnalysis{Measures: map[string]float64{"faces": float64(len(fs))}}
	for _, f := range fs {
		fa.Boxes = append(fa.Boxes, sdk.Rect{X: float64(f.Min.X) / float64(small.W), Y: float64(f.Min.Y) / float64(small.H),
			W: float64(f.Dx()) / float64(small.W), H: float64(f.Dy()) / float64(small.H)})
	}
	light := meanGray(small, firstOr(fs, image.Rect(0, 0, small.W, small.H)))
	white := borderWhite(small)
	fa.Measures["light"], fa.Measures["background_white"] = light, white
	switch {
	case len(fs) == 0:
		fa.Hints = append(fa.Hints, sdk.Hint{Key: "hint.liveness.face_missing", Severity: 2})
	case len(fs) > 1:
		fa.Hints = append(fa.Hints, sdk.Hint{Key: "hint.liveness.one_person", Severity: 2})
	case !inGuide(fs[0], small.W, small.H, req.Guide):
		fa.Hints = append(fa.Hints, sdk.Hint{Key: "hint.liveness.face_in_guide", Severity: 1})
	}
	if light < minLight {
		fa.Hints = append(fa.Hints, sdk.Hint{Key: "hint.liveness.more_light", Severity: 1})
	}
	if white < minWhiteBorder {
		fa.Hints = append(fa.Hints, sdk.Hint{Key: "hint.liveness.white_background", Severity: 1})
	}
	fa.Ready = len(fa.Hints) == 0
	if req.Purpose == sdk.PurposeVideo {
		var face image.Rectangle
		if len(fs) == 1 {
			face = fs[0]
		}
		fa.Fingers = liveFingers(d.countFrame(frame{work: work, small: small, ok: true}, face))
	}
	return fa, nil
}

// liveFingers is a frame's count as a live hint: known only when one hand gave a trustworthy
// count (the fusion's answer); two hands up or no hand is "not known", never a guess.
func liveFingers(o handObs) sdk.FingerCount {
	if o.Count < 0 || o.Count > sdk.MaxFingers || o.Hands >= 2 {
		return sdk.FingerCount{}
	}
	return sdk.KnownFingers(o.Count)
}
