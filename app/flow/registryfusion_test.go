package flow

import (
	"slices"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

func est(e float64) sdk.Verdict {
	return sdk.Verdict{Outcome: sdk.Pass, Match: &sdk.MatchScore{Distance: e, EstimatedFMR: e, Calibration: "fake"}}
}

func hasRule(v sdk.Verdict, name string) bool {
	return slices.ContainsFunc(v.Rules, func(r sdk.Rule) bool { return r.Name == name })
}

// A selfie's registry match in the review band is decided again at the video step from the selfie
// and the keyframes together; anything else is decided at the selfie as before.
func TestRegistryMatchDeferredToVideo(t *testing.T) {
	keys := make([]sdk.Artifact, 3)
	for i := range keys {
		keys[i] = sdk.Artifact{Name: "liveness.keyframe", Image: sdk.Image{Data: []byte{'k', byte('0' + i)}, Format: "jpeg"}}
	}
	same := []sdk.Verdict{est(0.001), est(0.001), est(0.001)} // the keyframes against the selfie
	for _, tc := range []struct {
		name         string
		fused        float64 // FusedPassFMR; 0 = off
		selfie       float64 // the selfie's estimate against the registry photo
		registry     []float64
		wantSelfie   sdk.Outcome
		wantDeferred bool
		wantVideo    sdk.Outcome
		wantReason   string
	}{
		{"review band, keyframes agree: pass", 0.2, 0.1, []float64{0.1, 0.15, 0.12}, sdk.Pass, true, sdk.Pass, "verdict.face.match.same"},
		{"review band, keyframes uncertain: operator", 0.2, 0.1, []float64{0.5, 0.6, 0.4}, sdk.Pass, true, sdk.NeedsReview, "verdict.face.match.uncertain"},
		{"review band, keyframes of someone else: fail", 0.2, 0.1, []float64{0.99, 0.98, 0.99}, sdk.Pass, true, sdk.Fail, "verdict.face.match.different"},
		{"fusion off: operator at the selfie", 0, 0.1, []float64{0.1, 0.1, 0.1}, sdk.NeedsReview, false, sdk.Pass, ""},
		{"a clear pass is not deferred", 0.2, 0.001, []float64{0.5, 0.5, 0.5}, sdk.Pass, false, sdk.Pass, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.cfg.FacePolicy = FacePolicy{PassFMR: 0.05, FailFMR: 0.95, FusedPassFMR: tc.fused}
			r.m = r.machine(r.store)
			r.walk(StepSelfie)
			r.det.match = []sdk.Verdict{est(tc.selfie)}
			v, err := r.check(Selfie{sdk.Image{Data: []byte("selfie"), Format: "jpeg"}})
			r.must(err)
			if v.Outcome != tc.wantSelfie || slices.Contains(v.Reasons, reasonMatchDeferred) != tc.wantDeferred {
				t.Fatalf("selfie: %v %v, want %v (deferred %v)", v.Outcome, v.Reasons, tc.wantSelfie, tc.wantDeferred)
			}
			if !hasRule(v, "face.match.policy") {
				t.Errorf("selfie check lost the match's policy rule: %+v", v.Rules)
			}
			r.det.liveness = []sdk.Verdict{{Outcome: sdk.Pass, Artifacts: keys}}
			queue := slices.Clone(same)
			if tc.wantDeferred {
				queue = append(queue, est(tc.selfie))
				for _, e := range tc.registry {
					queue = append(queue, est(e))
				}
			}
			queue = append(queue, est(0.001)) // anything further: the last answer repeats
			r.det.match = queue
			r.walk(StepVideo)
			refsBefore := len(r.det.matchRefs)
			v, err = r.check(Video{frames(8)})
			r.must(err)
			if v.Outcome.Effective() != tc.wantVideo {
				t.Errorf("video: %v %v, want %v", v.Outcome, v.Reasons, tc.wantVideo)
			}
			if got := hasRule(v, "face.match.fused"); got != tc.wantDeferred {
				t.Errorf("video verdict has the fused registry rule = %v, want %v", got, tc.wantDeferred)
			}
			if tc.wantReason != "" && !slices.Contains(v.Reasons, tc.wantReason) {
				t.Errorf("video reasons %v lack %s", v.Reasons, tc.wantReason)
			}
			calls := len(r.det.matchRefs) - refsBefore
			if want := map[bool]int{false: 3, true: 7}[tc.wantDeferred]; calls != want {
				t.Errorf("%d MatchFaces calls at the video step, want %d (3 keyframes vs selfie, +1 selfie and 3 keyframes vs registry when deferred)", calls, want)
			}
		})
	}
}
