package framestats

import (
	"math"
	"slices"
	"time"
)

// Report summarises the pairs a Meter holds.
type Report struct {
	Frames int // frames added since the last Reset
	Pairs  int // consecutive pairs in the window
	// Timing.
	IntervalMS float64 // median interval between frames
	JitterMS   float64 // robust spread of the intervals (1.4826 × median absolute deviation)
	Irregular  float64 // share of intervals off the median by more than half of it: stalls, bursts
	// Repeats: share of frames identical (every luma byte) to the one before.
	Repeated float64
	// Noise floor.
	NoiseBlocks int     // flat, still, unclipped blocks measured over the window
	NoiseDN     float64 // median temporal noise of those blocks (DN, 8-bit luma); NaN when none
	Frozen      float64 // share of those blocks identical in both frames of their pair
	// Blockiness: median 8×8 grid step ratio (1 = none); decides nothing.
	Blockiness float64
}

// Report is the meter's summary of its window.
func (m *Meter) Report() Report {
	m.mu.Lock()
	ps := slices.Clone(m.pairs)
	frames := m.frames
	m.mu.Unlock()
	r := Report{Frames: frames, Pairs: len(ps), NoiseDN: math.NaN(), IntervalMS: math.NaN(), JitterMS: math.NaN(),
		Blockiness: math.NaN()}
	if len(ps) == 0 {
		return r
	}
	iv := make([]float64, 0, len(ps))
	var sig, blk []float64
	var dup, zero int
	for _, p := range ps {
		iv = append(iv, float64(p.interval)/float64(time.Millisecond))
		if p.duplicate {
			dup++
		}
		r.NoiseBlocks += p.blocks
		zero += p.zero
		if !math.IsNaN(p.sigma) {
			// each pair's median, weighted by repeating it per block (a pair with one block
			// must not count as much as one with hundreds)
			for range p.blocks {
				sig = append(sig, p.sigma)
			}
		}
		if !math.IsNaN(p.blocky) {
			blk = append(blk, p.blocky)
		}
	}
	r.IntervalMS = median(iv)
	dev := make([]float64, len(iv))
	off := 0
	for i, v := range iv {
		dev[i] = math.Abs(v - r.IntervalMS)
		if dev[i] > r.IntervalMS/2 {
			off++
		}
	}
	r.JitterMS = 1.4826 * median(dev)
	r.Irregular = float64(off) / float64(len(iv))
	r.Repeated = float64(dup) / float64(len(ps))
	r.NoiseDN = median(sig)
	if r.NoiseBlocks > 0 {
		r.Frozen = float64(zero) / float64(r.NoiseBlocks)
	}
	r.Blockiness = median(blk)
	return r
}

// Status is a cue's finding.
type Status int

const (
	OK         Status = iota // looks like a camera sensor
	Suspect                  // looks synthetic or re-encoded
	Unmeasured               // not enough of what the cue needs
	Info                     // reported, decides nothing
)

func (s Status) String() string {
	return [...]string{"ok", "suspect", "unmeasured", "info"}[s]
}

// Finding is one cue's result: its value against its limit.
type Finding struct {
	Cue    string // "frames", "timing", "repeats", "noise", "frozen", "blockiness"
	Status Status
	Value  float64
	Limit  float64
	Unit   string
}

// Limits. They were set on the demo camera (synthetic: flagged) and on photo frames with a
// sensor-like noise model, MJPEG-coded like a USB webcam's (passed); see the package test and
// the README's "Camera injection" section for the figures. No physical webcam was measured.
const (
	MinPairs       = 30   // about 2 s at 15 fps
	MinNoiseBlocks = 200  // flat still unclipped blocks over the window
	MaxIrregular   = 0.25 // share of stalled or bursting intervals
	MaxRepeated    = 0.05 // share of repeated frames
	MinNoiseDN     = 0.25 // a sensor's temporal noise in flat regions (DN)
	MaxFrozen      = 0.20 // share of flat still blocks that did not change at all
)

// Findings judges the report, one finding per cue in a fixed order.
func (r Report) Findings() []Finding {
	if r.Pairs < MinPairs {
		return []Finding{{Cue: "frames", Status: Unmeasured, Value: float64(r.Pairs), Limit: MinPairs, Unit: "pairs"}}
	}
	is := func(bad bool) Status {
		if bad {
			return Suspect
		}
		return OK
	}
	out := []Finding{
		{Cue: "timing", Status: is(r.Irregular > MaxIrregular), Value: r.Irregular, Limit: MaxIrregular, Unit: "ratio"},
		{Cue: "repeats", Status: is(r.Repeated > MaxRepeated), Value: r.Repeated, Limit: MaxRepeated, Unit: "ratio"},
	}
	if r.NoiseBlocks < MinNoiseBlocks || math.IsNaN(r.NoiseDN) {
		out = append(out,
			Finding{Cue: "noise", Status: Unmeasured, Value: float64(r.NoiseBlocks), Limit: MinNoiseBlocks, Unit: "blocks"},
			Finding{Cue: "frozen", Status: Unmeasured, Value: float64(r.NoiseBlocks), Limit: MinNoiseBlocks, Unit: "blocks"})
	} else {
		out = append(out,
			Finding{Cue: "noise", Status: is(r.NoiseDN < MinNoiseDN), Value: r.NoiseDN, Limit: MinNoiseDN, Unit: "DN"},
			Finding{Cue: "frozen", Status: is(r.Frozen > MaxFrozen), Value: r.Frozen, Limit: MaxFrozen, Unit: "ratio"})
	}
	return append(out, Finding{Cue: "blockiness", Status: Info, Value: r.Blockiness, Unit: "ratio"})
}

// Synthetic reports whether any cue found the frames synthetic or re-encoded.
func (r Report) Synthetic() bool {
	return slices.ContainsFunc(r.Findings(), func(f Finding) bool { return f.Status == Suspect })
}
