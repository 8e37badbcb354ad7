package ui

// Reason keys come from the detector plugins, written for the operator and the audit (what was
// measured and how). The applicant sees plain advice instead: what to do on the next take. A
// reason with no entry here is already worded for the applicant and is shown as it is; an entry
// mapped to "" is a measurement's name, never advice, and is not shown at all.
var applicantAdvice = map[string]string{
	"verdict.liveness.spoof.net":          "ui.advice.be_yourself",
	"verdict.liveness.spoof.suspected":    "ui.advice.be_yourself",
	"verdict.liveness.spoof.border":       "ui.advice.be_yourself",
	"verdict.liveness.spoof.moire":        "ui.advice.be_yourself",
	"verdict.liveness.spoof.glare":        "ui.advice.be_yourself",
	"verdict.liveness.spoof.flat":         "ui.advice.be_yourself",
	"verdict.face.frame.detected":         "ui.advice.be_yourself",
	"verdict.liveness.spoof.unmeasured":   "ui.advice.operator_checks",
	"verdict.face.landmarks.unsupported":  "ui.advice.operator_checks",
	"verdict.face.covering.unmeasured":    "ui.advice.operator_checks",
	"verdict.liveness.hand.frames":        "",
	"verdict.liveness.hand.learned_share": "",
	"verdict.liveness.hand.count":         "",
	"verdict.face.match.fmr":              "",
	"verdict.face.match.fnmr":             "",
}

// adviceFor turns a verdict's reasons into what the applicant reads: plain advice, each line once.
func adviceFor(reasons []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range reasons {
		k, mapped := applicantAdvice[r]
		if !mapped {
			k = r
		}
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, k)
	}
	return out
}
