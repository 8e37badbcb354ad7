// Package detector is the liveness plugin: it checks the recorded selfie video against the
// finger-number challenge, checks the video itself (face in the guide, one person, steady, lit,
// white background) and fuses passive anti-spoofing cues into one score, then hands back sharp
// frontal keyframes for the face match.
package detector

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/ehraz/ehraz/plugins/liveness/hand"
	"github.com/ehraz/ehraz/plugins/liveness/model"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// Version of the plugin.
const Version = "0.1.0"

// Detector implements sdk.Plugin, sdk.LivenessDetector and sdk.FrameAnalyzer.
type Detector struct {
	lm       *hand.Landmarker
	anti     *model.Session // human-models antispoof net: one weak cue, optional
	cascades cascadePool
	workers  int
	setupErr error // why the check cannot run (models missing); answered as CouldNotVerify
}

// New loads the models from modelDir (see model.Dir). A detector whose models are missing still
// serves, answering CouldNotVerify with verdict.liveness.model.missing.
func New(modelDir string) *Detector {
	d := &Detector{workers: max(1, min(2, runtime.NumCPU()))}
	cp, err := newCascadePool(CascadePath, d.workers)
	if err != nil {
		d.setupErr = err
		return d
	}
	d.cascades = cp
	rt, err := model.Open(modelDir, d.workers)
	if err != nil {
		d.setupErr = err
		return d
	}
	lm, err := hand.NewLandmarker(rt)
	if err != nil {
		d.setupErr = err
		return d
	}
	d.lm = lm
	for _, s := range model.Shipped {
		if s.File == model.AntiSpoof {
			if anti, err := rt.LoadSpec(s); err == nil {
				d.anti = anti
			}
		}
	}
	return d
}

// Err reports why the detector cannot check (nil when ready).
func (d *Detector) Err() error { return d.setupErr }

// Close releases models and classifiers.
func (d *Detector) Close() {
	if d.lm != nil {
		_ = d.lm.Close()
	}
	if d.anti != nil {
		_ = d.anti.Close()
	}
	if d.cascades != nil {
		d.cascades.close()
	}
}

// Info describes the plugin.
func (d *Detector) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{
		Name: "ehraz-liveness", Vendor: "Ehraz", Version: Version, ProtocolVersion: sdk.ProtocolVersion,
		Kinds:        []sdk.Kind{sdk.KindLiveness},
		Capabilities: []string{"CheckLiveness", "AnalyzeFrame"},
	}, nil
}

// CheckLiveness runs the whole video check.
func (d *Detector) CheckLiveness(ctx context.Context, req sdk.LivenessRequest) (sdk.Verdict, error) {
	t0 := time.Now()
	v, err := d.check(ctx, req)
	v.Duration = time.Since(t0)
	return v, err
}

func (d *Detector) check(ctx context.Context, req sdk.LivenessRequest) (sdk.Verdict, error) {
	if err := ctx.Err(); err != nil {
		return sdk.Verdict{}, fmt.Errorf("check liveness: %w", err)
	}
	if d.setupErr != nil {
		key := "verdict.liveness.setup.failed"
		if errors.Is(d.setupErr, model.ErrMissing) {
			key = "verdict.liveness.model.missing"
		}
		return sdk.CouldNotVerifyVerdict(key), nil
	}
	switch {
	case len(req.Frames) == 0:
		return sdk.CouldNotVerifyVerdict("verdict.liveness.frames.none"), nil
	case len(req.Frames) > maxFrames:
		return sdk.CouldNotVerifyVerdict("verdict.liveness.frames.too_many"), nil
	case videoTooLarge(req.Frames):
		return sdk.CouldNotVerifyVerdict("verdict.liveness.video.too_large"), nil
	}
	if !validChallenge(req.Challenge.Numbers) || !req.Challenge.ValidWindows() {
		return sdk.CouldNotVerifyVerdict("verdict.liveness.challenge.invalid"), nil
	}
	frames, err := decodeAll(ctx, d.workers, req.Frames)
	if err != nil {
		return sdk.Verdict{}, err
	}
	a, err := d.analyze(ctx, frames, req)
	if err != nil {
		return sdk.Verdict{}, err
	}
	return a.verdict(), nil
}

func validChallenge(ns []int) bool {
	if len(ns) == 0 || len(ns) > sdk.MaxChallengeNumbers {
		return false
	}
	for _, n := range ns {
		if n < 1 || n > 5 {
			return false
		}
	}
	return true
}
