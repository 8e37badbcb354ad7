package flow

import (
	"context"
	"math"
	"sort"
	"strconv"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// Several pictures of the applicant against one registry photo (the selfie and the sharp frontal
// video keyframes), and the quality of each pair, decide together. The rule, stated for the
// README:
//
//  1. A pair counts when the plugin gave a calibrated estimate for it (sdk.MatchScore).
//  2. A pair whose quality rule (PairQualityRule: the worse picture's face size, sharpness, pose
//     and exposure, 0..1) is under PairQualityLow is left out when at least one good pair exists.
//  3. The fused estimate is the upper median of the counted pairs' estimates (with an even count,
//     the larger of the two middle ones). A median cannot be pulled down by one lucky frame of a
//     look-alike (a minimum could) nor up by one blurred frame of the right person (a maximum
//     could). The plugin's table was fitted on single pairs; the median of several has a tighter
//     impostor spread, so reading it through the single-pair table over-states the false-match
//     rate: the fused estimate errs on the safe side.
//  4. With at least FusedMinPairs good pairs the pass limit is FacePolicy.FusedPassFMR (the
//     median's spread is tighter than one pair's: on the shared sets 0.2 passes 3.1 % of
//     look-alike impostor groups of three, against 2.7 % of single pairs at 0.05).
//  5. When only low-quality pairs exist, the review band widens: the pass limit is divided by
//     LowQualityPassDivisor and the fail limit moves halfway to 1, so a poor picture can neither
//     auto-pass nor auto-fail as easily.
const (
	PairQualityRule       = "face.match.quality"
	PairQualityLow        = 0.5
	LowQualityPassDivisor = 10
	reasonLowQuality      = "flow.match.low_quality"
)

// widened is the policy for a low-quality pair (rule 4).
func (p FacePolicy) widened() FacePolicy {
	return FacePolicy{PassFMR: p.PassFMR / LowQualityPassDivisor, FailFMR: p.FailFMR + (1-p.FailFMR)/2}
}

// pairQuality is the verdict's pair-quality rule value, and whether the plugin gave one (a plugin
// that does not is taken at its word: no widening).
func pairQuality(v sdk.Verdict) (float64, bool) {
	for _, r := range v.Rules {
		if r.Name == PairQualityRule && !math.IsNaN(r.Value) {
			return r.Value, true
		}
	}
	return 0, false
}

func lowQuality(v sdk.Verdict) bool {
	q, ok := pairQuality(v)
	return ok && q < PairQualityLow
}

func validEstimate(v sdk.Verdict) bool {
	if v.Match == nil {
		return false
	}
	e := v.Match.EstimatedFMR
	return !math.IsNaN(e) && e >= 0 && e <= 1
}

// Fuse judges several MatchFaces verdicts of one applicant against one reference by the rule
// above and returns one verdict: the median pair's rules and match, the policy's outcome, and a
// "face.match.fused" rule with the fused estimate, the limit it was held to and (as Unit) how
// many pairs counted. With no pair that has an estimate it returns Apply of the first verdict
// (or could-not-verify when there is none).
func (p FacePolicy) Fuse(vs ...sdk.Verdict) sdk.Verdict {
	var good, low []sdk.Verdict
	for _, v := range vs {
		if !validEstimate(v) {
			continue
		}
		if lowQuality(v) {
			low = append(low, v)
		} else {
			good = append(good, v)
		}
	}
	used, pol := good, FacePolicy{PassFMR: p.PassFMR, FailFMR: p.FailFMR}
	switch {
	case len(good) == 0:
		used, pol = low, pol.widened()
	case len(good) >= FusedMinPairs && p.FusedPassFMR > 0:
		pol.PassFMR = math.Max(p.PassFMR, p.FusedPassFMR) // never stricter than one pair
	}
	if len(used) == 0 {
		if len(vs) == 0 {
			return sdk.CouldNotVerifyVerdict(reasonNoReference)
		}
		return p.Apply(vs[0])
	}
	sort.SliceStable(used, func(i, j int) bool { return used[i].Match.EstimatedFMR < used[j].Match.EstimatedFMR })
	med := cloneVerdict(used[len(used)/2])
	est := med.Match.EstimatedFMR
	o, reason := pol.Decide(est)
	limit := pol.FailFMR
	if o == sdk.Pass {
		limit = pol.PassFMR
	}
	med.Outcome, med.Reasons = o, []string{reason}
	if len(good) == 0 {
		med.Reasons = append(med.Reasons, reasonLowQuality)
	}
	med.Rules = append(med.Rules, sdk.Rule{Name: "face.match.fused", Outcome: o, Reason: reason, Value: est, Threshold: limit,
		Unit: fusedUnit(len(used), len(vs))})
	return med
}

// fusedUnit records how many pairs counted of how many were compared, e.g. "median_of_3/4".
func fusedUnit(used, all int) string {
	return "median_of_" + strconv.Itoa(used) + "/" + strconv.Itoa(all)
}

// matcher is the part of the face plugin MatchRegistry needs.
type matcher interface {
	MatchFaces(ctx context.Context, req sdk.MatchRequest) (sdk.Verdict, error)
}

// MatchRegistry is the fused registry-photo decision: the selfie's verdict against the registry
// photo (already measured at the selfie step) and each video keyframe matched against the same
// registry photo now, decided together by Fuse. A keyframe the plugin cannot compare (no face,
// plugin error) does not count; a cancelled context stops matching and decides on what was
// measured. The machine's video step is where it belongs (after CheckLiveness returns the
// keyframes); that hook is not wired yet (README "More evidence per decision").
func (p FacePolicy) MatchRegistry(ctx context.Context, d matcher, selfie sdk.Verdict, registry sdk.Image, keyframes []sdk.Image) sdk.Verdict {
	vs := []sdk.Verdict{selfie}
	for _, k := range keyframes {
		if ctx.Err() != nil {
			break
		}
		vs = append(vs, checked(d.MatchFaces(ctx, sdk.MatchRequest{Probe: k, Reference: registry})))
	}
	return p.Fuse(vs...)
}
