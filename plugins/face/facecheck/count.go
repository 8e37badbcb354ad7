package facecheck

import (
	"errors"
	"image"
)

// errNoBackground: the background face detector was not loaded (see Detector.BackgroundErr).
var errNoBackground = errors.New("background face detector not loaded")

// backgroundFaces and extraOf find the people HOG misses because they are small (HOG needs
// ~80 px): BlazeFace's "back" model over overlapping squares of the picture (see blazeTiles),
// keeping detections scored at least blazeCount whose centre is not on a HOG face. On the shared
// photos no detection at that score is anything but a face: the group photo keeps all ten of its
// faces, and the two single-person photos that gain one (eunseo.jpg, img41.jpg) do have a person
// behind. So, unlike the Haar cascade it replaced (which needed two extra faces before it was
// believed), one extra face counts.
func (d *Detector) backgroundFaces(p *picture) ([]image.Rectangle, error) {
	if d.blaze == nil {
		if d.blazeErr != nil {
			return nil, d.blazeErr
		}
		return nil, errNoBackground
	}
	boxes, err := d.blaze.detect(p.rgba)
	if err != nil {
		return nil, err
	}
	var out []image.Rectangle
	for _, b := range boxes {
		if b.score >= blazeCount {
			out = append(out, b.Rectangle)
		}
	}
	return out, nil
}

// extraOf keeps the background boxes that do not overlap a HOG face.
func extraOf(boxes, known []image.Rectangle) []image.Rectangle {
	var out []image.Rectangle
	for _, c := range boxes {
		centre := image.Pt((c.Min.X+c.Max.X)/2, (c.Min.Y+c.Max.Y)/2)
		dup := false
		for _, k := range known {
			if centre.In(k.Inset(-k.Dx() / 4)) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, c)
		}
	}
	return out
}
