package detector

import (
	"context"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/synth"
)

// TestDroppedFramesStayLive: a camera hiccup or a loaded kiosk drops frames; a genuine clip with a
// 500 ms hole must not look like a flat picture. Before the flatness cue took its pairs from the
// whole clip and skipped pairs stretched by a hole, the hole at 600 ms turned this clip's flatness
// from 0.57 to 0.92 and its live score to 0.44: a real applicant rejected as a spoof.
func TestDroppedFramesStayLive(t *testing.T) {
	d := ready(t)
	img, box := face(t, d, "bona.jpg")
	cl := clip(t, img, box, synth.Genuine, []int{3, 1, 5}, 100)
	for _, holeAt := range []int64{-1, 0, 600, 3000} {
		var frames []sdk.Frame
		for _, f := range cl.Frames {
			if holeAt < 0 || f.TimestampMS < holeAt || f.TimestampMS >= holeAt+500 {
				frames = append(frames, f)
			}
		}
		held := cl
		held.Frames = frames
		v, err := d.CheckLiveness(context.Background(), request(held, []int{3, 1, 5}))
		if err != nil {
			t.Fatal(err)
		}
		flat, _ := ruleValue(v, "spoof.flat")
		if v.Outcome != sdk.Pass || v.Score < minLiveScore {
			t.Errorf("hole at %d ms (%d of %d frames): %v score %.3f flat %.3f %v", holeAt, len(frames), len(cl.Frames), v.Outcome, v.Score, flat, v.Reasons)
		}
	}
}

func ruleValue(v sdk.Verdict, name string) (float64, bool) {
	for _, r := range v.Rules {
		if r.Name == name {
			return r.Value, true
		}
	}
	return 0, false
}
