package transport

import (
	"context"
	"errors"
	"slices"
	"testing"

	"google.golang.org/grpc"

	"github.com/ehraz/ehraz/plugins/sdk"
	pb "github.com/ehraz/ehraz/plugins/sdk/transport/internal/detectorv1"
)

// The live finger count crosses the wire with "not known" kept apart from a fist.
func TestFingerCountRoundTrip(t *testing.T) {
	for _, c := range []struct {
		name string
		in   sdk.FingerCount
	}{
		{"unknown", sdk.FingerCount{}},
		{"fist", sdk.KnownFingers(0)},
		{"three", sdk.KnownFingers(3)},
		{"five", sdk.KnownFingers(5)},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := frameAnalysisFromPB(frameAnalysisToPB(sdk.FrameAnalysis{Fingers: c.in})).Fingers
			if got != c.in {
				t.Fatalf("sent %+v, got %+v", c.in, got)
			}
		})
	}
	// an answer from a plugin built before the field (no finger_count) is "not known", not 0
	if got := frameAnalysisFromPB(&pb.FrameAnalysis{Ready: true}).Fingers; got.Known {
		t.Fatalf("absent count arrived as %+v", got)
	}
}

// Challenge windows cross the wire in order; a challenge without them stays without.
func TestChallengeWindowsRoundTrip(t *testing.T) {
	ws := []sdk.Window{{StartMS: 400, EndMS: 1900}, {StartMS: 2300, EndMS: 3800}, {StartMS: 4100, EndMS: 5600}}
	lr := livenessFromPB(livenessToPB(sdk.LivenessRequest{Challenge: sdk.Challenge{Numbers: []int{3, 1, 4}, Windows: ws}}))
	if !slices.Equal(lr.Challenge.Windows, ws) {
		t.Fatalf("windows %+v", lr.Challenge.Windows)
	}
	if lr := livenessFromPB(livenessToPB(sdk.LivenessRequest{Challenge: sdk.Challenge{Numbers: []int{3, 1}}})); lr.Challenge.Windows != nil {
		t.Fatalf("a challenge without windows arrived with %+v", lr.Challenge.Windows)
	}
}

// answerClient answers AnalyzeFrame with a fixed message.
type answerClient struct {
	pb.DetectorClient
	a *pb.FrameAnalysis
}

func (c answerClient) AnalyzeFrame(context.Context, *pb.FrameRequest, ...grpc.CallOption) (*pb.FrameAnalysis, error) {
	return c.a, nil
}

// The host refuses a finger count one hand cannot show as hostile input; valid ones pass.
func TestRemoteRefusesFingerCountOutOfRange(t *testing.T) {
	n := func(v int32) *int32 { return &v }
	for _, c := range []struct {
		name  string
		count *int32
		ok    bool
	}{
		{"absent", nil, true},
		{"zero", n(0), true},
		{"five", n(5), true},
		{"six", n(6), false},
		{"negative", n(-1), false},
		{"huge", n(1 << 30), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &Remote{c: answerClient{a: &pb.FrameAnalysis{FingerCount: c.count}}}
			a, err := r.AnalyzeFrame(context.Background(), sdk.FrameRequest{Purpose: sdk.PurposeVideo})
			if c.ok != (err == nil) {
				t.Fatalf("count %v: err %v", c.count, err)
			}
			if !c.ok && (!errors.Is(err, ErrInvalidAnswer) || a.Fingers.Known) {
				t.Fatalf("refusal %v, analysis %+v", err, a)
			}
		})
	}
}
