package transport

import (
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// A request over MaxMessageBytes is refused before sending, as could-not-verify with a reason and
// the measured size; one within the limit goes out.
func TestTooLargeRequestsAreCouldNotVerify(t *testing.T) {
	huge := sdk.Image{Data: make([]byte, 20<<20), Format: "jpeg", Width: 12000, Height: 12000}
	frames := make([]sdk.Frame, 30)
	for i := range frames {
		frames[i] = sdk.Frame{Image: huge, TimestampMS: int64(i * 33)}
	}
	v, ok := tooLarge(livenessToPB(sdk.LivenessRequest{Frames: frames, Challenge: sdk.Challenge{Numbers: []int{3, 1, 4}}}))
	if ok || v.Outcome != sdk.CouldNotVerify || len(v.Reasons) != 1 || v.Reasons[0] != "verdict.plugin.too_large" {
		t.Fatalf("600 MB video: ok %v, verdict %+v", ok, v)
	}
	if len(v.Rules) != 1 || v.Rules[0].Value <= sdk.MaxMessageBytes || v.Rules[0].Threshold != sdk.MaxMessageBytes {
		t.Errorf("size rule %+v", v.Rules)
	}
	if _, ok := tooLarge(livenessToPB(sdk.LivenessRequest{Frames: frames[:2]})); !ok {
		t.Error("a 40 MB request was refused")
	}
}
