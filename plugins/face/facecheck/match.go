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
// the Euclidean distance of their dlib ResNet descriptors: at or below MatchPass it passes, up to
// MatchReview an operator reviews, above it fails. The rules carry the distance and the measured
// FMR/FNMR of the pass threshold. A picture without a face fails with its key.
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
	th := d.th
	r := th.matchRule(dist)
	rules = append(rules,
		r,
		// The error rates behind the pass threshold, from `ehrazctl eval face` (informational).
		sdk.Rule{Name: "face.match.fmr", Outcome: sdk.Pass, Reason: "verdict.face.match.fmr", Value: th.MatchFMR, Threshold: th.MatchPass, Unit: "ratio"},
		sdk.Rule{Name: "face.match.fnmr", Outcome: sdk.Pass, Reason: "verdict.face.match.fnmr", Value: th.MatchFNMR, Threshold: th.MatchPass, Unit: "ratio"},
	)
	v := combine(rules, start)
	v.Score = clamp(1-dist/(2*th.MatchPass), 0, 1)
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

// matchRule decides on a descriptor distance: at or below MatchPass the faces match, up to
// MatchReview an operator reviews, above it they differ.
func (th Thresholds) matchRule(dist float64) sdk.Rule {
	r := sdk.Rule{Name: "face.match.distance", Value: dist, Threshold: th.MatchPass, Unit: "euclidean"}
	switch {
	case dist <= th.MatchPass:
		r.Outcome, r.Reason = sdk.Pass, "verdict.face.match.same"
	case dist <= th.MatchReview:
		r.Outcome, r.Reason, r.Threshold = sdk.NeedsReview, "verdict.face.match.uncertain", th.MatchReview
	default:
		r.Outcome, r.Reason, r.Threshold = sdk.Fail, "verdict.face.match.different", th.MatchReview
	}
	return r
}
