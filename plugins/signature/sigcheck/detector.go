// Package sigcheck is Ehraz's signature detector: it finds the sheet of white paper in a camera
// photo, rectifies it, segments the ink and judges the picture with one rule per requirement
// (paper present, white, close enough, evenly lit, ink present but not a printed page or a
// scribble, sharp strokes, a single signature). It also gives live capture hints and returns the
// cleaned, binarized signature as an artifact. OpenCV (gocv) is used only inside this package.
package sigcheck

import (
	"context"
	"time"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// Version is the plugin version reported by Info.
const Version = "0.1.0"

// Thresholds are the limits each rule compares its measurement with. The defaults were chosen on
// the synthetic evaluation set (`ehrazctl eval signature`), see DefaultThresholds.
type Thresholds struct {
	PaperMinArea   float64 // paper area / frame area: closer than this is required
	PaperMinBright float64 // median brightness (0..255) of the paper
	LightMinEven   float64 // 5th / 95th percentile of the paper's illumination
	GlareMax       float64 // share of the sheet washed out by a highlight
	InkMin, InkMax float64 // ink pixels / sheet pixels
	PrintedMax     float64 // ink components: more looks like a printed or typed page
	SharpMin       float64 // Laplacian spread on ink edges / ink contrast
	ShakeCoherence float64 // coherence of ink-edge gradients: above it, motion blur (a shaken hand)
	MaxSignatures  float64 // ink clusters allowed
}

// DefaultThresholds are the shipped limits.
func DefaultThresholds() Thresholds {
	return Thresholds{
		PaperMinArea:   0.12,
		PaperMinBright: 130,
		LightMinEven:   0.70,
		GlareMax:       0.02,
		InkMin:         0.0015,
		InkMax:         0.12,
		PrintedMax:     80,
		SharpMin:       0.55,
		ShakeCoherence: 0.65,
		MaxSignatures:  1,
	}
}

// Detector implements sdk.Plugin, sdk.SignatureDetector and sdk.FrameAnalyzer. It holds no
// mutable state, so one value serves concurrent calls.
type Detector struct {
	th Thresholds
}

// New returns a detector with the given thresholds.
func New(th Thresholds) *Detector { return &Detector{th: th} }

var (
	_ sdk.Plugin            = (*Detector)(nil)
	_ sdk.SignatureDetector = (*Detector)(nil)
	_ sdk.FrameAnalyzer     = (*Detector)(nil)
)

// Info describes the plugin.
func (d *Detector) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{
		Name: "ehraz-signature", Vendor: "Ehraz", Version: Version, ProtocolVersion: sdk.ProtocolVersion,
		Kinds:        []sdk.Kind{sdk.KindSignature},
		Capabilities: []string{"AnalyzeFrame", "CheckSignature"},
	}, nil
}

// CheckSignature judges a captured signature photo.
func (d *Detector) CheckSignature(ctx context.Context, req sdk.SignatureRequest) (sdk.Verdict, error) {
	t0 := time.Now()
	if ctx.Err() != nil {
		return sdk.CouldNotVerifyVerdict(reasonCancelled), nil
	}
	m, bad := measure(ctx, req.Image, fullScale())
	if bad != "" {
		v := sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{bad}}
		if bad == reasonCancelled {
			v.Outcome = sdk.CouldNotVerify
		}
		v.Duration = time.Since(t0)
		return v, nil
	}
	v := judge(m, d.th)
	if m.ink != nil && m.ink.inkPixels > 0 {
		clean, err := cleanPNG(m.ink)
		if err == nil {
			v.Artifacts = append(v.Artifacts, sdk.Artifact{Name: ArtifactClean, Image: clean})
		}
	}
	v.Duration = time.Since(t0)
	return v, nil
}

// ArtifactClean names the cleaned signature PNG in a verdict's artifacts.
const ArtifactClean = "signature.clean"
