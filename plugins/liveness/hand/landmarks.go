package hand

import (
	"fmt"
	"image"
	"math"

	"github.com/ehraz/ehraz/plugins/liveness/model"
)

// InputSize is the hand landmark model's square input.
const InputSize = 224

// PresenceGate is the minimum hand presence score for landmarks to be trusted.
const PresenceGate = 0.9

// Landmarks is one hand landmark model answer, points in frame pixels.
type Landmarks struct {
	Points   [21][3]float64
	Presence float64
}

// Landmarker runs MediaPipe hand_landmark (lite) converted to ONNX.
type Landmarker struct {
	s *model.Session
}

// NewLandmarker loads the hand landmark model from the runtime.
func NewLandmarker(rt *model.Runtime) (*Landmarker, error) {
	s, err := rt.Load(model.HandLandmarks, "input_1", []int64{1, 3, InputSize, InputSize},
		[]string{"Identity", "Identity_1", "Identity_2", "Identity_3"})
	if err != nil {
		return nil, err
	}
	return &Landmarker{s: s}, nil
}

// Close releases the model.
func (l *Landmarker) Close() error { return l.s.Close() }

// Frame is a decoded frame: continuous 8-bit BGR.
type Frame struct {
	BGR  []byte
	W, H int
}

// Input samples the square box of f into the model's NCHW RGB input in [0,1]; outside the frame
// is white, like the wall.
func Input(f Frame, box image.Rectangle) []float32 {
	in := make([]float32, 3*InputSize*InputSize)
	plane := InputSize * InputSize
	sx := float64(box.Dx()) / InputSize
	sy := float64(box.Dy()) / InputSize
	for y := range InputSize {
		fy := box.Min.Y + int((float64(y)+0.5)*sy)
		for x := range InputSize {
			fx := box.Min.X + int((float64(x)+0.5)*sx)
			i := y*InputSize + x
			if fx < 0 || fy < 0 || fx >= f.W || fy >= f.H {
				in[i], in[plane+i], in[2*plane+i] = 1, 1, 1
				continue
			}
			p := (fy*f.W + fx) * 3
			in[i] = float32(f.BGR[p+2]) / 255
			in[plane+i] = float32(f.BGR[p+1]) / 255
			in[2*plane+i] = float32(f.BGR[p]) / 255
		}
	}
	return in
}

// Run finds landmarks inside box (a square in frame pixels).
func (l *Landmarker) Run(f Frame, box image.Rectangle) (Landmarks, error) {
	if box.Dx() < 8 || box.Dy() < 8 {
		return Landmarks{}, fmt.Errorf("hand box %v too small", box)
	}
	out, err := l.s.Run(Input(f, box))
	if err != nil {
		return Landmarks{}, fmt.Errorf("hand landmarks: %w", err)
	}
	if len(out) < 2 || len(out[0]) != 63 || len(out[1]) < 1 {
		return Landmarks{}, fmt.Errorf("hand landmarks: unexpected output shape")
	}
	var lm Landmarks
	lm.Presence = float64(out[1][0])
	sx := float64(box.Dx()) / InputSize
	sy := float64(box.Dy()) / InputSize
	for i := range 21 {
		lm.Points[i] = [3]float64{float64(box.Min.X) + float64(out[0][3*i])*sx, float64(box.Min.Y) + float64(out[0][3*i+1])*sy, float64(out[0][3*i+2]) * sx}
	}
	return lm, nil
}

// Box is a square around the landmarks with margin, for tracking into the next frame.
func (lm Landmarks) Box(margin float64) image.Rectangle {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range lm.Points {
		minX, minY, maxX, maxY = math.Min(minX, p[0]), math.Min(minY, p[1]), math.Max(maxX, p[0]), math.Max(maxY, p[1])
	}
	side := math.Max(maxX-minX, maxY-minY) * margin
	cx, cy := (minX+maxX)/2, (minY+maxY)/2
	return image.Rect(int(cx-side/2), int(cy-side/2), int(cx+side/2), int(cy+side/2))
}

func dist(a, b [3]float64) float64 { return math.Hypot(a[0]-b[0], a[1]-b[1]) }

// Count counts extended fingers from landmark geometry. A long finger is extended when its tip
// lies clearly farther from the wrist than its middle joint and the finger is fairly straight.
//
// The thumb is judged in the palm's own frame, whatever way the hand is turned: the palm's
// across axis runs from the little-finger knuckle (17) to the index knuckle (5). An extended
// thumb points away from the palm, so its tip lies beyond the index knuckle on that axis and
// farther from the little-finger knuckle than the thumb's base joint (2) is; a thumb folded over
// the palm or the fingers (as in "4", a fist or "1") brings its tip back across the index knuckle
// and nearer the little finger than its base.
func (lm Landmarks) Count() int {
	p := lm.Points
	n := 0
	for _, f := range [4][4]int{{5, 6, 7, 8}, {9, 10, 11, 12}, {13, 14, 15, 16}, {17, 18, 19, 20}} {
		mcp, pip, tip := p[f[0]], p[f[1]], p[f[3]]
		ax, ay := pip[0]-mcp[0], pip[1]-mcp[1]
		bx, by := tip[0]-pip[0], tip[1]-pip[1]
		cos := (ax*bx + ay*by) / (math.Hypot(ax, ay)*math.Hypot(bx, by) + 1e-9)
		if dist(p[0], tip) > 1.15*dist(p[0], pip) && cos > 0.5 {
			n++
		}
	}
	if lm.ThumbOut() {
		n++
	}
	return n
}

// Thumb thresholds, in the palm's frame (see Count): the tip's position along the across axis
// beyond the index knuckle, as a share of the knuckle span 17→5, and the tip's distance from the
// little-finger knuckle over the thumb base's.
const (
	thumbAcross = 0.4
	thumbReach  = 1.1
)

// ThumbOut reports whether the thumb is extended (see Count).
func (lm Landmarks) ThumbOut() bool {
	p := lm.Points
	ux, uy := p[5][0]-p[17][0], p[5][1]-p[17][1]
	span2 := ux*ux + uy*uy
	if span2 < 1e-9 {
		return false
	}
	across := ((p[4][0]-p[5][0])*ux + (p[4][1]-p[5][1])*uy) / span2
	return across > thumbAcross && dist(p[4], p[17]) > thumbReach*dist(p[2], p[17])
}
