package facecheck

import (
	"context"
	"crypto/sha256"
	"math"
	"time"

	face "github.com/Kagami/go-face"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// MatchFaces compares the largest face of the probe with the largest face of the reference by
// the Euclidean distance of their dlib ResNet descriptors, and estimates the false-match rate at
// that distance from the calibration table (Verdict.Match, and the rule face.match.fmr). Its own
// outcome applies Thresholds.MatchPassFMR/MatchFailFMR to the estimate; the kiosk decides with
// its configured policy. A picture without a face fails with its key.
func (d *Detector) MatchFaces(ctx context.Context, req sdk.MatchRequest) (sdk.Verdict, error) {
	start := time.Now()
	if err := ctx.Err(); err != nil {
		return single("face.call", sdk.CouldNotVerify, "verdict.face.cancelled", start), nil
	}
	var rules []sdk.Rule
	var descs [2]*face.Descriptor
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
			fs, err := d.faces(pic)
			if err != nil {
				return single("face.detector", sdk.CouldNotVerify, "verdict.face.detector_error", start), nil
			}
			c = cached{key: key, faces: len(fs)}
			if best := largest(fs); best >= 0 {
				c.desc = fs[best].Descriptor
			}
			d.cache.put(c)
		}
		if c.faces == 0 {
			rules = append(rules, sdk.Rule{Name: "face.match." + side.name, Outcome: sdk.Fail, Reason: "verdict.face.match." + side.name + ".no_face", Value: 0, Threshold: 1})
			continue
		}
		descs[i] = &c.desc
		rules = append(rules, sdk.Rule{Name: "face.match." + side.name, Outcome: sdk.Pass, Reason: "verdict.face.match." + side.name + ".ok", Value: float64(c.faces), Threshold: 1})
		if err := ctx.Err(); err != nil {
			return single("face.call", sdk.CouldNotVerify, "verdict.face.cancelled", start), nil
		}
	}
	if descs[0] == nil || descs[1] == nil {
		return combine(rules, start), nil
	}
	dist := math.Sqrt(face.SquaredEuclideanDistance(*descs[0], *descs[1]))
	est := d.cal.FMR(dist)
	rules = append(rules, d.matchRule(dist, est),
		sdk.Rule{Name: "face.match.fmr", Outcome: sdk.Pass, Reason: "verdict.face.match.fmr", Value: est, Threshold: d.th.MatchPassFMR, Unit: "ratio"})
	v := combine(rules, start)
	v.Score = 1 - est
	v.Match = &sdk.MatchScore{Distance: dist, EstimatedFMR: est, Calibration: d.cal.ID}
	return v, nil
}

// largest is the index of the face with the largest box, or -1 when there is none.
func largest(fs []detected) int {
	best := -1
	for j, f := range fs {
		if best < 0 || f.Rectangle.Dx()*f.Rectangle.Dy() > fs[best].Rectangle.Dx()*fs[best].Rectangle.Dy() {
			best = j
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
