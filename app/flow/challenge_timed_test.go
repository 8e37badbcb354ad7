package flow

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// Every drawn timing lies within its bounds, in whole frames at 15 fps, and the draws differ.
func TestChallengeWindowsWithinBounds(t *testing.T) {
	b := DefaultWindowBounds
	seen := map[string]bool{}
	for range 500 {
		c, err := CryptoChallenges{}.NewTimedChallenge()
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Windows) != len(c.Numbers) || !c.ValidWindows() {
			t.Fatalf("challenge %+v: windows do not fit", c)
		}
		prevEnd := int64(0)
		for i, w := range c.Windows {
			lo, hi := b.GapMin, b.GapMax
			if i == 0 {
				lo, hi = b.LeadMin, b.LeadMax
			}
			if g := w.StartMS - prevEnd; g < frameMS(lo) || g > frameMS(hi)+1 {
				t.Fatalf("challenge %+v: window %d starts %d ms after the last, want %d..%d", c, i, g, frameMS(lo), frameMS(hi))
			}
			if l := w.EndMS - w.StartMS; l < frameMS(b.LenMin)-1 || l > frameMS(b.LenMax)+1 {
				t.Fatalf("challenge %+v: window %d lasts %d ms", c, i, l)
			}
			prevEnd = w.EndMS
		}
		if end := c.Windows[len(c.Windows)-1].EndMS; end > frameMS(b.MaxEnd) {
			t.Fatalf("challenge %+v ends at %d ms, after %d", c, end, frameMS(b.MaxEnd))
		}
		seen[joinInts(c.Numbers)+windowsKey(c.Windows)] = true
	}
	if len(seen) < 495 {
		t.Errorf("only %d distinct timed challenges in 500 draws", len(seen))
	}
	if _, err := (CryptoChallenges{Windows: WindowBounds{LenMin: 50, LenMax: 60, MaxEnd: 100}}).NewTimedChallenge(); err == nil {
		t.Error("bounds that cannot hold three windows drew a challenge")
	}
}

func windowsKey(ws []sdk.Window) string {
	var s []int
	for _, w := range ws {
		s = append(s, int(w.StartMS), int(w.EndMS))
	}
	return joinInts(s)
}

// The count of timings is the number of (lead-in, lengths, gaps) tuples that fit: checked by
// enumerating them for small bounds, then printed for the kiosk's bounds with the number of
// distinct challenges (sequences × timings, timings told apart at 15 fps).
func TestChallengeCount(t *testing.T) {
	small := WindowBounds{LeadMin: 1, LeadMax: 4, LenMin: 3, LenMax: 6, GapMin: 1, GapMax: 3, MaxEnd: 20}
	brute := int64(0)
	for lead := small.LeadMin; lead <= small.LeadMax; lead++ {
		for l1 := small.LenMin; l1 <= small.LenMax; l1++ {
			for g1 := small.GapMin; g1 <= small.GapMax; g1++ {
				for l2 := small.LenMin; l2 <= small.LenMax; l2++ {
					for g2 := small.GapMin; g2 <= small.GapMax; g2++ {
						for l3 := small.LenMin; l3 <= small.LenMax; l3++ {
							if lead+l1+g1+l2+g2+l3 <= small.MaxEnd {
								brute++
							}
						}
					}
				}
			}
		}
	}
	if got := small.Timings(3); got != brute {
		t.Fatalf("Timings %d, enumeration %d", got, brute)
	}
	c := CryptoChallenges{}
	seqs, timings := c.Sequences(), DefaultWindowBounds.Timings(3)
	unbounded := int64(DefaultWindowBounds.LeadMax-DefaultWindowBounds.LeadMin+1) *
		pow(int64(DefaultWindowBounds.LenMax-DefaultWindowBounds.LenMin+1), 3) *
		pow(int64(DefaultWindowBounds.GapMax-DefaultWindowBounds.GapMin+1), 2)
	if seqs != 80 || timings <= 0 || timings >= unbounded {
		t.Fatalf("sequences %d, timings %d (of %d without the end bound)", seqs, timings, unbounded)
	}
	t.Logf("challenge.count sequences=%d timings=%d (of %d before the 7.67 s end bound) distinct=%d (was 80 with fixed thirds)",
		seqs, timings, unbounded, seqs*timings)
}

func pow(b, e int64) int64 {
	out := int64(1)
	for range e {
		out *= b
	}
	return out
}

// The video step's challenge carries its windows from the draw to the screen (Snapshot), the
// stored record, the plugin and the recorded check; a retake draws new windows.
func TestVideoChallengeWindowsReachPlugin(t *testing.T) {
	r := newRig(t)
	r.m.deps.Challenges = CryptoChallenges{}
	r.walk(StepVideo)
	r.det.liveness = []sdk.Verdict{{Outcome: sdk.Fail, Reasons: []string{"verdict.liveness.challenge.too_early"}}, {Outcome: sdk.Pass}}
	r.m.cfg.CaptureAttempts = 5
	snap := r.m.Snapshot()
	if len(snap.Windows) != 3 || len(snap.Challenge) != 3 {
		t.Fatalf("snapshot challenge %v windows %v", snap.Challenge, snap.Windows)
	}
	if rec := r.stored(); !slices.Equal(rec.ChallengeWindows, snap.Windows) {
		t.Fatalf("stored windows %v, shown %v", rec.ChallengeWindows, snap.Windows)
	}
	r.must(r.do(Video{frames(8)}))
	if got := r.det.lastChallenge; !slices.Equal(got.Numbers, snap.Challenge) || !slices.Equal(got.Windows, snap.Windows) {
		t.Fatalf("plugin got %+v, screen showed %v %v", got, snap.Challenge, snap.Windows)
	}
	if got := r.stored().Checks[StepVideo].Windows; !slices.Equal(got, snap.Windows) {
		t.Fatalf("check recorded windows %v, want %v", got, snap.Windows)
	}
	if got, want := windowsDetail(snap.Windows), " windows="+strconv.FormatInt(snap.Windows[0].StartMS, 10)+"-"; !strings.HasPrefix(got, want) || strings.Count(got, ",") != 2 {
		t.Errorf("event detail %q", got)
	}
	retake := r.m.Snapshot()
	if len(retake.Windows) != 3 || slices.Equal(retake.Windows, snap.Windows) {
		t.Fatalf("retake windows %v after %v", retake.Windows, snap.Windows)
	}
	r.must(r.do(Video{frames(8)}))
	r.wantStep(StepReview)
	if w := r.m.Snapshot().Windows; w != nil {
		t.Errorf("used windows kept: %v", w)
	}
	if w := r.stored().ChallengeWindows; w != nil {
		t.Errorf("used windows stored: %v", w)
	}
}
