package conformance

import (
	"bytes"
	"context"
	"image"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// counter is a liveness plugin whose AnalyzeFrame answers onHand for any frame but the blank one
// and onBlank for that.
type counter struct {
	onHand, onBlank sdk.FingerCount
}

// blankFrame is the kit's frame without a hand, encoded once: the suite calls AnalyzeFrame dozens
// of times, and drawing and encoding two 640×480 JPEGs per call made this test the package's
// slowest under the race detector.
var blankFrame = BlankLike(SyntheticJPEG(640, 480)).Data

func (counter) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: "counter", Version: "1", ProtocolVersion: sdk.ProtocolVersion,
		Kinds: []sdk.Kind{sdk.KindLiveness}, Capabilities: []string{"AnalyzeFrame"}}, nil
}

func (c counter) AnalyzeFrame(_ context.Context, r sdk.FrameRequest) (sdk.FrameAnalysis, error) {
	if bytes.Equal(r.Image.Data, blankFrame) {
		return sdk.FrameAnalysis{Fingers: c.onBlank}, nil
	}
	return sdk.FrameAnalysis{Fingers: c.onHand}, nil
}

// The kit's finger-count rules pass a plugin that counts a hand and says "not known" without
// one, and catch each way of getting it wrong.
func TestFingerCountRules(t *testing.T) {
	fr, ok := kioskHandFrame(image.NewRGBA(image.Rect(0, 0, 100, 100)))
	if !ok || fr.Width != 640 || fr.Height != 480 {
		t.Fatalf("hand frame %dx%d ok %v", fr.Width, fr.Height, ok)
	}
	hands := []handPhoto{{name: "a", n: 3, frame: fr}, {name: "b", n: 3, frame: fr}}
	unknown := sdk.FingerCount{}
	for _, c := range []struct {
		name   string
		p      counter
		hands  []handPhoto
		failed []string
	}{
		{"counts", counter{onHand: sdk.KnownFingers(3), onBlank: unknown}, hands, nil},
		{"guesses a fist without a hand", counter{onHand: sdk.KnownFingers(3), onBlank: sdk.KnownFingers(0)}, hands, []string{"AnalyzeFrame.finger_count.no_hand"}},
		{"never counts", counter{onHand: unknown, onBlank: unknown}, hands, []string{"AnalyzeFrame.finger_count.hand"}},
		{"counts wrong", counter{onHand: sdk.KnownFingers(1), onBlank: unknown}, hands, []string{"AnalyzeFrame.finger_count.hand"}},
		{"no photos: could not verify", counter{onHand: unknown, onBlank: unknown}, nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			failed := map[string]bool{}
			checkFingerCount(context.Background(), Wrap(c.p), c.hands, func(rule string, ok bool, _ string, _ ...any) {
				if !ok {
					failed[rule] = true
				}
			})
			if len(failed) != len(c.failed) {
				t.Fatalf("failed %v, want %v", failed, c.failed)
			}
			for _, r := range c.failed {
				if !failed[r] {
					t.Fatalf("failed %v, want %v", failed, c.failed)
				}
			}
		})
	}
	// A count one hand cannot show fails the range rule of the whole suite.
	rep := Check(context.Background(), Wrap(counter{onHand: sdk.KnownFingers(7), onBlank: sdk.KnownFingers(9)}))
	for _, r := range rep.Results {
		if r.Rule == "AnalyzeFrame.finger_count.range" && r.OK {
			t.Fatalf("counts 7 and 9 passed the range rule: %s", r.Detail)
		}
	}
}
