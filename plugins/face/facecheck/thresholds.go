package facecheck

// Thresholds are the decision limits of every rule. Defaults are documented where they come from;
// a deployment may tune them.
type Thresholds struct {
	// Face size: face box width over the guide oval's width, and in original pixels.
	MinFaceRatio, MaxFaceRatio float64
	MinFacePixels              float64
	// GuideFit: the face box's mid-edge points must lie within this normalised oval radius.
	GuideFit float64
	// Pose limits in degrees.
	MaxYaw, MaxPitch, MaxRoll float64
	// MinEyeAspect: mean eye aspect ratio below which the eyes count as closed.
	MinEyeAspect float64
	// MinSharpness: variance of the Laplacian on the face resized to 128 px wide.
	MinSharpness float64
	// Exposure: mean face luma range and minimum luma standard deviation (contrast).
	MinBrightness, MaxBrightness, MinContrast float64
	// MaxCovering: chroma distance between the lower face and the skin between the eyes.
	MaxCovering float64
	// MaxFrameSides: straight strong edges on more sides than this around the face mean a photo
	// or a screen is held up.
	MaxFrameSides float64
	// Match: descriptor distance at or below MatchPass passes; up to MatchReview an operator
	// reviews; above it fails. MatchFMR/MatchFNMR are the measured error rates at MatchPass.
	MatchPass, MatchReview float64
	MatchFMR, MatchFNMR    float64
}

// DefaultThresholds returns the limits measured on the project's test photos (see
// `ehrazctl eval face` for the matching threshold).
func DefaultThresholds() Thresholds {
	return Thresholds{
		MinFaceRatio:  0.30,
		MaxFaceRatio:  1.00,
		MinFacePixels: 90,
		GuideFit:      1.15,
		MaxYaw:        20,
		MaxPitch:      20,
		MaxRoll:       15,
		MinEyeAspect:  0.17,
		MinSharpness:  50,
		MinBrightness: 60,
		MaxBrightness: 210,
		MinContrast:   18,
		MaxCovering:   25,
		MaxFrameSides: 2,
		// `ehrazctl eval face` on $SHARED/testdata/faces (33 photos, 28 same-person and 437
		// different-person pairs): the closest different-person pair lies at 0.348, so 0.34
		// passes no impostor pair there (FMR 0 on 437 pairs: below ~0.7% at 95% confidence) and
		// 93% of genuine pairs go to review; half of all pairs are under 0.55, so dlib's 0.6 would
		// accept most impostors on this data. MatchReview keeps 95% of genuine pairs out of fail.
		MatchPass:   0.34,
		MatchReview: 0.62,
		MatchFMR:    0,
		MatchFNMR:   0.93,
	}
}
