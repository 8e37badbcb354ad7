package facecheck

import (
	"context"
	"crypto/sha256"
	"image"
	"math"
	"time"

	face "github.com/Kagami/go-face"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// MatchFaces compares the largest face of the probe with the largest face of the reference by
// the distance between their dlib ResNet descriptors scaled to unit length (descriptorDistance),
// and estimates the false-match rate at that distance from the calibration table (Verdict.Match,
// and the rule face.match.fmr). Its own outcome applies Thresholds.MatchPassFMR/MatchFailFMR to
// the estimate; the kiosk decides with its configured policy. A picture without a face fails with
// its key.
func (d *Detector) MatchFaces(ctx context.Context, req sdk.MatchRequest) (sdk.Verdict, error) {
	start := time.Now()
	if err := ctx.Err(); err != nil {
		return single("face.call", sdk.CouldNotVerify, "verdict.face.cancelled", start), nil
	}
	var rules []sdk.Rule
	var descs [2]*face.Descriptor
	qual := 1.0
	for i, side := range []struct {
		name string
		img  sdk.Image
	}{{"probe", req.Probe}, {"reference", req.Reference}} {
		key := sha256.Sum256(side.img.Data)
		c, ok := d.cache.get(key)
		if !ok {
			pic, err := decode(side.img)
			if err != nil {
				return single("face.match."+side.name, sdk.Fail, "verdict.face.match."+side.name+"."+imageReasonSuffix(err), start), nil
			}
			hint, _ := d.backgroundFaces(pic) // without BlazeFace go-face scans the whole picture
			fs, err := d.faces(pic, largestBox(hint))
			if err != nil {
				return single("face.detector", sdk.CouldNotVerify, "verdict.face.detector_error", start), nil
			}
			c = cached{key: key, faces: len(fs)}
			if best := largest(fs); best >= 0 {
				c.desc = fs[best].Descriptor
				c.qual = pictureQuality(pic, fs[best], d.th)
			}
			d.cache.put(c)
		}
		if c.faces == 0 {
			rules = append(rules, sdk.Rule{Name: "face.match." + side.name, Outcome: sdk.Fail, Reason: "verdict.face.match." + side.name + ".no_face", Value: 0, Threshold: 1})
			continue
		}
		descs[i] = &c.desc
		qual = math.Min(qual, c.qual)
		rules = append(rules, sdk.Rule{Name: "face.match." + side.name, Outcome: sdk.Pass, Reason: "verdict.face.match." + side.name + ".ok", Value: float64(c.faces), Threshold: 1})
		if err := ctx.Err(); err != nil {
			return single("face.call", sdk.CouldNotVerify, "verdict.face.cancelled", start), nil
		}
	}
	if descs[0] == nil || descs[1] == nil {
		return combine(rules, start), nil
	}
	dist := descriptorDistance(*descs[0], *descs[1])
	est := d.cal.FMR(dist)
	rules = append(rules, d.matchRule(dist, est),
		sdk.Rule{Name: "face.match.fmr", Outcome: sdk.Pass, Reason: "verdict.face.match.fmr", Value: est, Threshold: d.th.MatchPassFMR, Unit: "ratio"},
		qualityRule(qual))
	v := combine(rules, start)
	v.Score = 1 - est
	v.Match = &sdk.MatchScore{Distance: dist, EstimatedFMR: est, Calibration: d.cal.ID}
	return v, nil
}

// largest is the index of the face with the largest box, or -1 when there is none.
func largest(fs []detected) int {
	return largestOf(len(fs), func(i int) image.Rectangle { return fs[i].Rectangle })
}

// largestBox is the largest of boxes, or the empty rectangle when there is none.
func largestBox(boxes []image.Rectangle) image.Rectangle {
	if i := largestOf(len(boxes), func(i int) image.Rectangle { return boxes[i] }); i >= 0 {
		return boxes[i]
	}
	return image.Rectangle{}
}

// largestOf is the index of the largest by area of n rectangles, the first of equals; -1 for none.
func largestOf(n int, rect func(int) image.Rectangle) int {
	best, area := -1, -1
	for i := 0; i < n; i++ {
		if r := rect(i); r.Dx()*r.Dy() > area {
			best, area = i, r.Dx()*r.Dy()
		}
	}
	return best
}

func imageReasonSuffix(err error) string {
	switch r := imageReason(err); r {
	case "verdict.face.image.too_large":
		return "too_large"
	case "verdict.face.image.too_small":
		return "too_small"
	default:
		return "unreadable"
	}
}

// matchRule decides on a descriptor distance through its estimated false-match rate: at or under
// MatchPassFMR the faces match, up to MatchFailFMR an operator reviews, above it they differ. The
// rule carries the distance and the distance at which the limit it was judged by is crossed.
func (d *Detector) matchRule(dist, est float64) sdk.Rule {
	limit := func(fmr float64) float64 {
		at, ok := d.cal.DistanceAt(fmr)
		if !ok {
			return 0
		}
		return at
	}
	r := sdk.Rule{Name: "face.match.distance", Value: dist, Unit: "euclidean"}
	switch {
	case est <= d.th.MatchPassFMR:
		r.Outcome, r.Reason, r.Threshold = sdk.Pass, "verdict.face.match.same", limit(d.th.MatchPassFMR)
	case est <= d.th.MatchFailFMR:
		r.Outcome, r.Reason, r.Threshold = sdk.NeedsReview, "verdict.face.match.uncertain", limit(d.th.MatchFailFMR)
	default:
		r.Outcome, r.Reason, r.Threshold = sdk.Fail, "verdict.face.match.different", limit(d.th.MatchFailFMR)
	}
	return r
}

// PairQualityRule names the rule that carries the worse picture's quality (0..1) of a compared
// pair; the kiosk's face policy widens its review band below PairQualityLow.
const (
	PairQualityRule = "face.match.quality"
	PairQualityLow  = 0.5
)

// qualityRule reports the pair's quality: informational (it passes or asks for review; the
// kiosk's policy decides what a low one means).
func qualityRule(q float64) sdk.Rule {
	r := sdk.Rule{Name: PairQualityRule, Outcome: sdk.Pass, Reason: "verdict.face.match.quality.ok", Value: q, Threshold: PairQualityLow, Unit: "ratio"}
	if q < PairQualityLow {
		r.Outcome, r.Reason = sdk.NeedsReview, "verdict.face.match.quality.low"
	}
	return r
}

// pictureQuality scores how much a picture's face can be trusted for matching, 0..1: the worst
// of four measures, each 1 inside the selfie rules' limits and falling linearly to 0 at twice as
// far out (face width in original pixels against MinFacePixels; sharpness against MinSharpness;
// yaw against MaxYaw when 68 landmarks give it; mean face luma against the exposure range).
// A registry photo is held to the same measures as a selfie.
func pictureQuality(p *picture, f detected, th Thresholds) float64 {
	box := f.Rectangle.Intersect(p.gray.Bounds())
	if box.Empty() {
		return 0
	}
	ramp := func(v, good float64) float64 { // 1 at v ≥ good, 0 at v ≤ good/2
		return clamp((v-good/2)/(good/2), 0, 1)
	}
	q := ramp(float64(box.Dx())*p.scale, th.MinFacePixels)
	crop := cropGray(p.gray, box, 128)
	q = math.Min(q, ramp(laplacianVariance(crop), th.MinSharpness))
	if len(f.pts) == 68 {
		yaw := math.Abs(estimatePose(f.pts).Yaw)
		q = math.Min(q, clamp(2-yaw/th.MaxYaw, 0, 1))
	}
	mean, _ := meanStd(crop)
	switch {
	case mean < th.MinBrightness:
		q = math.Min(q, ramp(mean, th.MinBrightness))
	case mean > th.MaxBrightness:
		q = math.Min(q, clamp(1-(mean-th.MaxBrightness)/(255-th.MaxBrightness), 0, 1))
	}
	return q
}
