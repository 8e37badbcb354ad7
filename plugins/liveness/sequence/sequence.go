// Package sequence turns per-frame finger counts into the numbers an applicant held up, in order,
// and matches them against the challenge shown on screen.
package sequence

import "slices"

// NoHand marks a frame where no hand (or no trustworthy count) was seen.
const NoHand = -1

// Obs is one frame's finger count at a time.
type Obs struct {
	TimestampMS int64
	Count       int // 0..5, or NoHand
}

// Held is one number held steadily.
type Held struct {
	Number         int
	StartMS, EndMS int64
	Frames         int
}

// Outcome of matching a challenge.
type Outcome int

const (
	Matched Outcome = iota
	WrongOrder
	NumberMissing
	NoHandSeen
	InvalidChallenge
	// TooEarly: a number was already held before (or right as) its window began: shown before
	// the applicant could have seen it, as a recording made for another timing does.
	TooEarly
	// OutsideWindow: a number was held, but not while it was on screen (too late, or in another
	// number's window).
	OutsideWindow
)

// Reason keys, one per outcome.
var reasons = map[Outcome]string{
	Matched:          "verdict.liveness.sequence.matched",
	WrongOrder:       "verdict.liveness.sequence.wrong_order",
	NumberMissing:    "verdict.liveness.sequence.number_missing",
	NoHandSeen:       "verdict.liveness.sequence.no_hand",
	InvalidChallenge: "verdict.liveness.challenge.invalid",
	TooEarly:         "verdict.liveness.challenge.too_early",
	OutsideWindow:    "verdict.liveness.challenge.out_of_window",
}

// Reason is the locale key of an outcome.
func (o Outcome) Reason() string { return reasons[o] }

// Params tune the segmentation.
type Params struct {
	MinHoldMS int64 // a number must be held at least this long
	Window    int   // median window (frames, odd)
}

// Defaults: held ≥ 400 ms, median over 5 observations.
var Defaults = Params{MinHoldMS: 400, Window: 5}

// Segment smooths the counts with a running mode and returns the numbers held ≥ MinHoldMS, with
// holds of the same number merged unless a release (anything else) lasted MinHoldMS too: a brief
// glitch does not split a hold, a real pause does (so "2, 2, 4" can be shown).
func Segment(obs []Obs, p Params) []Held {
	if len(obs) == 0 {
		return nil
	}
	sm := smooth(obs, p.Window)
	var runs []Held
	for i, o := range sm {
		end := o.TimestampMS
		if i+1 < len(sm) {
			end = sm[i+1].TimestampMS
		}
		if n := len(runs); n > 0 && runs[n-1].Number == o.Count {
			runs[n-1].EndMS = end
			runs[n-1].Frames++
			continue
		}
		runs = append(runs, Held{Number: o.Count, StartMS: o.TimestampMS, EndMS: end, Frames: 1})
	}
	var held []Held
	for _, r := range runs {
		if r.Number < 1 || r.EndMS-r.StartMS < p.MinHoldMS {
			continue
		}
		if n := len(held); n > 0 && held[n-1].Number == r.Number && r.StartMS-held[n-1].EndMS < p.MinHoldMS {
			held[n-1].EndMS = r.EndMS
			held[n-1].Frames += r.Frames
			continue
		}
		held = append(held, r)
	}
	return held
}

// smooth replaces each count by the most frequent count in a centred window (ties keep the
// frame's own count).
func smooth(obs []Obs, w int) []Obs {
	if w < 1 {
		w = 1
	}
	out := make([]Obs, len(obs))
	var hist [7]int
	for i := range obs {
		hist = [7]int{}
		for j := max(0, i-w/2); j <= min(len(obs)-1, i+w/2); j++ {
			hist[obs[j].Count+1]++
		}
		best := obs[i].Count
		for c := -1; c <= 5; c++ {
			if hist[c+1] > hist[best+1] {
				best = c
			}
		}
		out[i] = Obs{TimestampMS: obs[i].TimestampMS, Count: best}
	}
	return out
}

// Match compares the held numbers with the challenge. The challenge must appear in order; one
// extra hold (a transition caught long enough) is tolerated, more are not.
func Match(challenge []int, held []Held, handFrames int) Outcome {
	if len(challenge) == 0 {
		return InvalidChallenge
	}
	for _, n := range challenge {
		if n < 1 || n > 5 {
			return InvalidChallenge
		}
	}
	if handFrames == 0 {
		return NoHandSeen
	}
	nums := make([]int, len(held))
	for i, h := range held {
		nums[i] = h.Number
	}
	if isSubsequence(challenge, nums) && len(nums) <= len(challenge)+1 {
		return Matched
	}
	for _, n := range challenge {
		if !slices.Contains(nums, n) {
			return NumberMissing
		}
	}
	return WrongOrder
}

func isSubsequence(want, got []int) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}

// Observed returns, for each challenge position, the number held at the matching position of the
// best alignment (NoHand when nothing aligns): the greedy in-order alignment used by Match,
// falling back to position order.
func Observed(challenge []int, held []Held) []int {
	out := make([]int, len(challenge))
	for i := range out {
		out[i] = NoHand
	}
	j := 0
	for i, c := range challenge {
		for k := j; k < len(held); k++ {
			if held[k].Number == c {
				out[i] = c
				j = k + 1
				break
			}
		}
	}
	for i := range out {
		if out[i] == NoHand && i < len(held) {
			out[i] = held[i].Number
		}
	}
	return out
}
