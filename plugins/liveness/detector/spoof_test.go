package detector

import (
	"context"
	"slices"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/synth"
)

// TestDroppedFramesGoToReview: a camera hiccup or a loaded kiosk drops frames. A genuine clip with
// a 500 ms hole where the flatness cue looks (the first second and a half) is neither passed
// without that cue nor rejected as a spoof — the hole at 600 ms used to turn this clip's flatness
// from 0.57 to 0.92 and its live score to 0.44 — but goes to a person (video.gaps); a hole later
// in the clip changes nothing.
func TestDroppedFramesGoToReview(t *testing.T) {
	d := ready(t)
	img, box := face(t, d, "bona.jpg")
	cl := clip(t, img, box, synth.Genuine, []int{3, 1, 5}, 100)
	for _, c := range []struct {
		holeAt int64 // -1: no hole
		want   sdk.Outcome
	}{{-1, sdk.Pass}, {0, sdk.Pass}, {600, sdk.NeedsReview}, {3000, sdk.Pass}} {
		var frames []sdk.Frame
		for _, f := range cl.Frames {
			if c.holeAt < 0 || f.TimestampMS < c.holeAt || f.TimestampMS >= c.holeAt+500 {
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
		if v.Outcome != c.want {
			t.Errorf("hole at %d ms (%d of %d frames): %v score %.3f flat %.3f %v, want %v", c.holeAt, len(frames), len(cl.Frames), v.Outcome, v.Score, flat, v.Reasons, c.want)
		}
		if c.want == sdk.NeedsReview && !slices.Contains(v.Reasons, "verdict.liveness.video.frames_dropped") {
			t.Errorf("hole at %d ms: reasons %v, want verdict.liveness.video.frames_dropped", c.holeAt, v.Reasons)
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
