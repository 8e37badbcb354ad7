package detector

import (
	"image"
	"sort"

	"gocv.io/x/gocv"

	"github.com/ehraz/ehraz/plugins/liveness/hand"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// Keyframe selection: up to maxKeyframes frames with exactly one face inside the guide, the
// sharpest first (variance of the Laplacian over the face), at least keyframeGapMS apart.
const (
	maxKeyframes  = 5
	keyframeGapMS = 300
)

func keyframes(good []frame, faces [][]image.Rectangle, faceIdx []int, guide sdk.Rect) []int {
	type cand struct {
		i     int
		sharp float64
	}
	var cs []cand
	for _, i := range faceIdx {
		f := good[i]
		if len(faces[i]) != 1 || !inGuide(faces[i][0], f.small.W, f.small.H, guide) {
			continue
		}
		cs = append(cs, cand{i, sharpness(f.work, scaleRect(faces[i][0], float64(f.work.W)/float64(f.small.W)))})
	}
	sort.Slice(cs, func(a, b int) bool { return cs[a].sharp > cs[b].sharp })
	var out []int
	for _, c := range cs {
		ok := true
		for _, o := range out {
			if d := good[o].ts - good[c.i].ts; d < keyframeGapMS && d > -keyframeGapMS {
				ok = false
			}
		}
		if ok {
			out = append(out, c.i)
		}
		if len(out) == maxKeyframes {
			break
		}
	}
	sort.Ints(out)
	return out
}

func scaleRect(r image.Rectangle, s float64) image.Rectangle {
	return image.Rect(int(float64(r.Min.X)*s), int(float64(r.Min.Y)*s), int(float64(r.Max.X)*s), int(float64(r.Max.Y)*s))
}

// sharpness is the variance of the Laplacian over the face region.
func sharpness(f hand.Frame, face image.Rectangle) float64 {
	g, err := grayMat(f)
	if err != nil {
		return 0
	}
	defer g.Close()
	r := face.Intersect(image.Rect(0, 0, f.W, f.H))
	if r.Dx() < 8 || r.Dy() < 8 {
		return 0
	}
	roi := g.Region(r)
	defer roi.Close()
	lap := gocv.NewMat()
	defer lap.Close()
	gocv.Laplacian(roi, &lap, gocv.MatTypeCV64F, 3, 1, 0, gocv.BorderDefault)
	mean, std := gocv.NewMat(), gocv.NewMat()
	defer mean.Close()
	defer std.Close()
	gocv.MeanStdDev(lap, &mean, &std)
	s := std.GetDoubleAt(0, 0)
	return s * s
}
