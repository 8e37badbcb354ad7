package detector

import (
	"image"

	"github.com/ehraz/ehraz/plugins/liveness/hand"
	"github.com/ehraz/ehraz/plugins/liveness/sequence"
)

// handObs is one frame's finger evidence.
type handObs struct {
	Learned   int     // count from landmarks, -1 when the presence gate failed
	Classical int     // count from the contour, -1 when no usable shape
	Presence  float64 // best hand presence score
	Count     int     // the fused count used for the sequence (sequence.NoHand when none)
}

// fuse decides a frame's count. Landmarks that pass the presence gate decide; when the learned
// path saw no hand the contour count is used only if a hand-sized blob was found. A frame where
// both paths answer and disagree by more than one finger is dropped as untrustworthy.
func fuse(learned, classical int) int {
	switch {
	case learned >= 0 && classical >= 0 && abs(learned-classical) > 1:
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
func (d *Detector) countFrame(f frame, face image.Rectangle) handObs {
	obs := handObs{Learned: -1, Classical: -1, Count: sequence.NoHand}
	m := hand.NotWhite(f.small.BGR, f.small.W, f.small.H)
	m.ExcludePerson(face)
	minArea := f.small.W * f.small.H / 250
	if !face.Empty() {
		minArea = max(minArea, area(face)/4) // a hand is not much smaller than a quarter face
	}
	blob, ok := m.Locate(minArea)
	if !ok {
		return obs
	}
	obs.Classical = hand.CountContour(blob.Mask)
	if d.lm != nil {
		s := float64(f.work.W) / float64(f.small.W)
		box := image.Rect(int(float64(blob.Box.Min.X)*s), int(float64(blob.Box.Min.Y)*s),
			int(float64(blob.Box.Max.X)*s), int(float64(blob.Box.Max.Y)*s))
		lm, err := d.lm.Run(f.work, box)
		if err == nil && lm.Presence > 0.3 && lm.Presence < hand.PresenceGate {
			// refine the crop on the landmarks once
			if lm2, err2 := d.lm.Run(f.work, lm.Box(1.6)); err2 == nil && lm2.Presence > lm.Presence {
				lm = lm2
			}
		}
		if err == nil {
			obs.Presence = lm.Presence
			if lm.Presence >= hand.PresenceGate {
				obs.Learned = lm.Count()
			}
		}
	}
	obs.Count = fuse(obs.Learned, obs.Classical)
	return obs
}
