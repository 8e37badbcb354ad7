package transport

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/ehraz/ehraz/plugins/sdk"
	pb "github.com/ehraz/ehraz/plugins/sdk/transport/internal/detectorv1"
)

// Remote is the host's view of one plugin process: it implements sdk.Plugin, sdk.FrameAnalyzer,
// sdk.FaceDetector, sdk.SignatureDetector and sdk.LivenessDetector over gRPC. Errors are
// returned as they come; the supervising host (app/detect) turns them into CouldNotVerify
// verdicts.
type Remote struct {
	c pb.DetectorClient
}

func (r *Remote) Info(ctx context.Context) (sdk.Info, error) {
	i, err := r.c.Info(ctx, &pb.Empty{})
	if err != nil {
		return sdk.Info{}, err
	}
	return infoFromPB(i), nil
}

func (r *Remote) AnalyzeFrame(ctx context.Context, req sdk.FrameRequest) (sdk.FrameAnalysis, error) {
	a, err := r.c.AnalyzeFrame(ctx, frameRequestToPB(req))
	if err != nil {
		return sdk.FrameAnalysis{}, err
	}
	out := frameAnalysisFromPB(a)
	if !out.Fingers.Valid() {
		// hostile or broken: a count one hand cannot show is refused, not shown
		return sdk.FrameAnalysis{}, fmt.Errorf("%w: finger count %d outside 0..%d", ErrInvalidAnswer, a.GetFingerCount(), sdk.MaxFingers)
	}
	return out, nil
}

// ErrInvalidAnswer wraps a plugin answer the host refuses as hostile input (a value outside
// what the protocol allows).
var ErrInvalidAnswer = errors.New("invalid plugin answer")

func verdictIn(v *pb.Verdict, err error) (sdk.Verdict, error) {
	if err != nil {
		return sdk.Verdict{}, err
	}
	return verdictFromPB(v), nil
}

func (r *Remote) CheckSelfie(ctx context.Context, req sdk.SelfieRequest) (sdk.Verdict, error) {
	m := selfieToPB(req)
	if v, ok := tooLarge(m); !ok {
		return v, nil
	}
	return verdictIn(r.c.CheckSelfie(ctx, m))
}

func (r *Remote) MatchFaces(ctx context.Context, req sdk.MatchRequest) (sdk.Verdict, error) {
	m := matchToPB(req)
	if v, ok := tooLarge(m); !ok {
		return v, nil
	}
	return verdictIn(r.c.MatchFaces(ctx, m))
}

func (r *Remote) CheckSignature(ctx context.Context, req sdk.SignatureRequest) (sdk.Verdict, error) {
	m := signatureToPB(req)
	if v, ok := tooLarge(m); !ok {
		return v, nil
	}
	return verdictIn(r.c.CheckSignature(ctx, m))
}

func (r *Remote) CheckLiveness(ctx context.Context, req sdk.LivenessRequest) (sdk.Verdict, error) {
	m := livenessToPB(req)
	if v, ok := tooLarge(m); !ok {
		return v, nil
	}
	return verdictIn(r.c.CheckLiveness(ctx, m))
}

// tooLarge refuses, before anything is sent, a request the protocol cannot carry (over
// sdk.MaxMessageBytes, e.g. a video of oversized frames): the answer is could-not-verify with a
// reason and the measured size, not a transport error. ok is false when the request is refused.
func tooLarge(m proto.Message) (v sdk.Verdict, ok bool) {
	n := proto.Size(m)
	if n <= sdk.MaxMessageBytes {
		return sdk.Verdict{}, true
	}
	return sdk.Verdict{Outcome: sdk.CouldNotVerify, Reasons: []string{sdk.ReasonTooLarge}, Rules: []sdk.Rule{{
		Name: "request.size", Outcome: sdk.CouldNotVerify, Reason: sdk.ReasonTooLarge, Value: float64(n), Threshold: sdk.MaxMessageBytes, Unit: "bytes",
	}}}, false
}
