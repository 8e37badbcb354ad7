package sdk

import (
	"context"
	"errors"
	"os"

	"github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	pb "github.com/ehraz/ehraz/plugins/sdk/internal/detectorv1"
)

// PluginName is the key under which the detector service is dispensed by go-plugin.
const PluginName = "detector"

// MaxMessageBytes bounds one gRPC message each way. A liveness request carries ~120 JPEG frames
// (~10 MB), far above gRPC's 4 MB default; both sides must raise it.
const MaxMessageBytes = 64 << 20

// ReasonUnimplemented is the reason key of a method the plugin does not implement.
const ReasonUnimplemented = "verdict.plugin.unimplemented"

// Handshake is the fixed go-plugin handshake. The magic cookie is a UX feature (a plugin binary
// started by hand prints a friendly message instead of hanging), not a security measure; the
// host pins binaries by SHA-256 instead.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "EHRAZ_DETECTOR_PLUGIN",
	MagicCookieValue: "7d1c3f0e-ehraz-detector",
}

// VersionedPlugins maps each protocol version to its go-plugin set, so a v2 can live beside v1.
// impl is nil on the host side.
func VersionedPlugins(impl Plugin) map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{
		1: {PluginName: &grpcPlugin{impl: impl}},
	}
}

// ServerOptions raises the gRPC message limits on the plugin side.
func ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{grpc.MaxRecvMsgSize(MaxMessageBytes), grpc.MaxSendMsgSize(MaxMessageBytes)}
}

// DialOptions raises the gRPC message limits on the host side.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{grpc.WithDefaultCallOptions(
		grpc.MaxCallRecvMsgSize(MaxMessageBytes), grpc.MaxCallSendMsgSize(MaxMessageBytes))}
}

// Serve runs impl as a plugin process: it offers exactly the detector interfaces impl
// implements and answers CouldNotVerify (reason verdict.plugin.unimplemented) for the rest. It
// blocks until the host ends the process. Logs go to stderr only; never log identity data.
func Serve(impl Plugin) {
	logger := hclog.New(&hclog.LoggerOptions{Name: "plugin", Output: os.Stderr, JSONFormat: true, Level: hclog.Info})
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: VersionedPlugins(impl),
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return grpc.NewServer(append(opts, ServerOptions()...)...)
		},
		Logger: logger,
	})
}

type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	impl Plugin
}

func (p *grpcPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterDetectorServer(s, &server{impl: p.impl})
	return nil
}

func (p *grpcPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (interface{}, error) {
	return &Remote{c: pb.NewDetectorClient(c)}, nil
}

// server adapts a Go-native impl to the generated gRPC service.
type server struct {
	pb.UnimplementedDetectorServer
	impl Plugin
}

// ErrUnimplemented is returned by AnalyzeFrame when the plugin has no FrameAnalyzer.
var ErrUnimplemented = errors.New("plugin does not implement this method")

func (s *server) Info(ctx context.Context, _ *pb.Empty) (*pb.InfoResponse, error) {
	i, err := s.impl.Info(ctx)
	if err != nil {
		return nil, err
	}
	if i.ProtocolVersion == 0 {
		i.ProtocolVersion = ProtocolVersion
	}
	return infoToPB(i), nil
}

func (s *server) AnalyzeFrame(ctx context.Context, r *pb.FrameRequest) (*pb.FrameAnalysis, error) {
	fa, ok := s.impl.(FrameAnalyzer)
	if !ok {
		return nil, ErrUnimplemented
	}
	a, err := fa.AnalyzeFrame(ctx, frameRequestFromPB(r))
	if err != nil {
		return nil, err
	}
	return frameAnalysisToPB(a), nil
}

func verdictOut(v Verdict, err error) (*pb.Verdict, error) {
	if err != nil {
		return nil, err
	}
	return verdictToPB(v), nil
}

func unimplemented() (*pb.Verdict, error) {
	return verdictToPB(CouldNotVerifyVerdict(ReasonUnimplemented)), nil
}

func (s *server) CheckSelfie(ctx context.Context, r *pb.SelfieRequest) (*pb.Verdict, error) {
	d, ok := s.impl.(FaceDetector)
	if !ok {
		return unimplemented()
	}
	return verdictOut(d.CheckSelfie(ctx, selfieFromPB(r)))
}

func (s *server) MatchFaces(ctx context.Context, r *pb.MatchRequest) (*pb.Verdict, error) {
	d, ok := s.impl.(FaceDetector)
	if !ok {
		return unimplemented()
	}
	return verdictOut(d.MatchFaces(ctx, matchFromPB(r)))
}

func (s *server) CheckSignature(ctx context.Context, r *pb.SignatureRequest) (*pb.Verdict, error) {
	d, ok := s.impl.(SignatureDetector)
	if !ok {
		return unimplemented()
	}
	return verdictOut(d.CheckSignature(ctx, signatureFromPB(r)))
}

func (s *server) CheckLiveness(ctx context.Context, r *pb.LivenessRequest) (*pb.Verdict, error) {
	d, ok := s.impl.(LivenessDetector)
	if !ok {
		return unimplemented()
	}
	return verdictOut(d.CheckLiveness(ctx, livenessFromPB(r)))
}

// Remote is the host's view of one plugin process: it implements Plugin, FrameAnalyzer,
// FaceDetector, SignatureDetector and LivenessDetector over gRPC. Errors are returned as they
// come; the supervising host (app/detect) turns them into CouldNotVerify verdicts.
type Remote struct {
	c pb.DetectorClient
}

func (r *Remote) Info(ctx context.Context) (Info, error) {
	i, err := r.c.Info(ctx, &pb.Empty{})
	if err != nil {
		return Info{}, err
	}
	return infoFromPB(i), nil
}

func (r *Remote) AnalyzeFrame(ctx context.Context, req FrameRequest) (FrameAnalysis, error) {
	a, err := r.c.AnalyzeFrame(ctx, frameRequestToPB(req))
	if err != nil {
		return FrameAnalysis{}, err
	}
	return frameAnalysisFromPB(a), nil
}

func verdictIn(v *pb.Verdict, err error) (Verdict, error) {
	if err != nil {
		return Verdict{}, err
	}
	return verdictFromPB(v), nil
}

func (r *Remote) CheckSelfie(ctx context.Context, req SelfieRequest) (Verdict, error) {
	m := selfieToPB(req)
	if v, ok := tooLarge(m); !ok {
		return v, nil
	}
	return verdictIn(r.c.CheckSelfie(ctx, m))
}

func (r *Remote) MatchFaces(ctx context.Context, req MatchRequest) (Verdict, error) {
	m := matchToPB(req)
	if v, ok := tooLarge(m); !ok {
		return v, nil
	}
	return verdictIn(r.c.MatchFaces(ctx, m))
}

func (r *Remote) CheckSignature(ctx context.Context, req SignatureRequest) (Verdict, error) {
	m := signatureToPB(req)
	if v, ok := tooLarge(m); !ok {
		return v, nil
	}
	return verdictIn(r.c.CheckSignature(ctx, m))
}

func (r *Remote) CheckLiveness(ctx context.Context, req LivenessRequest) (Verdict, error) {
	m := livenessToPB(req)
	if v, ok := tooLarge(m); !ok {
		return v, nil
	}
	return verdictIn(r.c.CheckLiveness(ctx, m))
}

// tooLarge refuses, before anything is sent, a request the protocol cannot carry (over
// MaxMessageBytes, e.g. a video of oversized frames): the answer is could-not-verify with a
// reason and the measured size, not a transport error. ok is false when the request is refused.
func tooLarge(m proto.Message) (v Verdict, ok bool) {
	n := proto.Size(m)
	if n <= MaxMessageBytes {
		return Verdict{}, true
	}
	const reason = "verdict.plugin.too_large"
	return Verdict{Outcome: CouldNotVerify, Reasons: []string{reason}, Rules: []Rule{{
		Name: "request.size", Outcome: CouldNotVerify, Reason: reason, Value: float64(n), Threshold: MaxMessageBytes, Unit: "bytes",
	}}}, false
}
