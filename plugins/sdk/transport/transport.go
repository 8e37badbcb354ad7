// Package transport carries the plugin/sdk types between the kiosk and a detector plugin process:
// go-plugin with gRPC and AutoMTLS, protocol v1 (plugins/sdk/proto). A plugin's main calls Serve;
// the host (app/detect) and the conformance kit start a plugin with ClientConfig and talk to it
// through Remote. The generated protobuf code stays internal; nothing outside this package sees
// a wire type.
package transport

import (
	"context"
	"io"
	"os"
	"os/exec"
	"strconv"

	"github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/ehraz/ehraz/plugins/sdk"
	pb "github.com/ehraz/ehraz/plugins/sdk/transport/internal/detectorv1"
)

// PluginName is the key under which the detector service is dispensed by go-plugin.
const PluginName = "detector"

// Handshake is the fixed go-plugin handshake. The magic cookie is a UX feature (a plugin binary
// started by hand prints a friendly message instead of hanging), not a security measure; the
// host pins binaries by SHA-256 instead.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  sdk.ProtocolVersion,
	MagicCookieKey:   "EHRAZ_DETECTOR_PLUGIN",
	MagicCookieValue: "7d1c3f0e-ehraz-detector",
}

// VersionedPlugins maps each protocol version to its go-plugin set, so a v2 can live beside v1.
// impl is nil on the host side.
func VersionedPlugins(impl sdk.Plugin) map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{
		1: {PluginName: &grpcPlugin{impl: impl}},
	}
}

// ServerOptions raises the gRPC message limits on the plugin side to sdk.MaxMessageBytes.
func ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{grpc.MaxRecvMsgSize(sdk.MaxMessageBytes), grpc.MaxSendMsgSize(sdk.MaxMessageBytes)}
}

// DialOptions raises the gRPC message limits on the host side to sdk.MaxMessageBytes.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{grpc.WithDefaultCallOptions(
		grpc.MaxCallRecvMsgSize(sdk.MaxMessageBytes), grpc.MaxCallSendMsgSize(sdk.MaxMessageBytes))}
}

// ClientConfig is the host side's go-plugin configuration for the plugin process cmd: the
// handshake, protocol v1 over gRPC only, AutoMTLS and the raised message limits. Callers add
// what is theirs (SecureConfig, StartTimeout) before plugin.NewClient. logger nil discards the
// plugin's logs.
func ClientConfig(cmd *exec.Cmd, logger hclog.Logger) *plugin.ClientConfig {
	if logger == nil {
		logger = hclog.New(&hclog.LoggerOptions{Name: "plugin", Output: io.Discard})
	}
	if cmd != nil {
		// The plugin watches its host (Serve): tell it who that is.
		cmd.Env = append(cmd.Env, HostPIDEnv+"="+strconv.Itoa(os.Getpid()))
	}
	return &plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: VersionedPlugins(nil),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		GRPCDialOptions:  DialOptions(),
		Logger:           logger,
	}
}

type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	impl sdk.Plugin
}

func (p *grpcPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterDetectorServer(s, &server{impl: p.impl})
	return nil
}

func (p *grpcPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (interface{}, error) {
	return &Remote{c: pb.NewDetectorClient(c)}, nil
}
