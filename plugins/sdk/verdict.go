// Package sdk is what a detector plugin and the Ehraz kiosk agree on: the Go-native types of
// protocol v1 (Verdict, Image, Frame, Rule …), the detector interfaces a vendor implements, the
// reason keys and size limits of the protocol. It imports no transport: a detector package is
// built and tested against these types alone, and the kiosk's flow uses them without gRPC.
// Package transport (plugins/sdk/transport) carries them between processes: Serve for a
// plugin's main, the host-side client for the kiosk.
package sdk

import "time"

// ProtocolVersion is the plugin protocol version these types describe.
const ProtocolVersion = 1

// Outcome is a check's verdict. The zero value is never a pass: a verdict that was not set
// explicitly is treated as CouldNotVerify by every consumer.
type Outcome int

const (
	OutcomeUnspecified Outcome = iota
	Pass
	Fail
	NeedsReview
	CouldNotVerify
)

func (o Outcome) String() string {
	switch o {
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	case NeedsReview:
		return "needs-review"
	case CouldNotVerify:
		return "could-not-verify"
	default:
		return "unspecified"
	}
}

// Effective maps an unspecified or unknown outcome to CouldNotVerify, so nothing passes by default.
func (o Outcome) Effective() Outcome {
	switch o {
	case Pass, Fail, NeedsReview, CouldNotVerify:
		return o
	default:
		return CouldNotVerify
	}
}

// Kind is a detector kind a plugin may serve.
type Kind string

const (
	KindFace      Kind = "face"
	KindLiveness  Kind = "liveness"
	KindSignature Kind = "signature"
)

// Info describes a plugin truthfully: who made it and which kinds and methods it implements.
type Info struct {
	Name            string
	Vendor          string
	Version         string
	ProtocolVersion int
	Kinds           []Kind
	// Capabilities names the methods implemented for real, e.g. "AnalyzeFrame", "CheckSelfie",
	// "MatchFaces", "CheckSignature", "CheckLiveness". A declared method that is not listed here
	// must answer CouldNotVerify.
	Capabilities []string
}

// Image is an encoded picture as it travels between kiosk and plugin.
type Image struct {
	Data   []byte // encoded bytes
	Format string // "jpeg" or "png"
	Width  int    // as the sender believes; a plugin decodes and checks
	Height int
}

// Rect is a rectangle in normalized image coordinates (0..1), origin at the top left.
type Rect struct {
	X, Y, W, H float64
}

// Rule is the result of one rule inside a check: one reason key and the measured value behind it.
type Rule struct {
	Name      string  // stable rule id, e.g. "face.count"
	Outcome   Outcome // this rule's own verdict
	Reason    string  // locale key, e.g. "verdict.face.count.none"
	Value     float64 // what was measured
	Threshold float64 // what it was compared with
	Unit      string  // "", "px", "deg", "ratio", "ms" …
}

// Artifact is a by-product a check hands back for the dossier, e.g. the cleaned signature PNG
// or the video frames the host should match against the selfie.
type Artifact struct {
	Name  string // e.g. "signature.clean", "liveness.keyframe"
	Image Image
	// TimestampMS places a video artifact in the recording; zero otherwise.
	TimestampMS int64
}

// Verdict is a check's answer: an outcome, the reasons (locale keys, most important first), every
// rule measured, and artifacts.
type Verdict struct {
	Outcome   Outcome
	Reasons   []string
	Rules     []Rule
	Artifacts []Artifact
	// Score is an optional fused score in 0..1 (e.g. the liveness score); its meaning is per check.
	Score    float64
	Duration time.Duration
	// Provenance names the plugin that answered. The kiosk's plugin host sets it from what it
	// verified (a plugin cannot: the protocol does not carry it); empty for verdicts made
	// without a plugin.
	Provenance Provenance
	// Match is what MatchFaces measured when the faces could be compared (nil otherwise, and from
	// plugins that do not give it): the host decides pass, review or fail from its EstimatedFMR
	// under the brokerage's policy.
	Match *MatchScore
}

// MatchScore is a face comparison's measurement (protocol v1, added later: optional).
type MatchScore struct {
	// Distance is the plugin's own dissimilarity, smaller is more alike; not comparable between
	// plugins.
	Distance float64
	// EstimatedFMR is the plugin's calibrated estimate of the false-match rate at Distance, 0..1.
	// It must never decrease as Distance grows (the conformance kit checks this).
	EstimatedFMR float64
	// Calibration names the table behind the estimate, for the record.
	Calibration string
}

// Provenance is which plugin binary produced a verdict.
type Provenance struct {
	Plugin  string // manifest name
	Version string // as the plugin reported it in Info (bound by a signed manifest's version)
	SHA256  string // hex digest of the binary the host verified and ran
	Signer  string // key id that signed its manifest; "" for an unsigned pin
}

// CouldNotVerifyVerdict is the honest answer of a check that did not run.
func CouldNotVerifyVerdict(reason string) Verdict {
	return Verdict{Outcome: CouldNotVerify, Reasons: []string{reason}}
}
