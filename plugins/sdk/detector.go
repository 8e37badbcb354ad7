package sdk

import "context"

// Purpose tells AnalyzeFrame which capture step the preview belongs to.
type Purpose string

const (
	PurposeSelfie    Purpose = "selfie"
	PurposeSignature Purpose = "signature"
	PurposeVideo     Purpose = "video"
)

// FrameRequest is one preview frame for live guidance.
type FrameRequest struct {
	Image   Image
	Purpose Purpose
	// Guide is the oval (selfie, video) or paper frame (signature) drawn on screen.
	Guide Rect
}

// Hint is one piece of live guidance: a locale key such as "hint.move_closer".
type Hint struct {
	Key      string
	Severity int // 0 info, 1 warning, 2 blocking
}

// FrameAnalysis is the cheap per-frame answer used at preview rate.
type FrameAnalysis struct {
	Hints []Hint
	// Boxes are detected objects (faces, paper) in normalized coordinates.
	Boxes []Rect
	// Ready is true when the frame looks good enough to capture.
	Ready bool
	// Measures are the numbers behind the hints (brightness, sharpness, face size …).
	Measures map[string]float64
}

// SelfieRequest asks for the quality and rule checks on a captured selfie.
type SelfieRequest struct {
	Image Image
	Guide Rect // the oval shown on screen
	// DressCodeReview asks the plugin to mark the verdict NeedsReview for a human dress-code check.
	DressCodeReview bool
}

// MatchRequest compares a probe face with a reference face (selfie vs registry photo, video
// frame vs selfie).
type MatchRequest struct {
	Probe     Image
	Reference Image
}

// SignatureRequest asks for the signature-on-white-paper checks.
type SignatureRequest struct {
	Image Image
	Guide Rect // the paper frame shown on screen
}

// Frame is one video frame with its capture time.
type Frame struct {
	Image       Image
	TimestampMS int64
}

// Challenge is the finger-number sequence shown to the applicant, left to right.
type Challenge struct {
	Numbers []int
	// ShownAtMS is when the numbers appeared, relative to the first frame.
	ShownAtMS int64
}

// LivenessRequest carries the recorded selfie video as frames plus the challenge issued.
type LivenessRequest struct {
	Frames    []Frame
	Challenge Challenge
	Guide     Rect
}

// Plugin is what every plugin implements.
type Plugin interface {
	Info(ctx context.Context) (Info, error)
}

// FrameAnalyzer gives live hints at preview rate.
type FrameAnalyzer interface {
	AnalyzeFrame(ctx context.Context, req FrameRequest) (FrameAnalysis, error)
}

// FaceDetector checks selfies and matches faces.
type FaceDetector interface {
	CheckSelfie(ctx context.Context, req SelfieRequest) (Verdict, error)
	MatchFaces(ctx context.Context, req MatchRequest) (Verdict, error)
}

// SignatureDetector checks a photographed signature.
type SignatureDetector interface {
	CheckSignature(ctx context.Context, req SignatureRequest) (Verdict, error)
}

// LivenessDetector checks the selfie video and the finger challenge.
type LivenessDetector interface {
	CheckLiveness(ctx context.Context, req LivenessRequest) (Verdict, error)
}

// A plugin's main is one line: transport.Serve(impl), where impl implements Plugin and any of
// FrameAnalyzer, FaceDetector, SignatureDetector and LivenessDetector. Serve
// (plugins/sdk/transport) offers exactly the interfaces impl implements and answers
// CouldNotVerify (ReasonUnimplemented) for the rest.
