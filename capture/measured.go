package capture

import (
	"context"
	"fmt"
	"math"

	"github.com/ehraz/ehraz/capture/framestats"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// Measured is a source whose frames are measured as they are read (package framestats), so the
// kiosk can ask, for a capture, whether the camera is one it allows and whether its recent
// frames look like a sensor's (CheckCamera). Measure wraps a source in one.
type Measured struct {
	src   Source
	meter *framestats.Meter
}

// measuredScener is a Measured over a source that acts out the steps (the demo).
type measuredScener struct {
	*Measured
	sc Scener
}

func (m measuredScener) SetScene(s Scene) { m.sc.SetScene(s) }

// Ready waits for the scene's material when the source has any to prepare (the demo).
func (m measuredScener) Ready(ctx context.Context) error {
	if r, ok := m.sc.(interface{ Ready(context.Context) error }); ok {
		return r.Ready(ctx)
	}
	return nil
}

// Checked is a source that checks its own recent frames (what Measure returns).
type Checked interface {
	Source
	CheckCamera(ctx context.Context) sdk.Verdict
}

// Measure wraps src. The result is a Scener when src is one.
func Measure(src Source) Checked {
	m := &Measured{src: src, meter: framestats.NewMeter()}
	if sc, ok := src.(Scener); ok {
		return measuredScener{Measured: m, sc: sc}
	}
	return m
}

// Read reads the next frame and measures it.
func (m *Measured) Read(ctx context.Context) (Frame, error) {
	f, err := m.src.Read(ctx)
	if err == nil {
		m.meter.Add(f.Img, f.Time)
	}
	return f, err
}

// Info is the source's.
func (m *Measured) Info() Info { return m.src.Info() }

// Close closes the source.
func (m *Measured) Close() error { return m.src.Close() }

// Report is the statistics of the recent frames.
func (m *Measured) Report() framestats.Report { return m.meter.Report() }

// Reason keys of the camera check (locales: verdict.camera.*).
const (
	reasonNotWebcam     = "verdict.camera.device.not_webcam"
	reasonUnknownDevice = "verdict.camera.device.unknown"
	reasonRefused       = "verdict.camera.device.refused"
	reasonAllowed       = "verdict.camera.device.allowed"
)

// CheckCamera is the camera's own check of the frames it delivered lately, for the flow to
// record beside a capture's verdict: rule camera.device (a webcam whose identity the policy
// allowed passes; the demo or a file, an unknown or refused device does not) and one rule per
// frame statistic (camera.timing, camera.repeats, camera.noise, camera.frozen; camera.blockiness
// is recorded and decides nothing). Suspect frames or device give needs-review, never a fail on
// their own: these cues were calibrated on synthetic sources only (see the README).
func (m *Measured) CheckCamera(ctx context.Context) sdk.Verdict {
	var rules []sdk.Rule
	info := m.Info()
	switch {
	case info.Kind != "webcam":
		rules = append(rules, sdk.Rule{Name: "camera.device", Outcome: sdk.NeedsReview, Reason: reasonNotWebcam})
	case info.Device == nil || !info.Device.Known():
		rules = append(rules, sdk.Rule{Name: "camera.device", Outcome: sdk.NeedsReview, Reason: reasonUnknownDevice})
	case !info.Device.Allowed:
		rules = append(rules, sdk.Rule{Name: "camera.device", Outcome: sdk.Fail, Reason: reasonRefused})
	default:
		rules = append(rules, sdk.Rule{Name: "camera.device", Outcome: sdk.Pass, Reason: reasonAllowed})
	}
	for _, f := range m.Report().Findings() {
		r := sdk.Rule{Name: "camera." + f.Cue, Value: f.Value, Threshold: f.Limit, Unit: f.Unit,
			Reason: fmt.Sprintf("verdict.camera.%s.%s", f.Cue, f.Status)}
		if math.IsNaN(r.Value) {
			r.Value = -1
		}
		switch f.Status {
		case framestats.Suspect:
			r.Outcome = sdk.NeedsReview
		case framestats.Unmeasured:
			r.Outcome = sdk.CouldNotVerify
		default:
			r.Outcome = sdk.Pass
		}
		rules = append(rules, r)
	}
	return cameraVerdict(rules)
}

// cameraVerdict is the worst of the rules (fail, could-not-verify, needs-review, pass), with the
// reasons of the rules that did not pass.
func cameraVerdict(rules []sdk.Rule) sdk.Verdict {
	rank := map[sdk.Outcome]int{sdk.Pass: 0, sdk.NeedsReview: 1, sdk.CouldNotVerify: 2, sdk.Fail: 3}
	v := sdk.Verdict{Outcome: sdk.Pass, Rules: rules}
	for _, r := range rules {
		if r.Outcome == sdk.Pass {
			continue
		}
		v.Reasons = append(v.Reasons, r.Reason)
		if rank[r.Outcome] > rank[v.Outcome] {
			v.Outcome = r.Outcome
		}
	}
	return v
}
