package sdk

import "errors"

// MaxMessageBytes bounds one request or answer between kiosk and plugin, each way. A liveness
// request carries ~120 JPEG frames (~10 MB); the transport raises gRPC's 4 MB default to this,
// refuses a larger request before sending it (ReasonTooLarge), and a detector may use it to bound
// what it decodes.
const MaxMessageBytes = 64 << 20

// Reason keys of verdicts the SDK itself gives (locales: verdict.plugin.*).
const (
	// ReasonUnimplemented answers a check the plugin does not implement.
	ReasonUnimplemented = "verdict.plugin.unimplemented"
	// ReasonTooLarge answers a request over MaxMessageBytes, which is never sent.
	ReasonTooLarge = "verdict.plugin.too_large"
)

// ErrUnimplemented is what AnalyzeFrame returns for a plugin that has no FrameAnalyzer (preview
// hints are best effort, so an error rather than a verdict).
var ErrUnimplemented = errors.New("plugin does not implement this method")
