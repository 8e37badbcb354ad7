package flow

import (
	"fmt"
	"math"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// reasonNoEstimate: the face plugin compared the faces but gave no usable false-match estimate.
const reasonNoEstimate = "flow.match.no_estimate"

// FacePolicy is the brokerage's rule for a face match, in false-match-rate terms, applied to
// every face plugin's calibrated estimate (sdk.MatchScore.EstimatedFMR) alike: at or under
// PassFMR the match passes, above FailFMR it fails, in between an operator reviews.
type FacePolicy struct {
	PassFMR, FailFMR float64
	// FusedPassFMR is the pass limit for a decision on the median of at least FusedMinPairs good
	// pairs (Fuse); 0 means PassFMR. The median is read through the single-pair table, which
	// over-states its false-match rate, so its limit may be higher for the same security (README
	// "More evidence per decision": 0.2 keeps look-alike impostor groups at 3.1 %).
	FusedPassFMR float64
}

// FusedMinPairs is how many good pairs a fused decision needs before FusedPassFMR applies.
const FusedMinPairs = 3

// DefaultFacePolicy passes at an estimated false-match rate of at most 5% and fails above 95%.
// With the reference calibration (fitted on the two shared photo sets, the look-alike set
// deciding) that is: pass at descriptor distance ≤ 0.29, fail above 0.435 (unit-length
// descriptors). Measured there: at most 5% of look-alike impostor pairs pass (2.7%), no impostor
// pair of the diverse set passes, and 67% of the diverse set's genuine pairs pass — short of the
// 85% the issue asks (88% with three pictures fused at FusedPassFMR); the rest go to an operator,
// not to a fail (README "Face matching").
func DefaultFacePolicy() FacePolicy {
	return FacePolicy{PassFMR: 0.05, FailFMR: 0.95, FusedPassFMR: 0.2}
}

// Validate refuses limits outside 0..1 or a pass limit above the fail limit.
func (p FacePolicy) Validate() error {
	if !(p.FusedPassFMR >= 0 && p.FusedPassFMR <= p.FailFMR) {
		return fmt.Errorf("face policy: fused pass limit %v must lie in 0..fail limit %v", p.FusedPassFMR, p.FailFMR)
	}
	if !(p.PassFMR >= 0 && p.PassFMR <= 1 && p.FailFMR >= 0 && p.FailFMR <= 1) {
		return fmt.Errorf("face policy: pass %v and fail %v must lie in 0..1", p.PassFMR, p.FailFMR)
	}
	if p.PassFMR > p.FailFMR {
		return fmt.Errorf("face policy: pass limit %v above fail limit %v", p.PassFMR, p.FailFMR)
	}
	return nil
}

// Decide maps an estimated false-match rate to an outcome and the reason shown for it; an
// estimate that is not a rate (NaN, outside 0..1) goes to an operator.
func (p FacePolicy) Decide(est float64) (sdk.Outcome, string) {
	switch {
	case math.IsNaN(est) || est < 0 || est > 1:
		return sdk.NeedsReview, reasonNoEstimate
	case est <= p.PassFMR:
		return sdk.Pass, "verdict.face.match.same"
	case est <= p.FailFMR:
		return sdk.NeedsReview, "verdict.face.match.uncertain"
	default:
		return sdk.Fail, "verdict.face.match.different"
	}
}

// Apply judges a MatchFaces verdict by the policy (its review band widened when the plugin says
// the pair's quality is low, see Fuse). With an estimate, the policy's outcome and
// reason replace the plugin's (its rules stay in the record) and a "face.match.policy" rule records
// the estimate and the limit it was held to. Without one, a verdict the plugin failed or could
// not verify (no face, unreadable picture) stays as it is, and anything else goes to an
// operator: only a calibrated estimate can auto-pass.
func (p FacePolicy) Apply(v sdk.Verdict) sdk.Verdict {
	v = cloneVerdict(v)
	if v.Match == nil {
		if o := v.Outcome.Effective(); o == sdk.Pass || o == sdk.NeedsReview {
			v.Outcome = sdk.NeedsReview
			v.Reasons = append([]string{reasonNoEstimate}, v.Reasons...)
		}
		return v
	}
	est := v.Match.EstimatedFMR
	pol := p
	if lowQuality(v) { // a poor picture widens the review band (facefusion.go, rule 5)
		pol = p.widened()
	}
	o, reason := pol.Decide(est)
	limit := pol.FailFMR
	if o == sdk.Pass {
		limit = pol.PassFMR
	}
	v.Outcome, v.Reasons = o, []string{reason}
	if pol != p {
		v.Reasons = append(v.Reasons, reasonLowQuality)
	}
	v.Rules = append(v.Rules, sdk.Rule{Name: "face.match.policy", Outcome: o, Reason: reason, Value: est, Threshold: limit, Unit: "ratio"})
	return v
}
