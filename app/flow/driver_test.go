package flow

import (
	"reflect"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// TestDriverReturnsTheNewSnapshot: every state-changing call hands back the state after it, the
// same one Snapshot reports, also when it fails.
func TestDriverReturnsTheNewSnapshot(t *testing.T) {
	r := newRig(t)
	r.walk(StepWelcome)
	same := func(what string, got Snapshot) {
		t.Helper()
		if want := r.m.Snapshot(); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s returned\n %+v\nSnapshot() is\n %+v", what, got, want)
		}
	}
	for _, a := range []Answer{Begin{}, MobileNumber{"09121234567"}, MobileCode{goodOTP}, Identity{ncAdult, "1402000001"},
		SejamCode{goodSejam}, Card{"1G23456789"}, Selfie{jpeg}, Signature{sigImg}, Video{frames(8)},
		ConfirmReview{}, AcceptCommitments{}} {
		if got := r.step(); got != a.Step() {
			t.Fatalf("at %s, answer for %s", got, a.Step())
		}
		snap, err := r.m.Submit(r.ctx, a)
		r.must(err)
		same(string(a.Step()), snap)
		if snap.Step == a.Step() {
			t.Fatalf("%T did not move on", a)
		}
	}
	if got := r.step(); got != StepSubmitted {
		t.Fatalf("at %s", got)
	}
	if c := r.m.Snapshot().Checks[StepVideo]; c.Verdict.Outcome != sdk.Pass || c.Attempt != 1 {
		t.Errorf("video verdict in the snapshot: %+v", c)
	}
}

func TestDriverErrorsReturnTheStateTheyLeft(t *testing.T) {
	r := newRig(t)
	r.cfg.CodeAttempts = 2
	r.m = r.machine(r.store)
	r.walk(StepMobileOTP)
	// An answer for another step is refused and changes nothing.
	snap, err := r.m.Submit(r.ctx, ConfirmReview{})
	wantKey(t, err, "flow.wrong_step")
	if snap.Step != StepMobileOTP {
		t.Errorf("wrong-step answer left %s", snap.Step)
	}
	// The last wrong code locks the session: the error comes with the locked state.
	_, err = r.m.Submit(r.ctx, MobileCode{"000000"})
	wantKey(t, err, "otp.wrong_code")
	snap, err = r.m.Submit(r.ctx, MobileCode{"000000"})
	wantKey(t, err, "otp.wrong_code")
	if snap.Step != StepLocked || snap.Outcome != "flow.outcome.locked_codes" {
		t.Errorf("locking code returned %s %q", snap.Step, snap.Outcome)
	}
	if _, err := r.m.Submit(r.ctx, nil); err == nil {
		t.Error("a nil answer was accepted")
	}
}

func TestDriverResendAndCaptureVerdict(t *testing.T) {
	r := newRig(t)
	r.walk(StepMobileOTP)
	sends := len(r.otp.sends)
	snap, err := r.m.Resend(r.ctx, OTPMobile)
	r.must(err)
	if len(r.otp.sends) != sends+1 || snap.MobileOTP.ExpiresAt.IsZero() {
		t.Errorf("resend: %d sends, state %+v", len(r.otp.sends)-sends, snap.MobileOTP)
	}
	_, err = r.m.Resend(r.ctx, OTPSejam)
	wantKey(t, err, "flow.wrong_step")
	if _, err := r.m.Resend(r.ctx, "fax"); err == nil {
		t.Error("resend of an unknown code accepted")
	}
	// A failed selfie stays for a retake; its verdict is in the returned snapshot.
	fail := sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{"verdict.face.count.none"}}
	r.det.selfie = []sdk.Verdict{fail}
	r.walk(StepSelfie)
	snap, err = r.m.Submit(r.ctx, Selfie{jpeg})
	r.must(err)
	if c := snap.Checks[StepSelfie]; snap.Step != StepSelfie || c.Verdict.Outcome != sdk.Fail || !reflect.DeepEqual(c.Verdict.Reasons, fail.Reasons) {
		t.Errorf("failed selfie: step %s check %+v", snap.Step, c)
	}
	// Back and Abandon hand back where they left the session.
	r.det.selfie = nil
	r.walk(StepVideo)
	if snap, err = r.m.Back(r.ctx); err != nil || snap.Step != StepSignature {
		t.Errorf("back: %s %v", snap.Step, err)
	}
	if snap, err = r.m.Abandon(r.ctx); err != nil || snap.Step != StepExpired {
		t.Errorf("abandon: %s %v", snap.Step, err)
	}
}

// TestEveryAnswerAtEveryWrongStep: an answer is accepted only at its own step. At every other
// step it is refused with flow.wrong_step and nothing is saved (issue 18: a selfie sent at the
// mobile step must not run); a resend is likewise refused outside its code's step.
func TestEveryAnswerAtEveryWrongStep(t *testing.T) {
	answers := []Answer{Begin{}, MobileNumber{"09121234567"}, MobileCode{goodOTP}, Identity{ncAdult, "1402000001"},
		SejamCode{goodSejam}, Card{"1G23456789"}, Selfie{jpeg}, Signature{sigImg}, Video{frames(8)},
		ConfirmReview{}, AcceptCommitments{}}
	resends := map[OTPPurpose]Step{OTPMobile: StepMobileOTP, OTPSejam: StepSejamOTP}
	for _, at := range append([]Step{StepWelcome}, Steps...) {
		r := newRig(t)
		r.walk(at)
		before := r.stored()
		for _, a := range answers {
			if a.Step() == at {
				continue
			}
			snap, err := r.m.Submit(r.ctx, a)
			wantKey(t, err, "flow.wrong_step")
			if snap.Step != at {
				t.Errorf("%T at %s moved to %s", a, at, snap.Step)
			}
		}
		for p, step := range resends {
			if step == at {
				continue
			}
			_, err := r.m.Resend(r.ctx, p)
			wantKey(t, err, "flow.wrong_step")
		}
		if after := r.stored(); !reflect.DeepEqual(before, after) {
			t.Errorf("wrong-step answers at %s changed the stored session:\n before %+v\n after  %+v", at, before, after)
		}
	}
}
