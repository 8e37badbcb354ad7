package sdk

import "testing"

// Nothing passes by default: the zero outcome and any unknown one are could-not-verify.
func TestOutcomeEffective(t *testing.T) {
	for o, want := range map[Outcome]Outcome{OutcomeUnspecified: CouldNotVerify, Outcome(42): CouldNotVerify,
		Outcome(-1): CouldNotVerify, Pass: Pass, Fail: Fail, NeedsReview: NeedsReview, CouldNotVerify: CouldNotVerify} {
		if got := o.Effective(); got != want {
			t.Errorf("%v.Effective() = %v, want %v", o, got, want)
		}
	}
	if v := CouldNotVerifyVerdict(ReasonUnimplemented); v.Outcome != CouldNotVerify || len(v.Reasons) != 1 || v.Reasons[0] != ReasonUnimplemented {
		t.Errorf("CouldNotVerifyVerdict: %+v", v)
	}
}
