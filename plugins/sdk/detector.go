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
	// Fingers is the number of raised fingers seen in this frame (PurposeVideo, from a plugin
	// that counts fingers): the kiosk shows it beside the number asked for. The zero value is
	// "not known" (no hand, no trustworthy count, or a plugin that does not count), distinct
	// from a fist (KnownFingers(0)). Added to protocol v1 (FrameAnalysis.finger_count).
	Fingers FingerCount
}

// FingerCount is a live finger count that may be unknown.
type FingerCount struct {
	N     int  // 0..5 when Known
	Known bool // false: no count (the zero value)
}

// MaxFingers is the largest count one hand can show.
const MaxFingers = 5

// KnownFingers is a count of n fingers.
func KnownFingers(n int) FingerCount { return FingerCount{N: n, Known: true} }

// Valid reports whether the count is unknown or within 0..MaxFingers. A host refuses an
// answer with an invalid count as hostile input.
func (c FingerCount) Valid() bool { return !c.Known || (c.N >= 0 && c.N <= MaxFingers) }

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
	// Windows, when set, holds one display window per number (same order, same clock as the
	// frames' TimestampMS): number i was asked for during Windows[i] only, and must be shown
	// within it and not before it appeared. Empty: the numbers were shown one after another
	// without a timing the plugin can check (protocol v1 before windows; behave as before).
	Windows []Window
}

// Window is when one challenge number was on screen, in ms on the frames' TimestampMS clock (from the recording's start):
// [StartMS, EndMS).
type Window struct {
	StartMS, EndMS int64
}

// MaxChallengeNumbers bounds a challenge's length.
const MaxChallengeNumbers = 8

// MaxChallengeMS bounds a window's end (a recording is well under a minute).
const MaxChallengeMS = 60_000

// ValidWindows reports whether ws fits numbers: empty, or one window per number, each
// non-empty, in order without overlap, within 0..MaxChallengeMS.
func (c Challenge) ValidWindows() bool {
	if len(c.Windows) == 0 {
		return true
	}
	if len(c.Windows) != len(c.Numbers) {
		return false
	}
	var prev int64
	for _, w := range c.Windows {
		if w.StartMS < prev || w.EndMS <= w.StartMS || w.EndMS > MaxChallengeMS {
			return false
		}
		prev = w.EndMS
	}
	return true
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
