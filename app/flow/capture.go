package flow

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// Reason keys the flow itself adds to capture verdicts.
const (
	reasonNoReference = "flow.match.no_reference" // no registry photo / selfie to match against
	reasonNoProbe     = "flow.match.no_probe"     // no video frame to match
	reasonPluginError = "verdict.plugin.error"
)

// severity orders outcomes for Combine: the first in this order wins.
func severity(o sdk.Outcome) int {
	switch o.Effective() {
	case sdk.Fail:
		return 0
	case sdk.CouldNotVerify:
		return 1
	case sdk.NeedsReview:
		return 2
	default: // Pass
		return 3
	}
}

// Combine merges the verdicts of one capture into one: any fail → fail; else any could-not-verify
// (including an unspecified outcome) → could-not-verify; else any needs-review → needs-review;
// else pass. Nothing passes by default: no verdicts at all is could-not-verify. Reasons are listed
// from the most severe verdict down, without repeats; rules and artifacts are concatenated,
// durations added; Score is the first verdict's (the step's main check).
func Combine(vs ...sdk.Verdict) sdk.Verdict {
	if len(vs) == 0 {
		return sdk.Verdict{Outcome: sdk.CouldNotVerify, Reasons: []string{reasonPluginError}}
	}
	out := sdk.Verdict{Outcome: sdk.Pass, Score: vs[0].Score}
	order := make([]int, len(vs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(severity(vs[a].Outcome), severity(vs[b].Outcome))
	})
	out.Outcome = vs[order[0]].Outcome.Effective()
	for _, i := range order {
		for _, r := range vs[i].Reasons {
			if !slices.Contains(out.Reasons, r) {
				out.Reasons = append(out.Reasons, r)
			}
		}
	}
	for _, v := range vs {
		out.Rules = append(out.Rules, v.Rules...)
		out.Artifacts = append(out.Artifacts, v.Artifacts...)
		out.Duration += v.Duration
	}
	return out
}

// checked normalizes a detector's answer: an error becomes could-not-verify, an unspecified
// outcome becomes could-not-verify.
func checked(v sdk.Verdict, err error) sdk.Verdict {
	if err != nil {
		return sdk.CouldNotVerifyVerdict(reasonPluginError)
	}
	v.Outcome = v.Outcome.Effective()
	return v
}

func (m *Machine) keepMedia(name string, img sdk.Image) {
	m.mu.Lock()
	m.media[name] = img
	m.mu.Unlock()
}

// reference finds a stored image: this process's copy, else the store (if it can read media).
func (m *Machine) reference(ctx context.Context, r Record, name string) (sdk.Image, bool) {
	m.mu.RLock()
	img, ok := m.media[name]
	m.mu.RUnlock()
	if ok && len(img.Data) > 0 {
		return img, true
	}
	if _, stored := r.Media[name]; !stored {
		return sdk.Image{}, false
	}
	mr, ok := m.deps.Store.(MediaReader)
	if !ok {
		return sdk.Image{}, false
	}
	data, format, err := mr.ReadMedia(ctx, r.ID, name)
	if err != nil || len(data) == 0 {
		return sdk.Image{}, false
	}
	img = sdk.Image{Data: data, Format: format}
	m.keepMedia(name, img)
	return img, true
}

// recordCheck counts a capture attempt and moves on: pass, needs-review and could-not-verify
// advance to next (the last two flagged for the operator by their stored verdict); a fail stays
// for a retake until Config.CaptureAttempts fails lock the session.
func (m *Machine) recordCheck(r Record, step, next Step, v sdk.Verdict, challenge sdk.Challenge) Record {
	r.Attempts[step]++
	r.Checks[step] = CheckResult{Step: step, Verdict: withoutImages(v), Attempt: r.Attempts[step], At: m.now(),
		Challenge: slices.Clone(challenge.Numbers), Windows: slices.Clone(challenge.Windows)}
	if v.Outcome.Effective() == sdk.Fail {
		r.Failures[step]++
		if r.Failures[step] >= m.cfg.CaptureAttempts {
			r.Step, r.Outcome = StepLocked, "flow.outcome.locked_"+string(step)
		}
		return r
	}
	r.Step = next
	return r
}

// dressCodeRule is the human dress-code (hijab) check every selfie gets when the brokerage
// asks for it: applied by the flow, so it holds whoever made the face plugin.
const dressCodeRule = "face.dress_code"

// dressCodeReview marks a selfie's verdict for the dress-code review unless the plugin already
// did; a failed verdict stays failed.
func dressCodeReview(v sdk.Verdict) sdk.Verdict {
	for _, r := range v.Rules {
		if r.Name == dressCodeRule {
			return v
		}
	}
	review := sdk.Verdict{Outcome: sdk.NeedsReview, Reasons: []string{"verdict.face.dress_code.review"},
		Rules: []sdk.Rule{{Name: dressCodeRule, Outcome: sdk.NeedsReview, Reason: "verdict.face.dress_code.review"}}}
	out := Combine(v, review)
	out.Provenance, out.Match, out.Score = v.Provenance, v.Match, v.Score
	return out
}

// withCamera adds the camera's own check (Deps.Camera) to a capture's verdict: its rules are
// recorded with the capture's, and a camera that is not clearly a sensor the kiosk allows makes
// the verdict needs-review at least, never a silent pass.
func (m *Machine) withCamera(ctx context.Context, v sdk.Verdict) sdk.Verdict {
	if m.deps.Camera == nil {
		return v
	}
	out := Combine(v, m.deps.Camera.CheckCamera(ctx))
	out.Provenance, out.Match, out.Score = v.Provenance, v.Match, v.Score
	return out
}

func emptyImage(img sdk.Image) error {
	if len(img.Data) == 0 {
		return &Error{Key: "flow.capture.empty"}
	}
	return nil
}

// submitSelfie runs the selfie checks and the match against the registry photo (judged by the
// face policy), stores the photo and the combined verdict.
func (m *Machine) submitSelfie(ctx context.Context, img sdk.Image) error {
	m.op.Lock()
	defer m.op.Unlock()
	r, err := m.current(StepSelfie)
	if err != nil {
		return err
	}
	if err := emptyImage(img); err != nil {
		return err
	}
	quality := checked(m.deps.Detectors.CheckSelfie(ctx, sdk.SelfieRequest{Image: img, Guide: m.cfg.SelfieGuide,
		DressCodeReview: m.cfg.DressCodeReview}))
	v := quality
	if quality.Outcome != sdk.Fail {
		match := sdk.CouldNotVerifyVerdict(reasonNoReference)
		if ref, ok := m.reference(ctx, r, "registry.photo"); ok {
			match = m.deferRegistryMatch(m.cfg.FacePolicy.Apply(checked(m.deps.Detectors.MatchFaces(ctx, sdk.MatchRequest{Probe: img, Reference: ref}))))
		}
		v = Combine(quality, match)
	}
	if m.cfg.DressCodeReview {
		v = dressCodeReview(v)
	}
	v = m.withCamera(ctx, v)
	sum, err := m.deps.Store.PutMedia(ctx, r.ID, "selfie", img.Format, img.Data)
	if err != nil {
		return fmt.Errorf("flow: store selfie: %w", err)
	}
	r.Media["selfie"] = sum
	m.keepMedia("selfie", img)
	r = m.recordCheck(r, StepSelfie, StepSignature, v, sdk.Challenge{})
	if err := m.commit(ctx, StepSelfie, r, "selfie.checked", v.Outcome.String()); err != nil {
		return err
	}
	return nil
}

// submitSignature runs the signature checks and stores the photo and, if the plugin made one,
// the cleaned signature ("signature.clean"). Entering the video step issues a fresh challenge.
func (m *Machine) submitSignature(ctx context.Context, img sdk.Image) error {
	m.op.Lock()
	defer m.op.Unlock()
	r, err := m.current(StepSignature)
	if err != nil {
		return err
	}
	if err := emptyImage(img); err != nil {
		return err
	}
	v := checked(m.deps.Detectors.CheckSignature(ctx, sdk.SignatureRequest{Image: img, Guide: m.cfg.SignatureGuide}))
	sum, err := m.deps.Store.PutMedia(ctx, r.ID, "signature", img.Format, img.Data)
	if err != nil {
		return fmt.Errorf("flow: store signature: %w", err)
	}
	r.Media["signature"] = sum
	for _, a := range v.Artifacts {
		if a.Name == "signature.clean" && len(a.Image.Data) > 0 {
			sum, err := m.deps.Store.PutMedia(ctx, r.ID, "signature.clean", a.Image.Format, a.Image.Data)
			if err != nil {
				return fmt.Errorf("flow: store clean signature: %w", err)
			}
			r.Media["signature.clean"] = sum
			break
		}
	}
	r = m.recordCheck(r, StepSignature, StepVideo, v, sdk.Challenge{})
	if r.Step == StepVideo {
		c, err := m.newChallenge()
		if err != nil {
			return err
		}
		r.setChallenge(c)
	}
	if err := m.commit(ctx, StepSignature, r, "signature.checked", v.Outcome.String()); err != nil {
		return err
	}
	return nil
}

// submitVideo checks liveness against the issued challenge, matches the video's face with the
// stored selfie and stores the video. Every attempt uses up the challenge: a retake gets a new one.
func (m *Machine) submitVideo(ctx context.Context, frames []sdk.Frame) error {
	m.op.Lock()
	defer m.op.Unlock()
	r, err := m.current(StepVideo)
	if err != nil {
		return err
	}
	if len(frames) == 0 {
		return &Error{Key: "flow.video.no_frames"}
	}
	challenge := r.challenge()
	if len(challenge.Numbers) == 0 {
		return fmt.Errorf("flow: video step without a challenge")
	}
	live := checked(m.deps.Detectors.CheckLiveness(ctx, sdk.LivenessRequest{Frames: frames,
		Challenge: challenge, Guide: m.cfg.VideoGuide}))
	committed := false
	defer func() {
		if !committed {
			m.burnChallenge()
		}
	}()
	v := live
	if live.Outcome != sdk.Fail {
		parts := append([]sdk.Verdict{live}, m.matchVideo(ctx, r, frames, live)...)
		if reg, ok := m.registryAtVideo(ctx, r, frames, live); ok {
			parts = append(parts, reg)
		}
		v = Combine(parts...)
	}
	v = m.withCamera(ctx, v)
	sum, err := m.deps.Store.PutMedia(ctx, r.ID, "video", VideoFormat, EncodeVideo(frames))
	if err != nil {
		return fmt.Errorf("flow: store video: %w", err)
	}
	r.Media["video"] = sum
	r = m.recordCheck(r, StepVideo, StepReview, v, challenge)
	r.setChallenge(sdk.Challenge{})
	if r.Step == StepVideo {
		c, err := m.newChallenge()
		if err != nil {
			return err
		}
		r.setChallenge(c)
	}
	if err := m.commit(ctx, StepVideo, r, "video.checked", v.Outcome.String()+" challenge="+joinInts(challenge.Numbers)+windowsDetail(challenge.Windows)); err != nil {
		return err
	}
	committed = true
	return nil
}

// burnChallenge replaces the current challenge in memory after an attempt that could not be
// committed (the plugin has seen it; it must not be shown again). Resume always issues a new
// one, so a restart cannot bring the burnt challenge back from the store either.
func (m *Machine) burnChallenge() {
	c, err := m.newChallenge()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rec.Step != StepVideo {
		return
	}
	if err != nil {
		c = sdk.Challenge{} // no challenge: the next attempt fails loudly instead of reusing this one
	}
	m.rec.setChallenge(c)
}

// matchVideo matches the liveness plugin's keyframes (or, without them, frames sampled evenly
// across the recording) against the stored selfie, each judged by the face policy.
func (m *Machine) matchVideo(ctx context.Context, r Record, frames []sdk.Frame, live sdk.Verdict) []sdk.Verdict {
	ref, ok := m.reference(ctx, r, "selfie")
	if !ok {
		return []sdk.Verdict{sdk.CouldNotVerifyVerdict(reasonNoReference)}
	}
	probes := m.videoProbes(frames, live)
	if len(probes) == 0 {
		return []sdk.Verdict{sdk.CouldNotVerifyVerdict(reasonNoProbe)}
	}
	out := make([]sdk.Verdict, 0, len(probes))
	for _, p := range probes {
		out = append(out, m.cfg.FacePolicy.Apply(checked(m.deps.Detectors.MatchFaces(ctx, sdk.MatchRequest{Probe: p, Reference: ref}))))
	}
	return out
}

// videoProbes are the video's pictures of the applicant to match: the liveness plugin's
// keyframes, or, without them, frames sampled evenly across the recording; at most
// Config.MatchFrames.
func (m *Machine) videoProbes(frames []sdk.Frame, live sdk.Verdict) []sdk.Image {
	var probes []sdk.Image
	for _, a := range live.Artifacts {
		if a.Name == "liveness.keyframe" && len(a.Image.Data) > 0 && len(probes) < m.cfg.MatchFrames {
			probes = append(probes, a.Image)
		}
	}
	if len(probes) == 0 {
		for _, f := range sampleFrames(frames, m.cfg.MatchFrames) {
			probes = append(probes, f.Image)
		}
	}
	return probes
}

// sampleFrames picks n frames with images, spread evenly from the first to the last.
func sampleFrames(frames []sdk.Frame, n int) []sdk.Frame {
	var usable []sdk.Frame
	for _, f := range frames {
		if len(f.Image.Data) > 0 {
			usable = append(usable, f)
		}
	}
	if n <= 0 || len(usable) == 0 {
		return nil
	}
	if len(usable) <= n {
		return usable
	}
	out := make([]sdk.Frame, 0, n)
	for i := range n {
		// Centres of n equal slices: never the very first frame (the person may still be moving
		// into place) nor only the last.
		out = append(out, usable[(2*i+1)*len(usable)/(2*n)])
	}
	return out
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, "-")
}
