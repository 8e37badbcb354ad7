package transport

import (
	"context"
	"os"
	"strconv"
	"time"

	"github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/ehraz/ehraz/plugins/sdk"
	pb "github.com/ehraz/ehraz/plugins/sdk/transport/internal/detectorv1"
)

// Serve runs impl as a plugin process: it offers exactly the detector interfaces impl
// implements and answers CouldNotVerify (reason sdk.ReasonUnimplemented) for the rest. It
// blocks until the host ends the process. Logs go to stderr only; never log identity data.
func Serve(impl sdk.Plugin) {
	logger := hclog.New(&hclog.LoggerOptions{Name: "plugin", Output: os.Stderr, JSONFormat: true, Level: hclog.Info})
	go exitWhenOrphaned(logger, hostPID(), time.Second)
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: VersionedPlugins(impl),
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return grpc.NewServer(append(opts, ServerOptions()...)...)
		},
		Logger: logger,
	})
}

// server adapts a Go-native impl to the generated gRPC service.
type server struct {
	pb.UnimplementedDetectorServer
	impl sdk.Plugin
}

func (s *server) Info(ctx context.Context, _ *pb.Empty) (*pb.InfoResponse, error) {
	i, err := s.impl.Info(ctx)
	if err != nil {
		return nil, err
	}
	if i.ProtocolVersion == 0 {
		i.ProtocolVersion = sdk.ProtocolVersion
	}
	return infoToPB(i), nil
}

func (s *server) AnalyzeFrame(ctx context.Context, r *pb.FrameRequest) (*pb.FrameAnalysis, error) {
	fa, ok := s.impl.(sdk.FrameAnalyzer)
	if !ok {
		return nil, sdk.ErrUnimplemented
	}
	a, err := fa.AnalyzeFrame(ctx, frameRequestFromPB(r))
	if err != nil {
		return nil, err
	}
	return frameAnalysisToPB(a), nil
}

func verdictOut(v sdk.Verdict, err error) (*pb.Verdict, error) {
	if err != nil {
		return nil, err
	}
	return verdictToPB(v), nil
}

func unimplemented() (*pb.Verdict, error) {
	return verdictToPB(sdk.CouldNotVerifyVerdict(sdk.ReasonUnimplemented)), nil
}

func (s *server) CheckSelfie(ctx context.Context, r *pb.SelfieRequest) (*pb.Verdict, error) {
	d, ok := s.impl.(sdk.FaceDetector)
	if !ok {
		return unimplemented()
	}
	return verdictOut(d.CheckSelfie(ctx, selfieFromPB(r)))
}

func (s *server) MatchFaces(ctx context.Context, r *pb.MatchRequest) (*pb.Verdict, error) {
	d, ok := s.impl.(sdk.FaceDetector)
	if !ok {
		return unimplemented()
	}
	return verdictOut(d.MatchFaces(ctx, matchFromPB(r)))
}

func (s *server) CheckSignature(ctx context.Context, r *pb.SignatureRequest) (*pb.Verdict, error) {
	d, ok := s.impl.(sdk.SignatureDetector)
	if !ok {
		return unimplemented()
	}
	return verdictOut(d.CheckSignature(ctx, signatureFromPB(r)))
}

func (s *server) CheckLiveness(ctx context.Context, r *pb.LivenessRequest) (*pb.Verdict, error) {
	d, ok := s.impl.(sdk.LivenessDetector)
	if !ok {
		return unimplemented()
	}
	return verdictOut(d.CheckLiveness(ctx, livenessFromPB(r)))
}

// HostPIDEnv is the variable in which the host gives its plugins its PID (ClientConfig sets it).
const HostPIDEnv = "EHRAZ_PLUGIN_HOST_PID"

// hostPID is the process the plugin watches: its parent, unless its parent is already init
// while the host that started it said otherwise (the host died before the plugin looked).
func hostPID() int {
	ppid := os.Getppid()
	if ppid == 1 {
		if h, err := strconv.Atoi(os.Getenv(HostPIDEnv)); err == nil && h > 1 {
			return h
		}
	}
	return ppid
}

// exitWhenOrphaned ends the plugin once its host is gone: when the process that started it dies,
// the plugin is given to another parent (init or a subreaper) and its parent PID changes. The host
// also asks the kernel to kill its plugins on its death (Linux); this covers the other systems and
// a host that did not. A plugin started by init itself (parent 1) has nothing to watch.
func exitWhenOrphaned(logger hclog.Logger, parent int, every time.Duration) {
	if parent <= 1 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for ; ; <-t.C {
		if os.Getppid() != parent {
			logger.Warn("host process gone: exiting", "parent", parent)
			os.Exit(0)
		}
	}
}
