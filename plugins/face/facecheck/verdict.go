package facecheck

import (
	"time"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// rule builds one sdk.Rule; pass decides between Pass and outcome fail (Fail unless stated).
func rule(name string, pass bool, failReason string, value, threshold float64, unit string) sdk.Rule {
	r := sdk.Rule{Name: name, Value: value, Threshold: threshold, Unit: unit, Outcome: sdk.Pass, Reason: "verdict." + name + ".ok"}
	if !pass {
		r.Outcome, r.Reason = sdk.Fail, failReason
	}
	return r
}

// combine derives the overall outcome from the rules: any Fail fails, else any CouldNotVerify
// could not verify, else any NeedsReview needs review; only all-Pass passes, and no rules never
// passes. Reasons list the non-passing rules' keys in rule order.
func combine(rules []sdk.Rule, start time.Time) sdk.Verdict {
	v := sdk.Verdict{Rules: rules, Duration: time.Since(start)}
	worst := map[sdk.Outcome]bool{}
	for _, r := range rules {
		o := r.Outcome.Effective()
		worst[o] = true
		if o != sdk.Pass {
			v.Reasons = append(v.Reasons, r.Reason)
		}
	}
	switch {
	case len(rules) == 0:
		v.Outcome = sdk.CouldNotVerify
		v.Reasons = []string{"verdict.face.no_rules"}
	case worst[sdk.Fail]:
		v.Outcome = sdk.Fail
	case worst[sdk.CouldNotVerify]:
		v.Outcome = sdk.CouldNotVerify
	case worst[sdk.NeedsReview]:
		v.Outcome = sdk.NeedsReview
	default:
		v.Outcome = sdk.Pass
	}
	return v
}

// single is a verdict made of one rule (an unreadable image, a cancelled call).
func single(name string, o sdk.Outcome, reason string, start time.Time) sdk.Verdict {
	return combine([]sdk.Rule{{Name: name, Outcome: o, Reason: reason}}, start)
}
