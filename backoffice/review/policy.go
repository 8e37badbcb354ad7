package review

import (
	"github.com/ehraz/ehraz/domain/dossier"
)

// Finding is one reason the rule did not approve a dossier by itself, as a locale key (see
// locales/*/console.json) and the step it concerns.
type Finding struct {
	Key  string `json:"key"`
	Step string `json:"step,omitempty"`
}

// RequiredSteps are the steps whose detector verdict a dossier must carry to be approved by rule.
var RequiredSteps = []string{"selfie", "signature", "video"}

// MaxFailedAttempts is how many failed attempts at one step the rule tolerates before a person
// looks (a retake after bad light is normal; probing the detector is not).
const MaxFailedAttempts = 2

// overrideReason marks an operator's override in a dossier's checks (the kiosk store's
// OverrideReason; the dossier format carries it as the first reason).
const overrideReason = "store.override"

// Assess is the rule that decides without a person: a dossier is approved by rule only when
// every required step has a check, the last check of each step passed, no check of any attempt
// answered needs-review or could-not-verify, no operator overrode a verdict, and no step
// failed more than MaxFailedAttempts times. Anything else goes to a reviewer, with the findings
// saying why. A dossier with no findings is auto-approved.
func Assess(d dossier.Dossier) []Finding {
	var out []Finding
	last := map[string]dossier.Check{}
	failed := map[string]int{}
	for _, c := range d.Checks {
		if len(c.Reasons) > 0 && c.Reasons[0] == overrideReason {
			out = append(out, Finding{Key: "review.finding.override", Step: c.Step})
			continue
		}
		switch c.Outcome {
		case "pass":
		case "fail":
			failed[c.Step]++
		case "needs-review":
			out = append(out, Finding{Key: "review.finding.needs_review", Step: c.Step})
		default: // could-not-verify, or anything a newer kiosk may send that we do not know
			out = append(out, Finding{Key: "review.finding.could_not_verify", Step: c.Step})
		}
		if p, ok := last[c.Step]; !ok || c.Attempt >= p.Attempt {
			last[c.Step] = c
		}
	}
	for _, step := range RequiredSteps {
		c, ok := last[step]
		switch {
		case !ok:
			out = append(out, Finding{Key: "review.finding.missing", Step: step})
		case c.Outcome == "fail":
			out = append(out, Finding{Key: "review.finding.failed", Step: step})
		}
		if failed[step] > MaxFailedAttempts {
			out = append(out, Finding{Key: "review.finding.many_attempts", Step: step})
		}
	}
	return out
}
