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
	// Match: the estimated false-match rate (the calibration table's value at the descriptor
	// distance) at or under MatchPassFMR passes, above MatchFailFMR fails, between them an
	// operator reviews. The kiosk applies its own configured policy to the same estimate; these
	// are the plugin's answer for a host that does not.
	MatchPassFMR, MatchFailFMR float64
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
		// The kiosk's default face policy (app/flow DefaultFacePolicy; README "Face matching"):
		// with the reference table, pass at distance ≤ 0.29 and fail above 0.435.
		MatchPassFMR: 0.05,
		MatchFailFMR: 0.95,
	}
}
