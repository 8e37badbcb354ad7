package transport

import (
	"time"

	"github.com/ehraz/ehraz/plugins/sdk"
	pb "github.com/ehraz/ehraz/plugins/sdk/transport/internal/detectorv1"
)

// Translation between the generated protocol v1 messages and the Go-native types. Unknown
// outcomes coming off the wire stay as they are here; consumers apply Outcome.Effective.

func outcomeToPB(o sdk.Outcome) pb.Outcome {
	switch o {
	case sdk.Pass:
		return pb.Outcome_OUTCOME_PASS
	case sdk.Fail:
		return pb.Outcome_OUTCOME_FAIL
	case sdk.NeedsReview:
		return pb.Outcome_OUTCOME_NEEDS_REVIEW
	case sdk.CouldNotVerify:
		return pb.Outcome_OUTCOME_COULD_NOT_VERIFY
	default:
		return pb.Outcome_OUTCOME_UNSPECIFIED
	}
}

func outcomeFromPB(o pb.Outcome) sdk.Outcome {
	switch o {
	case pb.Outcome_OUTCOME_PASS:
		return sdk.Pass
	case pb.Outcome_OUTCOME_FAIL:
		return sdk.Fail
	case pb.Outcome_OUTCOME_NEEDS_REVIEW:
		return sdk.NeedsReview
	case pb.Outcome_OUTCOME_COULD_NOT_VERIFY:
		return sdk.CouldNotVerify
	default:
		return sdk.OutcomeUnspecified
	}
}

func imageToPB(i sdk.Image) *pb.Image {
	return &pb.Image{Data: i.Data, Format: i.Format, Width: int32(i.Width), Height: int32(i.Height)}
}

func imageFromPB(i *pb.Image) sdk.Image {
	if i == nil {
		return sdk.Image{}
	}
	return sdk.Image{Data: i.GetData(), Format: i.GetFormat(), Width: int(i.GetWidth()), Height: int(i.GetHeight())}
}

func rectToPB(r sdk.Rect) *pb.Rect { return &pb.Rect{X: r.X, Y: r.Y, W: r.W, H: r.H} }

func rectFromPB(r *pb.Rect) sdk.Rect {
	if r == nil {
		return sdk.Rect{}
	}
	return sdk.Rect{X: r.GetX(), Y: r.GetY(), W: r.GetW(), H: r.GetH()}
}

func infoToPB(i sdk.Info) *pb.InfoResponse {
	kinds := make([]string, len(i.Kinds))
	for n, k := range i.Kinds {
		kinds[n] = string(k)
	}
	return &pb.InfoResponse{Name: i.Name, Vendor: i.Vendor, Version: i.Version,
		ProtocolVersion: int32(i.ProtocolVersion), Kinds: kinds, Capabilities: i.Capabilities}
}

func infoFromPB(i *pb.InfoResponse) sdk.Info {
	kinds := make([]sdk.Kind, len(i.GetKinds()))
	for n, k := range i.GetKinds() {
		kinds[n] = sdk.Kind(k)
	}
	return sdk.Info{Name: i.GetName(), Vendor: i.GetVendor(), Version: i.GetVersion(),
		ProtocolVersion: int(i.GetProtocolVersion()), Kinds: kinds, Capabilities: i.GetCapabilities()}
}

func verdictToPB(v sdk.Verdict) *pb.Verdict {
	out := &pb.Verdict{Outcome: outcomeToPB(v.Outcome), Reasons: v.Reasons, Score: v.Score,
		DurationNs: int64(v.Duration)}
	for _, r := range v.Rules {
		out.Rules = append(out.Rules, &pb.Rule{Name: r.Name, Outcome: outcomeToPB(r.Outcome),
			Reason: r.Reason, Value: r.Value, Threshold: r.Threshold, Unit: r.Unit})
	}
	for _, a := range v.Artifacts {
		out.Artifacts = append(out.Artifacts, &pb.Artifact{Name: a.Name, Image: imageToPB(a.Image),
			TimestampMs: a.TimestampMS})
	}
	if m := v.Match; m != nil {
		out.Match = &pb.MatchScore{Distance: m.Distance, EstimatedFmr: m.EstimatedFMR, Calibration: m.Calibration}
	}
	return out
}

func verdictFromPB(v *pb.Verdict) sdk.Verdict {
	out := sdk.Verdict{Outcome: outcomeFromPB(v.GetOutcome()), Reasons: v.GetReasons(), Score: v.GetScore(),
		Duration: time.Duration(v.GetDurationNs())}
	for _, r := range v.GetRules() {
		out.Rules = append(out.Rules, sdk.Rule{Name: r.GetName(), Outcome: outcomeFromPB(r.GetOutcome()),
			Reason: r.GetReason(), Value: r.GetValue(), Threshold: r.GetThreshold(), Unit: r.GetUnit()})
	}
	for _, a := range v.GetArtifacts() {
		out.Artifacts = append(out.Artifacts, sdk.Artifact{Name: a.GetName(), Image: imageFromPB(a.GetImage()),
			TimestampMS: a.GetTimestampMs()})
	}
	if m := v.GetMatch(); m != nil {
		out.Match = &sdk.MatchScore{Distance: m.GetDistance(), EstimatedFMR: m.GetEstimatedFmr(), Calibration: m.GetCalibration()}
	}
	return out
}

func frameRequestToPB(r sdk.FrameRequest) *pb.FrameRequest {
	return &pb.FrameRequest{Image: imageToPB(r.Image), Purpose: string(r.Purpose), Guide: rectToPB(r.Guide)}
}

func frameRequestFromPB(r *pb.FrameRequest) sdk.FrameRequest {
	return sdk.FrameRequest{Image: imageFromPB(r.GetImage()), Purpose: sdk.Purpose(r.GetPurpose()), Guide: rectFromPB(r.GetGuide())}
}

func frameAnalysisToPB(a sdk.FrameAnalysis) *pb.FrameAnalysis {
	out := &pb.FrameAnalysis{Ready: a.Ready, Measures: a.Measures}
	for _, h := range a.Hints {
		out.Hints = append(out.Hints, &pb.Hint{Key: h.Key, Severity: int32(h.Severity)})
	}
	for _, b := range a.Boxes {
		out.Boxes = append(out.Boxes, rectToPB(b))
	}
	if a.Fingers.Known {
		n := int32(a.Fingers.N)
		out.FingerCount = &n
	}
	return out
}

func frameAnalysisFromPB(a *pb.FrameAnalysis) sdk.FrameAnalysis {
	out := sdk.FrameAnalysis{Ready: a.GetReady(), Measures: a.GetMeasures()}
	for _, h := range a.GetHints() {
		out.Hints = append(out.Hints, sdk.Hint{Key: h.GetKey(), Severity: int(h.GetSeverity())})
	}
	for _, b := range a.GetBoxes() {
		out.Boxes = append(out.Boxes, rectFromPB(b))
	}
	if a.FingerCount != nil {
		out.Fingers = sdk.KnownFingers(int(a.GetFingerCount()))
	}
	return out
}

func selfieToPB(r sdk.SelfieRequest) *pb.SelfieRequest {
	return &pb.SelfieRequest{Image: imageToPB(r.Image), Guide: rectToPB(r.Guide), DressCodeReview: r.DressCodeReview}
}

func selfieFromPB(r *pb.SelfieRequest) sdk.SelfieRequest {
	return sdk.SelfieRequest{Image: imageFromPB(r.GetImage()), Guide: rectFromPB(r.GetGuide()), DressCodeReview: r.GetDressCodeReview()}
}

func matchToPB(r sdk.MatchRequest) *pb.MatchRequest {
	return &pb.MatchRequest{Probe: imageToPB(r.Probe), Reference: imageToPB(r.Reference)}
}

func matchFromPB(r *pb.MatchRequest) sdk.MatchRequest {
	return sdk.MatchRequest{Probe: imageFromPB(r.GetProbe()), Reference: imageFromPB(r.GetReference())}
}

func signatureToPB(r sdk.SignatureRequest) *pb.SignatureRequest {
	return &pb.SignatureRequest{Image: imageToPB(r.Image), Guide: rectToPB(r.Guide)}
}

func signatureFromPB(r *pb.SignatureRequest) sdk.SignatureRequest {
	return sdk.SignatureRequest{Image: imageFromPB(r.GetImage()), Guide: rectFromPB(r.GetGuide())}
}

func livenessToPB(r sdk.LivenessRequest) *pb.LivenessRequest {
	out := &pb.LivenessRequest{Guide: rectToPB(r.Guide),
		Challenge: &pb.Challenge{ShownAtMs: r.Challenge.ShownAtMS}}
	for _, n := range r.Challenge.Numbers {
		out.Challenge.Numbers = append(out.Challenge.Numbers, int32(n))
	}
	for _, w := range r.Challenge.Windows {
		out.Challenge.Windows = append(out.Challenge.Windows, &pb.Window{StartMs: w.StartMS, EndMs: w.EndMS})
	}
	for _, f := range r.Frames {
		out.Frames = append(out.Frames, &pb.Frame{Image: imageToPB(f.Image), TimestampMs: f.TimestampMS})
	}
	return out
}

func livenessFromPB(r *pb.LivenessRequest) sdk.LivenessRequest {
	out := sdk.LivenessRequest{Guide: rectFromPB(r.GetGuide()),
		Challenge: sdk.Challenge{ShownAtMS: r.GetChallenge().GetShownAtMs()}}
	for _, n := range r.GetChallenge().GetNumbers() {
		out.Challenge.Numbers = append(out.Challenge.Numbers, int(n))
	}
	for _, w := range r.GetChallenge().GetWindows() {
		out.Challenge.Windows = append(out.Challenge.Windows, sdk.Window{StartMS: w.GetStartMs(), EndMS: w.GetEndMs()})
	}
	for _, f := range r.GetFrames() {
		out.Frames = append(out.Frames, sdk.Frame{Image: imageFromPB(f.GetImage()), TimestampMS: f.GetTimestampMs()})
	}
	return out
}
