package flow

import (
	"math"
	"slices"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

func TestFacePolicyApply(t *testing.T) {
	p := FacePolicy{PassFMR: 0.01, FailFMR: 0.5}
	scored := func(plugin sdk.Outcome, est float64) sdk.Verdict {
		return sdk.Verdict{Outcome: plugin, Reasons: []string{"plugin.reason"},
			Rules: []sdk.Rule{{Name: "face.match.distance", Outcome: plugin}},
			Match: &sdk.MatchScore{Distance: 0.4, EstimatedFMR: est, Calibration: "t"}}
	}
	tests := []struct {
		name   string
		in     sdk.Verdict
		want   sdk.Outcome
		reason string
		limit  float64 // the policy rule's threshold; NaN: no policy rule
	}{
		{"at the pass limit passes", scored(sdk.NeedsReview, 0.01), sdk.Pass, "verdict.face.match.same", 0.01},
		{"just over it goes to review", scored(sdk.Pass, 0.0101), sdk.NeedsReview, "verdict.face.match.uncertain", 0.5},
		{"at the fail limit is still review", scored(sdk.Fail, 0.5), sdk.NeedsReview, "verdict.face.match.uncertain", 0.5},
		{"over the fail limit fails", scored(sdk.Pass, 0.51), sdk.Fail, "verdict.face.match.different", 0.5},
		{"an estimate that is no rate goes to review", scored(sdk.Pass, math.NaN()), sdk.NeedsReview, reasonNoEstimate, 0.5},
		{"an estimate over 1 likewise", scored(sdk.Pass, 1.5), sdk.NeedsReview, reasonNoEstimate, 0.5},
		{"no estimate cannot auto-pass", sdk.Verdict{Outcome: sdk.Pass}, sdk.NeedsReview, reasonNoEstimate, math.NaN()},
		{"no estimate keeps a review", sdk.Verdict{Outcome: sdk.NeedsReview, Reasons: []string{"x"}}, sdk.NeedsReview, reasonNoEstimate, math.NaN()},
		{"no face stays a fail", sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{"verdict.face.match.probe.no_face"}}, sdk.Fail, "verdict.face.match.probe.no_face", math.NaN()},
		{"a plugin error stays could-not-verify", sdk.CouldNotVerifyVerdict(reasonPluginError), sdk.CouldNotVerify, reasonPluginError, math.NaN()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := cloneVerdict(tc.in)
			got := p.Apply(tc.in)
			if got.Outcome != tc.want || len(got.Reasons) == 0 || got.Reasons[0] != tc.reason {
				t.Fatalf("outcome %v reasons %v, want %v %s", got.Outcome, got.Reasons, tc.want, tc.reason)
			}
			i := slices.IndexFunc(got.Rules, func(r sdk.Rule) bool { return r.Name == "face.match.policy" })
			if math.IsNaN(tc.limit) {
				if i >= 0 {
					t.Errorf("policy rule without an estimate: %+v", got.Rules[i])
				}
				return
			}
			if i < 0 {
				t.Fatal("no face.match.policy rule")
			}
			r := got.Rules[i]
			if r.Outcome != tc.want || r.Threshold != tc.limit || !(r.Value == tc.in.Match.EstimatedFMR || math.IsNaN(r.Value)) {
				t.Errorf("policy rule %+v", r)
			}
			if len(tc.in.Rules) != len(in.Rules) {
				t.Error("Apply changed its argument's rules")
			}
		})
	}
}

func TestFacePolicyValidate(t *testing.T) {
	tests := []struct {
		p  FacePolicy
		ok bool
	}{
		{DefaultFacePolicy(), true},
		{FacePolicy{PassFMR: 0, FailFMR: 0}, true},
		{FacePolicy{PassFMR: 0.001, FailFMR: 0.05}, true},
		{FacePolicy{PassFMR: 0.2, FailFMR: 0.1}, false},
		{FacePolicy{PassFMR: -0.1, FailFMR: 0.5}, false},
		{FacePolicy{PassFMR: 0.1, FailFMR: 1.5}, false},
		{FacePolicy{PassFMR: math.NaN(), FailFMR: 0.5}, false},
	}
	for _, tc := range tests {
		if err := tc.p.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: error %v, want ok=%v", tc.p, err, tc.ok)
		}
	}
}

// The machine judges the selfie's and the video keyframes' matches by the configured policy,
// not by the plugin's own outcome, and refuses a policy that makes no sense.
func TestMachineJudgesMatchesByThePolicy(t *testing.T) {
	r := newRig(t)
	r.cfg.FacePolicy = FacePolicy{PassFMR: 0.001, FailFMR: 0.2}
	r.m = r.machine(r.store)
	r.walk(StepSelfie)
	// The plugin says pass, but its estimate is over the brokerage's pass limit.
	r.det.match = []sdk.Verdict{{Outcome: sdk.Pass, Match: &sdk.MatchScore{Distance: 0.41, EstimatedFMR: 0.04}}}
	v, err := r.check(Selfie{sdk.Image{Data: []byte("selfie"), Format: "jpeg"}})
	r.must(err)
	if v.Outcome != sdk.NeedsReview || !slices.Contains(v.Reasons, "verdict.face.match.uncertain") {
		t.Errorf("selfie: %v %v, want needs-review (estimate 0.04 over the pass limit 0.001)", v.Outcome, v.Reasons)
	}
	// A keyframe whose estimate is over the fail limit fails the video whatever the plugin said.
	key := sdk.Artifact{Name: "liveness.keyframe", Image: sdk.Image{Data: []byte("key"), Format: "jpeg"}}
	r.det.liveness = []sdk.Verdict{{Outcome: sdk.Pass, Artifacts: []sdk.Artifact{key}}}
	r.det.match = []sdk.Verdict{{Outcome: sdk.NeedsReview, Match: &sdk.MatchScore{Distance: 0.7, EstimatedFMR: 0.9}}}
	r.walk(StepVideo)
	v, err = r.check(Video{frames(8)})
	r.must(err)
	if v.Outcome != sdk.Fail || !slices.Contains(v.Reasons, "verdict.face.match.different") {
		t.Errorf("video: %v %v, want fail (estimate 0.9 over the fail limit 0.2)", v.Outcome, v.Reasons)
	}

	bad := newRig(t)
	bad.cfg.FacePolicy = FacePolicy{PassFMR: 0.5, FailFMR: 0.1}
	if _, err := New(bad.deps(bad.store), bad.cfg); err == nil {
		t.Error("a pass limit above the fail limit was accepted")
	}
}

// Without an estimate (a plugin with no calibration) no match passes on its own.
func TestMachineSendsUnestimatedMatchesToReview(t *testing.T) {
	r := newRig(t)
	r.det.noEstimate = true
	r.walk(StepSelfie)
	v, err := r.check(Selfie{sdk.Image{Data: []byte("selfie"), Format: "jpeg"}})
	r.must(err)
	if v.Outcome != sdk.NeedsReview || !slices.Contains(v.Reasons, reasonNoEstimate) {
		t.Errorf("selfie without an estimate: %v %v", v.Outcome, v.Reasons)
	}
}
