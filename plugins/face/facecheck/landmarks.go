package facecheck

import (
	"math"
)

// pt is a landmark in working-image pixels.
type pt struct{ X, Y float64 }

func dist(a, b pt) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }

func mid(ps ...pt) pt {
	var m pt
	for _, p := range ps {
		m.X += p.X
		m.Y += p.Y
	}
	n := float64(len(ps))
	return pt{m.X / n, m.Y / n}
}

// pose is the head orientation estimated from the 68 iBUG landmarks, in degrees.
type pose struct{ Yaw, Pitch, Roll float64 }

// Neutral proportions of a frontal face in the 68-point scheme, used by estimatePose: the nose
// tip sits about 0.45 inter-ocular distances in front of the outer eye corners, and the nose tip
// lies about 0.42 of the way from the eye line to the chin.
const (
	noseDepth     = 0.45
	neutralPitch  = 0.42
	pitchLeverage = 0.9
)

// estimatePose derives yaw, pitch and roll from 2-D landmarks: roll from the eye line, yaw from
// the nose tip's sideways offset (after undoing roll) relative to the eye-corner midpoint, pitch
// from where the nose tip lies between the eye line and the chin. A weak-perspective
// approximation: good to a few degrees near frontal, which is what a frontal-pose rule needs.
func estimatePose(p []pt) pose {
	le, re := p[36], p[45] // outer eye corners (image left, image right)
	roll := math.Atan2(re.Y-le.Y, re.X-le.X)
	c, s := math.Cos(-roll), math.Sin(-roll)
	rot := func(q pt) pt { return pt{q.X*c - q.Y*s, q.X*s + q.Y*c} }
	l, r, nose, chin := rot(le), rot(re), rot(p[30]), rot(p[8])
	iod := r.X - l.X
	if iod <= 0 {
		return pose{Yaw: 90, Pitch: 90, Roll: roll * 180 / math.Pi}
	}
	eyeMid := mid(l, r)
	yaw := math.Asin(clamp((nose.X-eyeMid.X)/(noseDepth*iod), -1, 1))
	span := chin.Y - eyeMid.Y
	pitch := math.Pi / 2
	if span > 0 {
		pitch = math.Asin(clamp(((nose.Y-eyeMid.Y)/span-neutralPitch)/pitchLeverage, -1, 1))
	}
	return pose{Yaw: yaw * 180 / math.Pi, Pitch: pitch * 180 / math.Pi, Roll: roll * 180 / math.Pi}
}

// eyeAspectRatio is the mean of both eyes' (|p2−p6|+|p3−p5|)/(2|p1−p4|) (Soukupová & Čech):
// about 0.3 for an open eye, under 0.15 for a closed one.
func eyeAspectRatio(p []pt) float64 {
	ear := func(e []pt) float64 {
		w := dist(e[0], e[3])
		if w == 0 {
			return 0
		}
		return (dist(e[1], e[5]) + dist(e[2], e[4])) / (2 * w)
	}
	return (ear(p[36:42]) + ear(p[42:48])) / 2
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }
