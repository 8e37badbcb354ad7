package flow

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// CryptoChallenges issues finger challenges from crypto/rand: Count numbers (default 3) from 1 to
// Max (default 5, one hand), left to right. Two neighbours are never equal, so every number shows
// as a visible change of gesture in the video. NewTimedChallenge also draws when each number is
// on screen (Windows), so a recording made for the same numbers at another time does not pass.
type CryptoChallenges struct {
	Count, Max int
	// Windows bounds the display windows (zero: DefaultWindowBounds).
	Windows WindowBounds
}

// ChallengeFPS is the frame rate the window bounds are counted in: timings that differ by less
// than a frame at the liveness plugin's 15 fps are not told apart, so windows are drawn in whole
// frames of it.
const ChallengeFPS = 15

// WindowBounds bound a challenge's display windows, in frames at ChallengeFPS: the lead-in before
// the first number, each number's time on screen and the gap (no number lit) between two
// numbers, each drawn uniformly within its bounds; a draw whose last window ends after MaxEnd is
// drawn again (so every timing that fits is equally likely).
type WindowBounds struct {
	LeadMin, LeadMax int
	LenMin, LenMax   int
	GapMin, GapMax   int
	MaxEnd           int
}

// DefaultWindowBounds: lead-in 0.33–1.33 s, each number 1.2–2.2 s on screen (a person reacts in
// 0.4–0.9 s and the plugin needs the number held 0.4 s; it may go on being held into the gap),
// gaps 0.2–0.8 s, the last number gone by 7.67 s (the recording, 0.3 s longer, stays within the
// 8 s the liveness check is budgeted for).
var DefaultWindowBounds = WindowBounds{LeadMin: 5, LeadMax: 20, LenMin: 18, LenMax: 33, GapMin: 3, GapMax: 12, MaxEnd: 115}

func (b WindowBounds) orDefault() WindowBounds {
	if b.LenMax <= 0 || b.MaxEnd <= 0 {
		return DefaultWindowBounds
	}
	return b
}

// frameMS is frame n's time at ChallengeFPS, in whole ms.
func frameMS(n int) int64 { return int64(n) * 1000 / ChallengeFPS }

// TimedChallengeSource is a ChallengeSource that also draws each number's display window. The
// Machine uses it when its source has it; a source without it issues challenges without windows
// (the plugin then checks the order only, as before windows).
type TimedChallengeSource interface {
	NewTimedChallenge() (sdk.Challenge, error)
}

// NewChallenge implements ChallengeSource.
func (c CryptoChallenges) NewChallenge() ([]int, error) {
	n, hi := c.Count, c.Max
	if n <= 0 {
		n = 3
	}
	if hi <= 1 {
		hi = 5
	}
	out := make([]int, 0, n)
	for len(out) < n {
		x, err := randIn(1, hi)
		if err != nil {
			return nil, fmt.Errorf("challenge: %w", err)
		}
		if len(out) > 0 && out[len(out)-1] == x {
			continue
		}
		out = append(out, x)
	}
	return out, nil
}

// NewTimedChallenge implements TimedChallengeSource: the numbers and their windows, in ms from
// the recording's start.
func (c CryptoChallenges) NewTimedChallenge() (sdk.Challenge, error) {
	nums, err := c.NewChallenge()
	if err != nil {
		return sdk.Challenge{}, err
	}
	ws, err := c.Windows.orDefault().Draw(len(nums), randIn)
	if err != nil {
		return sdk.Challenge{}, fmt.Errorf("challenge windows: %w", err)
	}
	return sdk.Challenge{Numbers: nums, Windows: ws}, nil
}

// Draw draws n windows within the bounds, each choice uniform in lo..hi from in (randIn: from
// crypto/rand; the synthetic evaluation passes a seeded source).
func (b WindowBounds) Draw(n int, in func(lo, hi int) (int, error)) ([]sdk.Window, error) {
	if n <= 0 || b.LeadMin < 0 || b.LeadMax < b.LeadMin || b.LenMin < 1 || b.LenMax < b.LenMin ||
		b.GapMin < 0 || b.GapMax < b.GapMin || b.LeadMin+n*b.LenMin+(n-1)*b.GapMin > b.MaxEnd {
		return nil, fmt.Errorf("bounds %+v cannot hold %d windows", b, n)
	}
	for {
		at, err := in(b.LeadMin, b.LeadMax)
		if err != nil {
			return nil, err
		}
		ws := make([]sdk.Window, 0, n)
		for i := range n {
			if i > 0 {
				g, err := in(b.GapMin, b.GapMax)
				if err != nil {
					return nil, err
				}
				at += g
			}
			l, err := in(b.LenMin, b.LenMax)
			if err != nil {
				return nil, err
			}
			ws = append(ws, sdk.Window{StartMS: frameMS(at), EndMS: frameMS(at + l)})
			at += l
		}
		if at <= b.MaxEnd {
			return ws, nil
		}
	}
}

// Timings counts the distinct window timings of n numbers within the bounds (what draw chooses
// from, each equally likely).
func (b WindowBounds) Timings(n int) int64 {
	b = b.orDefault()
	// ways[t] = number of ways the windows so far end at frame t
	ways := make([]int64, b.MaxEnd+1)
	for lead := b.LeadMin; lead <= min(b.LeadMax, b.MaxEnd); lead++ {
		ways[lead]++
	}
	for i := range n {
		next := make([]int64, b.MaxEnd+1)
		for t, w := range ways {
			if w == 0 {
				continue
			}
			gapMin, gapMax := b.GapMin, b.GapMax
			if i == 0 {
				gapMin, gapMax = 0, 0
			}
			for g := gapMin; g <= gapMax; g++ {
				for l := b.LenMin; l <= b.LenMax; l++ {
					if e := t + g + l; e <= b.MaxEnd {
						next[e] += w
					}
				}
			}
		}
		ways = next
	}
	var total int64
	for _, w := range ways {
		total += w
	}
	return total
}

// Sequences counts the number sequences NewChallenge chooses from: Max·(Max−1)^(Count−1).
func (c CryptoChallenges) Sequences() int64 {
	n, hi := c.Count, c.Max
	if n <= 0 {
		n = 3
	}
	if hi <= 1 {
		hi = 5
	}
	s := int64(hi)
	for range n - 1 {
		s *= int64(hi - 1)
	}
	return s
}

// randIn is uniform in lo..hi from crypto/rand.
func randIn(lo, hi int) (int, error) {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(hi-lo+1)))
	if err != nil {
		return 0, err
	}
	return lo + int(v.Int64()), nil
}

// newChallenge issues a fresh challenge from Deps.Challenges, with windows when the source draws
// them (TimedChallengeSource).
func (m *Machine) newChallenge() (sdk.Challenge, error) {
	var c sdk.Challenge
	var err error
	if ts, ok := m.deps.Challenges.(TimedChallengeSource); ok {
		c, err = ts.NewTimedChallenge()
	} else {
		c.Numbers, err = m.deps.Challenges.NewChallenge()
	}
	if err != nil {
		return sdk.Challenge{}, fmt.Errorf("flow: new challenge: %w", err)
	}
	if len(c.Numbers) == 0 {
		return sdk.Challenge{}, fmt.Errorf("flow: new challenge: empty")
	}
	if !c.ValidWindows() {
		return sdk.Challenge{}, fmt.Errorf("flow: new challenge: %d windows do not fit %d numbers", len(c.Windows), len(c.Numbers))
	}
	return c, nil
}

// setChallenge makes c the record's current challenge (the zero Challenge: none).
func (r *Record) setChallenge(c sdk.Challenge) {
	r.Challenge, r.ChallengeWindows = slices.Clone(c.Numbers), slices.Clone(c.Windows)
}

// clearChallenge drops the record's current challenge.
func (r *Record) clearChallenge() { r.Challenge, r.ChallengeWindows = nil, nil }

// challenge is the record's current challenge with its windows.
func (r Record) challenge() sdk.Challenge {
	return sdk.Challenge{Numbers: slices.Clone(r.Challenge), Windows: slices.Clone(r.ChallengeWindows)}
}

// windowsDetail is the windows for an event's detail: " windows=600-2066,2733-3933,…" (ms from the
// recording's start), empty without windows.
func windowsDetail(ws []sdk.Window) string {
	if len(ws) == 0 {
		return ""
	}
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = strconv.FormatInt(w.StartMS, 10) + "-" + strconv.FormatInt(w.EndMS, 10)
	}
	return " windows=" + strings.Join(parts, ",")
}
