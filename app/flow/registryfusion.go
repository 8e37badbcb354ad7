package flow

import (
	"context"
	"slices"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// The registry-photo match is decided on more evidence than one selfie when it can be (issue 16,
// "More evidence per decision"). A selfie whose single-pair estimate falls in the review band is
// not sent to an operator yet: its check records the match (distance, estimate, the policy's
// rule) with reasonMatchDeferred, and the video step decides the registry match again from the
// selfie and the video's sharp frontal keyframes together (FacePolicy.MatchRegistry, the rule in
// facefusion.go). That decision is part of the video's verdict, so a dossier always carries it:
// it passes, goes to an operator or fails there. A selfie that passes or fails on its own, or
// has no calibrated estimate, is decided at once as before; with FusedPassFMR 0 nothing is
// deferred.
const reasonMatchDeferred = "flow.match.deferred"

// deferRegistryMatch is the selfie step's registry verdict: match as the policy judged it, or,
// when it is in the review band with a calibrated estimate and fusion is on, the same verdict
// marked deferred and not holding the selfie back.
func (m *Machine) deferRegistryMatch(match sdk.Verdict) sdk.Verdict {
	if m.cfg.FacePolicy.FusedPassFMR <= 0 || match.Outcome != sdk.NeedsReview || !validEstimate(match) {
		return match
	}
	d := cloneVerdict(match)
	d.Outcome, d.Reasons = sdk.Pass, []string{reasonMatchDeferred}
	return d
}

// deferred reports whether the session's selfie check left the registry match to the video.
func deferred(r Record) bool {
	c, ok := r.Checks[StepSelfie]
	return ok && slices.Contains(c.Verdict.Reasons, reasonMatchDeferred)
}

// registryAtVideo decides a deferred registry match from the selfie and the video's probes
// (keyframes, else evenly sampled frames), all against the registry photo. It answers false when
// the selfie's match was not deferred. A missing registry photo or selfie is could-not-verify:
// the deferral must end in a decision someone sees, never in silence.
func (m *Machine) registryAtVideo(ctx context.Context, r Record, frames []sdk.Frame, live sdk.Verdict) (sdk.Verdict, bool) {
	if !deferred(r) {
		return sdk.Verdict{}, false
	}
	reg, ok := m.reference(ctx, r, "registry.photo")
	if !ok {
		return sdk.CouldNotVerifyVerdict(reasonNoReference), true
	}
	selfie, ok := m.reference(ctx, r, "selfie")
	if !ok {
		return sdk.CouldNotVerifyVerdict(reasonNoReference), true
	}
	first := checked(m.deps.Detectors.MatchFaces(ctx, sdk.MatchRequest{Probe: selfie, Reference: reg}))
	return m.cfg.FacePolicy.MatchRegistry(ctx, m.deps.Detectors, first, reg, m.videoProbes(frames, live)), true
}
