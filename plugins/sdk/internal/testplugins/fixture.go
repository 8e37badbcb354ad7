// Package testplugins holds fixture detector plugins for the SDK and host tests: a well-behaved
// one, one that crashes mid-call, one that hangs and one that returns unspecified outcomes. They
// are test fixtures, never shipped: their "checks" only decode the image and measure brightness.
package testplugins

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg" // decoders for the fixture's real image decoding
	_ "image/png"
	"os"
	"strconv"
	"time"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// Good is a well-behaved face+signature plugin: it decodes the image and fails what it cannot
// decode or whose size differs from the declared one. If the env var EHRAZ_FIXTURE_SLOW_MS is
// set, CheckSelfie sleeps that long first, so a test can kill the process mid-call.
type Good struct{ Name string }

func (g Good) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: g.Name, Vendor: "ehraz-tests", Version: "0.0.1", ProtocolVersion: sdk.ProtocolVersion,
		Kinds:        []sdk.Kind{sdk.KindFace, sdk.KindSignature},
		Capabilities: []string{"AnalyzeFrame", "CheckSelfie", "MatchFaces", "CheckSignature"}}, nil
}

// measure decodes img and returns its mean brightness or a failing verdict.
func measure(img sdk.Image) (float64, *sdk.Verdict) {
	if len(img.Data) == 0 {
		v := sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{"verdict.plugin.image_invalid"}}
		return 0, &v
	}
	// The header first: a declared or real size out of bounds is refused before any pixel is
	// decoded (a hostile 20 MB payload costs the decoder seconds, under -race more).
	cfg, _, err := image.DecodeConfig(bytes.NewReader(img.Data))
	if err != nil || cfg.Width != img.Width || cfg.Height != img.Height || cfg.Width > 8000 || cfg.Height > 8000 {
		v := sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{"verdict.plugin.image_invalid"}}
		return 0, &v
	}
	m, _, err := image.Decode(bytes.NewReader(img.Data))
	if err != nil {
		v := sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{"verdict.plugin.image_invalid"}}
		return 0, &v
	}
	b := m.Bounds()
	if b.Dx() != img.Width || b.Dy() != img.Height || b.Dx() > 8000 || b.Dy() > 8000 {
		v := sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{"verdict.plugin.image_invalid"}}
		return 0, &v
	}
	var sum float64
	var n int
	for y := b.Min.Y; y < b.Max.Y; y += 8 {
		for x := b.Min.X; x < b.Max.X; x += 8 {
			r, g, bb, _ := m.At(x, y).RGBA()
			sum += float64(r+g+bb) / 3 / 65535
			n++
		}
	}
	return sum / float64(n), nil
}

func check(ctx context.Context, img sdk.Image) (sdk.Verdict, error) {
	if err := ctx.Err(); err != nil {
		return sdk.CouldNotVerifyVerdict("verdict.plugin.cancelled"), nil
	}
	br, bad := measure(img)
	if bad != nil {
		return *bad, nil
	}
	return sdk.Verdict{Outcome: sdk.Pass, Reasons: []string{"verdict.plugin.fixture_ok"},
		Rules: []sdk.Rule{{Name: "fixture.brightness", Outcome: sdk.Pass, Reason: "verdict.plugin.fixture_ok", Value: br, Unit: "ratio"}}}, nil
}

func (g Good) AnalyzeFrame(ctx context.Context, r sdk.FrameRequest) (sdk.FrameAnalysis, error) {
	br, bad := measure(r.Image)
	if bad != nil {
		return sdk.FrameAnalysis{Hints: []sdk.Hint{{Key: "plugin.hint.image_invalid", Severity: 2}}}, nil
	}
	return sdk.FrameAnalysis{Ready: br > 0.1, Measures: map[string]float64{"brightness": br}}, nil
}

func (g Good) CheckSelfie(ctx context.Context, r sdk.SelfieRequest) (sdk.Verdict, error) {
	if ms, err := strconv.Atoi(os.Getenv("EHRAZ_FIXTURE_SLOW_MS")); err == nil {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	return check(ctx, r.Image)
}

func (g Good) MatchFaces(ctx context.Context, r sdk.MatchRequest) (sdk.Verdict, error) {
	if _, bad := measure(r.Reference); bad != nil {
		return *bad, nil
	}
	return check(ctx, r.Probe)
}

func (g Good) CheckSignature(ctx context.Context, r sdk.SignatureRequest) (sdk.Verdict, error) {
	return check(ctx, r.Image)
}

// Crash answers Info, then exits the process in the middle of every check.
type Crash struct{}

func (Crash) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: "crash", Vendor: "ehraz-tests", Version: "0.0.1", ProtocolVersion: sdk.ProtocolVersion,
		Kinds: []sdk.Kind{sdk.KindSignature}, Capabilities: []string{"CheckSignature"}}, nil
}

func (Crash) CheckSignature(context.Context, sdk.SignatureRequest) (sdk.Verdict, error) {
	os.Exit(3)
	return sdk.Verdict{}, nil
}

// Hang answers Info, then never returns from a check.
type Hang struct{}

func (Hang) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: "hang", Vendor: "ehraz-tests", Version: "0.0.1", ProtocolVersion: sdk.ProtocolVersion,
		Kinds: []sdk.Kind{sdk.KindLiveness}, Capabilities: []string{"CheckLiveness"}}, nil
}

func (Hang) CheckLiveness(context.Context, sdk.LivenessRequest) (sdk.Verdict, error) {
	select {}
}

// Garbage returns an unknown outcome from CheckSelfie and a zero verdict from MatchFaces.
type Garbage struct{}

func (Garbage) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: "garbage", Vendor: "ehraz-tests", Version: "0.0.1", ProtocolVersion: sdk.ProtocolVersion,
		Kinds: []sdk.Kind{sdk.KindFace}, Capabilities: []string{"CheckSelfie", "MatchFaces"}}, nil
}

func (Garbage) CheckSelfie(context.Context, sdk.SelfieRequest) (sdk.Verdict, error) {
	return sdk.Verdict{Outcome: sdk.Outcome(42)}, nil
}

func (Garbage) MatchFaces(context.Context, sdk.MatchRequest) (sdk.Verdict, error) {
	return sdk.Verdict{}, nil
}
