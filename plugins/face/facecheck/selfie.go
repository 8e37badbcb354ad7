package facecheck

import (
	"context"
	"crypto/sha256"
	"image"
	"math"
	"time"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// CheckSelfie applies every selfie rule and derives the outcome from them; nothing passes by
// default. An unreadable or oversized image fails with its reason key, a cancelled call could not
// be verified.
func (d *Detector) CheckSelfie(ctx context.Context, req sdk.SelfieRequest) (sdk.Verdict, error) {
	start := time.Now()
	if err := ctx.Err(); err != nil {
		return single("face.call", sdk.CouldNotVerify, "verdict.face.cancelled", start), nil
	}
	pic, err := decode(req.Image)
	if err != nil {
		return single("face.image", sdk.Fail, imageReason(err), start), nil
	}
	// BlazeFace (onnxruntime, one thread) finds every face, the people behind the applicant
	// included; go-face (dlib) then looks only around the largest of them (see Detector.faces).
	back, backErr := d.backgroundFaces(pic)
	fs, err := d.faces(pic, largestBox(back))
	if err != nil {
		return single("face.detector", sdk.CouldNotVerify, "verdict.face.detector_error", start), nil
	}
	// go-face computed the descriptor anyway: the kiosk matches this selfie right after, and
	// MatchFaces then takes it from the cache instead of a second pass through the networks.
	c := cached{key: sha256.Sum256(req.Image.Data), faces: len(fs)}
	if best := largest(fs); best >= 0 {
		c.desc, c.qual = fs[best].Descriptor, pictureQuality(pic, fs[best], d.th)
	}
	d.cache.put(c)
	if err := ctx.Err(); err != nil {
		return single("face.call", sdk.CouldNotVerify, "verdict.face.cancelled", start), nil
	}
	rules := d.selfieRules(pic, fs, back, backErr, req.Guide)
	if req.DressCodeReview {
		rules = append(rules, sdk.Rule{Name: "face.dress_code", Outcome: sdk.NeedsReview, Reason: "verdict.face.dress_code.review"})
	}
	return combine(rules, start), nil
}

// guideRect turns the normalised guide into working-image pixels; an empty guide is the whole image.
func guideRect(g sdk.Rect, w, h int) (cx, cy, rx, ry float64) {
	if g.W <= 0 || g.H <= 0 {
		g = sdk.Rect{X: 0, Y: 0, W: 1, H: 1}
	}
	return (g.X + g.W/2) * float64(w), (g.Y + g.H/2) * float64(h), g.W / 2 * float64(w), g.H / 2 * float64(h)
}

// selfieRules measures the picture; background are BlazeFace's faces (backErr when it could not
// look, which makes the background rule could-not-verify).
func (d *Detector) selfieRules(pic *picture, fs []detected, background []image.Rectangle, backErr error, guide sdk.Rect) []sdk.Rule {
	th := d.th
	known := make([]image.Rectangle, len(fs))
	for i, f := range fs {
		known[i] = f.Rectangle
	}
	n := len(fs) + len(extraOf(background, known))
	switch {
	case n == 0:
		return []sdk.Rule{{Name: "face.count", Outcome: sdk.Fail, Reason: "verdict.face.count.none", Value: 0, Threshold: 1}}
	case n > 1:
		return []sdk.Rule{{Name: "face.count", Outcome: sdk.Fail, Reason: "verdict.face.count.several", Value: float64(n), Threshold: 1}}
	case len(fs) == 0:
		// Only BlazeFace saw a face: too small or turned for the landmark and descriptor models.
		return []sdk.Rule{{Name: "face.count", Outcome: sdk.Fail, Reason: "verdict.face.count.unclear", Value: 0, Threshold: 1}}
	}
	f := fs[0]
	rules := []sdk.Rule{{Name: "face.count", Outcome: sdk.Pass, Reason: "verdict.face.count.ok", Value: 1, Threshold: 1}}
	if backErr != nil {
		// One face found, but nobody looked for people behind: never a pass.
		rules = append(rules, sdk.Rule{Name: "face.background", Outcome: sdk.CouldNotVerify, Reason: "verdict.face.background.unverified"})
	}
	box := f.Rectangle.Intersect(pic.gray.Bounds())
	w, h := pic.gray.Bounds().Dx(), pic.gray.Bounds().Dy()

	// Inside the guide oval: the face box's mid-edge points in normalised oval radius.
	cx, cy, rx, ry := guideRect(guide, w, h)
	fit := 0.0
	for _, q := range []pt{{float64(box.Min.X), mid2(box.Min.Y, box.Max.Y)}, {float64(box.Max.X), mid2(box.Min.Y, box.Max.Y)},
		{mid2(box.Min.X, box.Max.X), float64(box.Min.Y)}, {mid2(box.Min.X, box.Max.X), float64(box.Max.Y)}} {
		fit = math.Max(fit, math.Hypot((q.X-cx)/rx, (q.Y-cy)/ry))
	}
	rules = append(rules, rule("face.position", fit <= th.GuideFit, "verdict.face.position.outside_guide", fit, th.GuideFit, "ratio"))

	ratio := float64(box.Dx()) / (2 * rx)
	switch {
	case ratio < th.MinFaceRatio:
		rules = append(rules, rule("face.size", false, "verdict.face.size.too_small", ratio, th.MinFaceRatio, "ratio"))
	case ratio > th.MaxFaceRatio:
		rules = append(rules, rule("face.size", false, "verdict.face.size.too_large", ratio, th.MaxFaceRatio, "ratio"))
	default:
		rules = append(rules, rule("face.size", true, "", ratio, th.MinFaceRatio, "ratio"))
	}
	px := float64(box.Dx()) * pic.scale
	rules = append(rules, rule("face.resolution", px >= th.MinFacePixels, "verdict.face.resolution.low", px, th.MinFacePixels, "px"))

	// Pose and eyes need the 68-point landmarks; a genuine 5-point predictor cannot measure them.
	if len(f.pts) == 68 {
		ps := estimatePose(f.pts)
		rules = append(rules,
			rule("face.pose.yaw", math.Abs(ps.Yaw) <= th.MaxYaw, "verdict.face.pose.turned", ps.Yaw, th.MaxYaw, "deg"),
			rule("face.pose.pitch", math.Abs(ps.Pitch) <= th.MaxPitch, "verdict.face.pose.tilted", ps.Pitch, th.MaxPitch, "deg"),
			rule("face.pose.roll", math.Abs(ps.Roll) <= th.MaxRoll, "verdict.face.pose.rolled", ps.Roll, th.MaxRoll, "deg"),
		)
		ear := eyeAspectRatio(f.pts)
		rules = append(rules, rule("face.eyes", ear >= th.MinEyeAspect, "verdict.face.eyes.closed", ear, th.MinEyeAspect, "ratio"))
		if cov, ok := coveringScore(pic.rgba, f.pts); ok {
			rules = append(rules, rule("face.covering", cov <= th.MaxCovering, "verdict.face.covering.detected", cov, th.MaxCovering, ""))
		} else {
			rules = append(rules, sdk.Rule{Name: "face.covering", Outcome: sdk.CouldNotVerify, Reason: "verdict.face.covering.unmeasured"})
		}
	} else {
		for _, n := range []string{"face.pose", "face.eyes", "face.covering"} {
			rules = append(rules, sdk.Rule{Name: n, Outcome: sdk.CouldNotVerify, Reason: "verdict.face.landmarks.unsupported", Value: float64(len(f.pts)), Threshold: 68})
		}
	}

	crop := cropGray(pic.gray, box, 128)
	sharp := laplacianVariance(crop)
	rules = append(rules, rule("face.sharpness", sharp >= th.MinSharpness, "verdict.face.sharpness.blurred", sharp, th.MinSharpness, ""))
	mean, std := meanStd(crop)
	switch {
	case mean < th.MinBrightness:
		rules = append(rules, rule("face.exposure", false, "verdict.face.exposure.too_dark", mean, th.MinBrightness, ""))
	case mean > th.MaxBrightness:
		rules = append(rules, rule("face.exposure", false, "verdict.face.exposure.too_bright", mean, th.MaxBrightness, ""))
	default:
		rules = append(rules, rule("face.exposure", true, "", mean, th.MinBrightness, ""))
	}
	rules = append(rules, rule("face.contrast", std >= th.MinContrast, "verdict.face.contrast.low", std, th.MinContrast, ""))

	sides := float64(frameSides(pic.gray, box))
	rules = append(rules, rule("face.frame", sides <= th.MaxFrameSides, "verdict.face.frame.detected", sides, th.MaxFrameSides, ""))
	return rules
}

func mid2(a, b int) float64 { return float64(a+b) / 2 }
