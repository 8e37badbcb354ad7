package capture

import (
	"time"
)

// SceneKind is what the applicant is asked to show the camera at a capture step.
type SceneKind int

const (
	SceneFace      SceneKind = iota // the person's face (the selfie)
	SceneSignature                  // a signed sheet of white paper
	SceneChallenge                  // the person showing the challenge numbers with a hand
)

// Scene tells a source that can act out the steps (the demo camera) what to show.
type Scene struct {
	Kind SceneKind
	// Challenge only. Numbers are shown in order, left to right. Start is when the recording
	// started (zero: not yet); number i is due during [Start+i·Hold, Start+(i+1)·Hold).
	Numbers []int
	Start   time.Time
	Hold    time.Duration
}

// Scener is a source that can be told the capture step's scene. Real cameras do not implement
// it; callers check with a type assertion.
type Scener interface {
	SetScene(Scene)
}
