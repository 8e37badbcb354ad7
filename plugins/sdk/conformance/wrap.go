package conformance

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg" // decode real face fixtures' sizes
	_ "image/png"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// Wrap gives an in-process impl the full method set, answering for missing interfaces exactly
// as transport.Serve does (could-not-verify with verdict.plugin.unimplemented; AnalyzeFrame an error).
func Wrap(p sdk.Plugin) Detector { return wrapped{p} }

type wrapped struct{ p sdk.Plugin }

func (w wrapped) Info(ctx context.Context) (sdk.Info, error) {
	i, err := w.p.Info(ctx)
	if err == nil && i.ProtocolVersion == 0 {
		i.ProtocolVersion = sdk.ProtocolVersion
	}
	return i, err
}

func (w wrapped) AnalyzeFrame(ctx context.Context, r sdk.FrameRequest) (sdk.FrameAnalysis, error) {
	if d, ok := w.p.(sdk.FrameAnalyzer); ok {
		return d.AnalyzeFrame(ctx, r)
	}
	return sdk.FrameAnalysis{}, sdk.ErrUnimplemented
}

func (w wrapped) CheckSelfie(ctx context.Context, r sdk.SelfieRequest) (sdk.Verdict, error) {
	if d, ok := w.p.(sdk.FaceDetector); ok {
		return d.CheckSelfie(ctx, r)
	}
	return sdk.CouldNotVerifyVerdict(sdk.ReasonUnimplemented), nil
}

func (w wrapped) MatchFaces(ctx context.Context, r sdk.MatchRequest) (sdk.Verdict, error) {
	if d, ok := w.p.(sdk.FaceDetector); ok {
		return d.MatchFaces(ctx, r)
	}
	return sdk.CouldNotVerifyVerdict(sdk.ReasonUnimplemented), nil
}

func (w wrapped) CheckSignature(ctx context.Context, r sdk.SignatureRequest) (sdk.Verdict, error) {
	if d, ok := w.p.(sdk.SignatureDetector); ok {
		return d.CheckSignature(ctx, r)
	}
	return sdk.CouldNotVerifyVerdict(sdk.ReasonUnimplemented), nil
}

func (w wrapped) CheckLiveness(ctx context.Context, r sdk.LivenessRequest) (sdk.Verdict, error) {
	if d, ok := w.p.(sdk.LivenessDetector); ok {
		return d.CheckLiveness(ctx, r)
	}
	return sdk.CouldNotVerifyVerdict(sdk.ReasonUnimplemented), nil
}

func decodeSize(b []byte) (sdk.Image, bool) {
	c, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return sdk.Image{}, false
	}
	return sdk.Image{Data: b, Format: format, Width: c.Width, Height: c.Height}, true
}
