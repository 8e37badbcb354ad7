package flow

import (
	"maps"
	"slices"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// cloneRecord deep-copies r so the Machine, the store and snapshots never share maps or slices.
func cloneRecord(r Record) Record {
	c := r
	if r.Person != nil {
		p := *r.Person
		c.Person = &p
	}
	c.Challenge = slices.Clone(r.Challenge)
	c.ChallengeWindows = slices.Clone(r.ChallengeWindows)
	c.Attempts = maps.Clone(r.Attempts)
	c.Failures = maps.Clone(r.Failures)
	c.Checks = cloneChecks(r.Checks)
	c.Media = maps.Clone(r.Media)
	return normalizeRecord(c)
}

// normalizeRecord gives a record from the store non-nil maps.
func normalizeRecord(r Record) Record {
	if r.Attempts == nil {
		r.Attempts = map[Step]int{}
	}
	if r.Failures == nil {
		r.Failures = map[Step]int{}
	}
	if r.Checks == nil {
		r.Checks = map[Step]CheckResult{}
	}
	if r.Media == nil {
		r.Media = map[string]string{}
	}
	return r
}

func cloneChecks(in map[Step]CheckResult) map[Step]CheckResult {
	if in == nil {
		return nil
	}
	out := make(map[Step]CheckResult, len(in))
	for k, v := range in {
		v.Verdict = cloneVerdict(v.Verdict)
		v.Challenge = slices.Clone(v.Challenge)
		v.Windows = slices.Clone(v.Windows)
		out[k] = v
	}
	return out
}

func cloneVerdict(v sdk.Verdict) sdk.Verdict {
	v.Reasons = slices.Clone(v.Reasons)
	v.Rules = slices.Clone(v.Rules)
	v.Artifacts = slices.Clone(v.Artifacts)
	for i := range v.Artifacts {
		v.Artifacts[i].Image.Data = slices.Clone(v.Artifacts[i].Image.Data)
	}
	return v
}

// withoutImages keeps a verdict's artifacts as names and timestamps only: the images are stored
// as media (or dropped), not inside the session record.
func withoutImages(v sdk.Verdict) sdk.Verdict {
	v = cloneVerdict(v)
	for i := range v.Artifacts {
		v.Artifacts[i].Image.Data = nil
	}
	return v
}

// wiped is r without personal data: what Store.Wipe keeps. Step history counts, verdicts
// (outcomes, reason keys and measured numbers, no images) and times stay.
func wiped(r Record) Record {
	w := cloneRecord(r)
	w.Mobile, w.NationalCode, w.Tracking, w.CardSerial, w.ClientIP = "", "", "", "", ""
	w.Person = nil
	w.CardKind = ""
	w.MobileOTP, w.SejamOTP = OTPState{}, OTPState{}
	w.Challenge, w.ChallengeWindows = nil, nil
	w.Media = map[string]string{}
	for k, c := range w.Checks {
		c.Verdict = withoutImages(c.Verdict)
		w.Checks[k] = c
	}
	return w
}
