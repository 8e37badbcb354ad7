package sigcheck

import (
	"context"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// Hint keys (locales/*/signature.json).
const (
	hintInvalid   = "hint.signature.image_invalid"
	hintPaperNone = "hint.signature.paper_none"
	hintCloser    = "hint.signature.closer"
	hintMoreLight = "hint.signature.more_light"
	hintShadow    = "hint.signature.shadow"
	hintGlare     = "hint.signature.glare"
	hintHoldStill = "hint.signature.hold_still"
	hintSign      = "hint.signature.sign"
	hintOneOnly   = "hint.signature.one_only"
	hintReady     = "hint.signature.ready"
	severityInfo  = 0
	severityWarn  = 1
	severityBlock = 2
)

// AnalyzeFrame gives live guidance on a preview frame: where the paper is and what to fix before
// capturing. It runs the same measurements as CheckSignature on a smaller picture.
func (d *Detector) AnalyzeFrame(ctx context.Context, req sdk.FrameRequest) (sdk.FrameAnalysis, error) {
	m, bad := measure(ctx, req.Image, previewScale())
	if bad == reasonCancelled {
		return sdk.FrameAnalysis{}, ctx.Err()
	}
	if bad != "" {
		return sdk.FrameAnalysis{Hints: []sdk.Hint{{Key: hintInvalid, Severity: severityBlock}}}, nil
	}
	s := m.sheet
	a := sdk.FrameAnalysis{Measures: map[string]float64{"paper.found": 0}}
	if !s.found || m.ink == nil {
		a.Hints = []sdk.Hint{{Key: hintPaperNone, Severity: severityBlock}}
		return a, nil
	}
	st := m.ink
	a.Boxes = []sdk.Rect{paperBox(s)}
	a.Measures = map[string]float64{
		"paper.found": 1, "paper.area": s.areaFrac, "paper.brightness": s.bright,
		"light.evenness": st.evenness, "light.glare": st.glare, "ink.ratio": st.ratio,
		"sharpness": st.sharp, "coherence": st.coherence, "clusters": float64(st.clusters),
	}
	th := d.th
	warn := func(key string) { a.Hints = append(a.Hints, sdk.Hint{Key: key, Severity: severityWarn}) }
	if s.areaFrac < th.PaperMinArea {
		warn(hintCloser)
	}
	if s.bright < th.PaperMinBright {
		warn(hintMoreLight)
	}
	if st.evenness < th.LightMinEven {
		warn(hintShadow)
	}
	if st.glare > th.GlareMax {
		warn(hintGlare)
	}
	switch {
	case st.ratio < th.InkMin:
		warn(hintSign)
	case float64(st.clusters) > th.MaxSignatures:
		warn(hintOneOnly)
	case st.sharp < th.SharpMin*previewSharpFactor || st.coherence > th.ShakeCoherence:
		warn(hintHoldStill)
	}
	if len(a.Hints) == 0 {
		a.Ready = true
		a.Hints = []sdk.Hint{{Key: hintReady, Severity: severityInfo}}
	}
	return a, nil
}

// previewSharpFactor relaxes the sharpness limit on preview frames, which are examined at a
// lower resolution where strokes are thinner and edges softer.
const previewSharpFactor = 0.8

// paperBox is the paper's bounding box in normalized frame coordinates.
func paperBox(s sheet) sdk.Rect {
	minX, minY, maxX, maxY := s.quad[0][0], s.quad[0][1], s.quad[0][0], s.quad[0][1]
	for _, q := range s.quad[1:] {
		minX, maxX = min(minX, q[0]), max(maxX, q[0])
		minY, maxY = min(minY, q[1]), max(maxY, q[1])
	}
	w, h := float64(s.w), float64(s.h)
	return sdk.Rect{X: max(minX, 0) / w, Y: max(minY, 0) / h, W: (min(maxX, w) - max(minX, 0)) / w, H: (min(maxY, h) - max(minY, 0)) / h}
}
