package facecheck

import (
	"image"

	"gocv.io/x/gocv"
)

// cascadeFaces and extraOf find faces the HOG detector misses because they are small (HOG needs ~80 px): a
// strict Haar cascade pass (7 neighbours, faces down to 1/40 of the long side) whose detections
// do not overlap a HOG face. A lone cascade detection is not trusted (posters and patterns fool
// it now and then: one of the 33 single-person test photos gains one), so extra faces count only
// when at least two are found: a group of people behind or around the applicant. On the group
// test photo it finds 9 of the 10 faces HOG misses at this size.
//
// cascadeFaces runs the cascade over the whole picture (the costly part of the count, run beside
// go-face's networks in CheckSelfie).
func (d *Detector) cascadeFaces(g *image.Gray) []image.Rectangle {
	b := g.Bounds()
	m, err := gocv.NewMatFromBytes(b.Dy(), b.Dx(), gocv.MatTypeCV8U, g.Pix)
	if err != nil {
		return nil
	}
	defer m.Close()
	l := max(b.Dx(), b.Dy())
	minSide := max(l/40, 24)
	d.cascadeMu.Lock()
	boxes := d.cascade.DetectMultiScaleWithParams(m, 1.1, 7, 0, image.Pt(minSide, minSide), image.Pt(l, l))
	d.cascadeMu.Unlock()
	return boxes
}

// extraOf keeps the cascade boxes that do not overlap a HOG face, when there are at least two.
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
	if len(out) < 2 {
		return nil
	}
	return out
}
