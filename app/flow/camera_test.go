package flow

import (
	"context"
	"slices"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// fakeCamera answers CheckCamera with a fixed verdict and counts the calls.
type fakeCamera struct {
	v     sdk.Verdict
	calls int
}

func (c *fakeCamera) CheckCamera(context.Context) sdk.Verdict { c.calls++; return c.v }

// The camera's own check (issue 19 item 4) is recorded with the selfie and the video: its rules
// stand beside the plugins', a suspect camera makes a passing capture needs-review (never a
// silent pass), and a failed capture stays failed.
func TestCameraCheckRecordedWithCaptures(t *testing.T) {
	synthetic := sdk.Verdict{Outcome: sdk.NeedsReview, Reasons: []string{"verdict.camera.frozen.suspect"},
		Rules: []sdk.Rule{{Name: "camera.device", Outcome: sdk.NeedsReview, Reason: "verdict.camera.device.not_webcam"},
			{Name: "camera.frozen", Outcome: sdk.NeedsReview, Reason: "verdict.camera.frozen.suspect", Value: 1, Threshold: 0.2}}}
	sensor := sdk.Verdict{Outcome: sdk.Pass, Rules: []sdk.Rule{{Name: "camera.device", Outcome: sdk.Pass, Reason: "verdict.camera.device.allowed"}}}
	live := sdk.Verdict{Outcome: sdk.Pass}
	for _, c := range []struct {
		name   string
		camera *fakeCamera
		live   sdk.Verdict
		want   sdk.Outcome
		reason string
	}{
		{"no camera check", nil, live, sdk.Pass, ""},
		{"sensor-like camera", &fakeCamera{v: sensor}, live, sdk.Pass, ""},
		{"synthetic frames", &fakeCamera{v: synthetic}, live, sdk.NeedsReview, "verdict.camera.frozen.suspect"},
		{"failed liveness stays failed", &fakeCamera{v: synthetic}, sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{"verdict.liveness.sequence.wrong_order"}}, sdk.Fail, "verdict.camera.frozen.suspect"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			r.cfg.DressCodeReview = false
			r.cfg.CaptureAttempts = 5
			d := r.deps(r.store)
			if c.camera != nil {
				d.Camera = c.camera
			}
			m, err := New(d, r.cfg)
			r.must(err)
			r.m = m
			r.walk(StepVideo)
			r.det.liveness = []sdk.Verdict{c.live}
			r.det.match = []sdk.Verdict{{Outcome: sdk.Pass}, {Outcome: sdk.Pass}, {Outcome: sdk.Pass}}
			_, err = r.m.Submit(r.ctx, Video{frames(16)})
			r.must(err)
			v := r.stored().Checks[StepVideo].Verdict
			if v.Outcome != c.want {
				t.Errorf("video outcome %v, want %v (reasons %v)", v.Outcome, c.want, v.Reasons)
			}
			if c.reason != "" && !slices.Contains(v.Reasons, c.reason) {
				t.Errorf("reasons %v lack %s", v.Reasons, c.reason)
			}
			if c.camera == nil {
				return
			}
			if c.camera.calls != 2 {
				t.Errorf("camera checked %d times, want twice (selfie and video)", c.camera.calls)
			}
			n := 0
			for _, rl := range v.Rules {
				if rl.Name == "camera.device" {
					n++
				}
			}
			if n != 1 {
				t.Errorf("video verdict has %d camera.device rules, want 1: %+v", n, v.Rules)
			}
			if sv := r.stored().Checks[StepSelfie].Verdict; c.camera.v.Outcome == sdk.NeedsReview && sv.Outcome == sdk.Pass {
				t.Errorf("selfie passed silently from a suspect camera: %+v", sv)
			}
		})
	}
}
