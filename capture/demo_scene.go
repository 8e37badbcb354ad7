package capture

import (
	"time"

	"github.com/ehraz/ehraz/synth"
)

// The demo's scenes are drawn by package synth; this file holds how the demo camera prepares and
// schedules them.

// prep is scene material prepared in the background; its fields are set before done closes.
type prep struct {
	done      chan struct{}
	sheet     *synth.SignatureScene // signature
	challenge *synth.ChallengeScene // challenge
	err       error
}

func startPrep(fill func(p *prep)) *prep {
	p := &prep{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		fill(p)
	}()
	return p
}

// ready reports whether p finished without an error (false for nil).
func (p *prep) ready() bool {
	if p == nil {
		return false
	}
	select {
	case <-p.done:
		return p.err == nil
	default:
		return false
	}
}

// count is the number of fingers to show rec into a recording: number i during the i-th share
// of length hold, the share the screen lights that number for; -1 (no hand) before and after.
func count(numbers []int, rec, hold time.Duration) int {
	if rec < 0 || hold <= 0 {
		return -1
	}
	if i := int(rec / hold); i < len(numbers) {
		return numbers[i]
	}
	return -1
}
