package sequence

import "math"

// Window is when one challenge number was on screen, in ms on the observations' clock:
// [StartMS, EndMS).
type Window struct {
	StartMS, EndMS int64
}

// Timing bounds how a person answers a number that appears on screen.
type Timing struct {
	// MinReactionMS: a hold that begins sooner than this after its number appeared (or before
	// it) was not a reaction to it. People need ~250 ms to react to a sight and more to move
	// their fingers; the observations' own jitter (one every 2 frames, smoothed) is ~130 ms.
	MinReactionMS int64
	// MaxReactionMS: the hold must begin within this of its number appearing.
	MaxReactionMS int64
	// MaxSpreadMS bounds how much one person's reaction times differ between the numbers of one
	// recording (0: not checked). A recording made for another timing answers each window with
	// a delay that differs by that timing's offsets, which the random window lengths and gaps
	// spread by up to seconds.
	MaxSpreadMS int64
}

// DefaultTiming: a hold begins 200 ms to 1.5 s after its number appears (even when the number
// was lit for less: a person may react just as it goes out), the reaction times of one
// recording within 700 ms of each other (a person's own spread plus the plugin's: one count
// every 2 frames, smoothed, ±130 ms per hold).
var DefaultTiming = Timing{MinReactionMS: 200, MaxReactionMS: 1500, MaxSpreadMS: 700}

// answer is how a window was answered.
type answer int

const (
	onTime answer = iota
	early
	late
	missing
)

// judge finds how the hold of number n answers window w and, on time, its reaction (ms from
// the window's start to the hold's).
func judge(n int, w Window, held []Held, t Timing) (answer, int64) {
	got, react := missing, int64(0)
	for _, h := range held {
		if h.Number != n {
			continue
		}
		switch {
		case h.StartMS < w.StartMS+t.MinReactionMS && h.EndMS > w.StartMS:
			return early, 0 // held as the number appeared: anticipated, whatever follows
		case got != onTime && h.StartMS >= w.StartMS+t.MinReactionMS && h.StartMS <= w.StartMS+t.MaxReactionMS:
			got, react = onTime, h.StartMS-w.StartMS
		case got == missing && h.StartMS > w.StartMS && h.StartMS < w.EndMS+t.MaxReactionMS:
			got = late
		}
	}
	return got, react
}

// MatchTimed matches held numbers against a challenge whose numbers were each shown in their
// own window. The numbers must first match in order as Match has it (so more than one extra
// hold, as when cycling through every number, fails as out of order); then number i must begin
// to be held from MinReactionMS to MaxReactionMS after windows[i] began, and must not be held
// already when it appeared (TooEarly, which wins over OutsideWindow); and the reactions of all
// numbers must lie within MaxSpreadMS of each other (one person, one recording). Without
// windows it is Match. A challenge whose windows do not fit its numbers is invalid.
func MatchTimed(challenge []int, windows []Window, held []Held, handFrames int, t Timing) Outcome {
	if len(windows) == 0 {
		return Match(challenge, held, handFrames)
	}
	if o := Match(challenge, nil, 1); o == InvalidChallenge || len(windows) != len(challenge) {
		return InvalidChallenge
	}
	if o := Match(challenge, held, handFrames); o != Matched {
		return o // the numbers themselves are missing or out of order (or no hand at all)
	}
	answered, anyEarly := 0, false
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for i, n := range challenge {
		switch a, react := judge(n, windows[i], held, t); a {
		case onTime:
			answered++
			lo, hi = min(lo, react), max(hi, react)
		case early:
			anyEarly = true
		}
	}
	switch {
	case anyEarly:
		return TooEarly
	case answered == len(challenge) && (t.MaxSpreadMS <= 0 || hi-lo <= t.MaxSpreadMS):
		return Matched
	}
	return OutsideWindow
}

// ObservedTimed returns, for each window, the number held longest during it (from MinReactionMS
// after it began to MaxReactionMS after it ended), NoHand when none. Without windows it is
// Observed.
func ObservedTimed(challenge []int, windows []Window, held []Held, t Timing) []int {
	if len(windows) != len(challenge) {
		return Observed(challenge, held)
	}
	out := make([]int, len(challenge))
	for i, w := range windows {
		out[i] = NoHand
		from, to := w.StartMS+t.MinReactionMS, w.EndMS+t.MaxReactionMS
		if i+1 < len(windows) {
			to = min(to, windows[i+1].StartMS+t.MinReactionMS)
		}
		var best int64
		for _, h := range held {
			ov := min(h.EndMS, to) - max(h.StartMS, from)
			if ov > best {
				best, out[i] = ov, h.Number
			}
		}
	}
	return out
}
