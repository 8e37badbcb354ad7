package detector

import (
	"testing"

	"github.com/ehraz/ehraz/plugins/liveness/sequence"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// TestHandCountBadInput: no hand, two hands and a fist give a reason key and no number; a held
// number is the count.
func TestHandCountBadInput(t *testing.T) {
	obs := func(n, count, hands int) []handObs {
		out := make([]handObs, n)
		for i := range out {
			out[i] = handObs{Learned: -1, Classical: -1, Count: count, Hands: hands}
		}
		return out
	}
	idx := []int{0, 1, 2, 3, 4, 5}
	for _, tc := range []struct {
		name   string
		hobs   []handObs
		held   []sequence.Held
		want   int
		out    sdk.Outcome
		reason string
	}{
		{"no hand", obs(6, sequence.NoHand, 0), nil, -1, sdk.Fail, "verdict.liveness.sequence.no_hand"},
		{"two hands", obs(6, 3, 2), []sequence.Held{{Number: 3, EndMS: 800}}, -1, sdk.Fail, "verdict.liveness.hand.two"},
		{"fist", obs(6, 0, 1), nil, 0, sdk.Fail, "verdict.liveness.hand.fist"},
		{"three", obs(6, 3, 1), []sequence.Held{{Number: 3, EndMS: 800}}, 3, sdk.Pass, "verdict.liveness.hand.count"},
		{"longest hold", obs(6, 2, 1), []sequence.Held{{Number: 2, EndMS: 500}, {Number: 4, StartMS: 600, EndMS: 1800}}, 4, sdk.Pass, "verdict.liveness.hand.count"},
	} {
		n, out, reason := handCount(tc.hobs, idx, tc.held)
		if n != tc.want || out != tc.out || reason != tc.reason {
			t.Errorf("%s: got %d %v %s, want %d %v %s", tc.name, n, out, reason, tc.want, tc.out, tc.reason)
		}
	}
}
