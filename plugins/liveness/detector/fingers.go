package detector

import (
	"image"

	"github.com/ehraz/ehraz/plugins/liveness/hand"
	"github.com/ehraz/ehraz/plugins/liveness/sequence"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// handObs is one frame's finger evidence.
type handObs struct {
	Learned   int     // count from landmarks, -1 when the presence gate failed
	Classical int     // count from the contour, -1 when no usable shape
	Presence  float64 // best hand presence score
	Count     int     // the fused count used for the sequence (sequence.NoHand when none)
	Hands     int     // hand-sized foreground components beside the person (2+: two hands up)
	lm        hand.Landmarks
}

// fuse decides a frame's count. Landmarks that pass the presence gate decide; when the learned
// path saw no hand the contour count is used only if a hand-sized blob was found. When the net
// is sure it sees a hand (presence ≥ sureHand) the crop holds the whole hand and the landmarks
// see what a silhouette cannot (fingers held together or in front of the palm, a thumb across
// the palm), so they decide alone. Below that, a frame where both paths answer and disagree by
// more than one finger is dropped as untrustworthy: the neighbouring frames decide the number.
// (Dropping on a one-finger disagreement too was measured: it loses real hands whose contour
// merges two fingers, so a one-finger disagreement keeps the landmark count.)
func fuse(learned, classical int, presence float64) int {
	switch {
	case learned >= 0 && classical >= 0 && abs(learned-classical) > 1 && presence < sureHand:
		return sequence.NoHand
	case learned >= 0:
		return learned
	case classical >= 0:
		return classical
	}
	return sequence.NoHand
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// countFrame locates the hand beside the face and counts its fingers both ways.
//
// The hand is looked for in two masks with the person excluded: skin chroma (finds the hand on a
// grey or shaded wall and leaves a sleeve out) and not-white (finds it on the white wall when the
// light bleaches its colour). The landmark net is run on each mask's hand box and on a box twice
// as large over the same top (a lone raised finger makes the top of the shape narrow, so the first
// box holds the finger but not the palm); the crop with the highest hand presence is refined on its
// own landmarks, as a tracker would, and decides. The contour count is taken on the skin shape
// when there is one.
func (d *Detector) countFrame(f frame, face image.Rectangle) handObs {
	obs := handObs{Learned: -1, Classical: -1, Count: sequence.NoHand}
	minArea := f.small.W * f.small.H / 250
	if !face.Empty() {
		minArea = max(minArea, area(face)/4) // a hand is not much smaller than a quarter face
	}
	skin := hand.Skin(f.small.BGR, f.small.W, f.small.H)
	skin.ExcludePerson(face)
	nw := hand.NotWhite(f.small.BGR, f.small.W, f.small.H)
	nw.ExcludePerson(face)
	sb, sok := skin.Locate(minArea)
	nb, nok := nw.Locate(minArea)
	if !sok && !nok {
		return obs
	}
	var boxes []image.Rectangle
	switch {
	case sok:
		obs.Hands = 1 + sb.Others // only skin-coloured shapes count as a second hand
		obs.Classical = hand.CountContour(sb.Mask)
		boxes = append(boxes, sb.Box, widen(sb.Box))
		if nok {
			boxes = append(boxes, nb.Box)
		}
	default:
		obs.Hands = 1
		obs.Classical = hand.CountContour(nb.Mask)
		boxes = append(boxes, nb.Box, widen(nb.Box))
	}
	if d.lm != nil {
		lm, ok := d.bestLandmarks(f, boxes)
		if ok {
			obs.Presence = lm.Presence
			obs.lm = lm
			if lm.Presence >= hand.PresenceGate {
				obs.Learned = lm.Count()
			}
		}
	}
	obs.Count = fuse(obs.Learned, obs.Classical, obs.Presence)
	return obs
}

// widen is a box twice as large with the same top edge and centre column.
func widen(b image.Rectangle) image.Rectangle {
	s := b.Dx()
	cx := (b.Min.X + b.Max.X) / 2
	top := b.Min.Y - s/10
	return image.Rect(cx-s, top, cx+s, top+2*s)
}

// sureHand is a presence at which the search for a better crop stops.
const sureHand = 0.97

// bestLandmarks runs the landmark net on each candidate box (mask scale) in turn, refining the
// best crop on its landmarks, and returns the answer with the highest presence.
func (d *Detector) bestLandmarks(f frame, boxes []image.Rectangle) (hand.Landmarks, bool) {
	s := float64(f.work.W) / float64(f.small.W)
	var best hand.Landmarks
	found := false
	try := func(box image.Rectangle) bool {
		lm, err := d.lm.Run(f.work, box)
		if err != nil {
			return false
		}
		if !found || lm.Presence > best.Presence {
			best, found = lm, true
		}
		return true
	}
	for _, b := range boxes {
		box := image.Rect(int(float64(b.Min.X)*s), int(float64(b.Min.Y)*s), int(float64(b.Max.X)*s), int(float64(b.Max.Y)*s))
		if !try(box) {
			continue
		}
		if best.Presence > 0.3 && best.Presence < sureHand {
			// refine the crop on the landmarks (twice at most: the second pass settles it)
			for range 2 {
				prev := best.Presence
				try(best.Box(1.6))
				if best.Presence <= prev {
					break
				}
			}
		}
		if best.Presence >= sureHand {
			break
		}
	}
	return best, found
}

// Thresholds of the hand.count rule.
const (
	maxTwoHands = 0.5 // share of frames with a hand where a second hand-sized shape is up
)

// handCount sums up the counted frames idx of hobs: the number held longest (of 1–5, from the
// holds the sequence found, ties: the larger) with its outcome and reason. A video without a
// counted hand, with two hands up in most hand frames, or showing only a fist gives no number (-1,
// or 0 for the fist) but a reason key, never a guess.
func handCount(hobs []handObs, idx []int, held []sequence.Held) (int, sdk.Outcome, string) {
	var hist [6]int
	seen, two, located := 0, 0, 0
	for _, i := range idx {
		o := hobs[i]
		if o.Hands > 0 {
			located++
		}
		if o.Hands >= 2 {
			two++
		}
		if o.Count < 0 || o.Count > 5 {
			continue
		}
		hist[o.Count]++
		seen++
	}
	switch {
	case located > 0 && float64(two) > maxTwoHands*float64(located):
		return -1, sdk.Fail, "verdict.liveness.hand.two"
	case seen == 0:
		return -1, sdk.Fail, sequence.NoHandSeen.Reason()
	}
	var dur [6]int64
	for _, h := range held {
		if h.Number >= 1 && h.Number <= 5 {
			dur[h.Number] += h.EndMS - h.StartMS + 1
		}
	}
	best := 0
	for c := 1; c <= 5; c++ {
		if dur[c] > 0 && dur[c] >= dur[best] {
			best = c
		}
	}
	switch {
	case best > 0:
		return best, sdk.Pass, "verdict.liveness.hand.count"
	case hist[0]*2 >= seen:
		return 0, sdk.Fail, "verdict.liveness.hand.fist"
	}
	return -1, sdk.Fail, sequence.NumberMissing.Reason()
}
