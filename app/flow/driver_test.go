package flow

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
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

// TestEveryActionAtEveryWrongStep: every action of the Driver (Submit with each Answer type,
// Resend of each code, Back) is tried at every step where it is not allowed, the finished ones
// included. An answer or a resend is refused with flow.wrong_step (Back with
// flow.back.not_allowed, its own key), and nothing changes: not the stored record, its events or
// media, not the state on screen, and no outside service or detector is called (issue 18: a
// selfie sent at the mobile step must not run).
func TestEveryActionAtEveryWrongStep(t *testing.T) {
	answers := []Answer{Begin{}, MobileNumber{"09121234567"}, MobileCode{goodOTP}, Identity{ncAdult, "1402000001"},
		SejamCode{goodSejam}, Card{"1G23456789"}, Selfie{jpeg}, Signature{sigImg}, Video{frames(8)},
		ConfirmReview{}, AcceptCommitments{}}
	resends := []struct {
		p  OTPPurpose
		at Step
	}{{OTPMobile, StepMobileOTP}, {OTPSejam, StepSejamOTP}}
	// Where Back is allowed (the rules are tested in TestBack): written out here, not read from
	// the flow's own table.
	backAllowed := []Step{StepMobile, StepMobileOTP, StepSejamOTP, StepSignature, StepVideo, StepReview, StepCommitments}

	reach := map[Step]func(r *rig){
		StepExpired: func(r *rig) { r.walk(StepMobile); r.must(errOf(r.m.Abandon(r.ctx))) },
		StepLocked: func(r *rig) {
			r.cfg.CodeAttempts = 1
			r.m = r.machine(r.store)
			r.walk(StepMobileOTP)
			wantKey(r.t, r.do(MobileCode{"000000"}), "otp.wrong_code")
		},
		StepRejected: func(r *rig) {
			r.walk(StepCardSerial)
			r.elig.err = &Error{Key: "eligibility.under_18"}
			wantKey(r.t, r.do(Card{"1G23456789"}), "eligibility.under_18")
			r.elig.err = nil
		},
	}
	steps := append(append([]Step{StepWelcome}, Steps...), StepSubmitted, StepExpired, StepLocked, StepRejected)

	type world struct {
		Record     Record
		Events     []string
		Media      []string
		Saves      int
		Snapshot   Snapshot
		OTPSends   int
		RegCalls   int
		Liveness   int
		Matches    int
		Dossiers   int
		Challenges int
	}
	look := func(r *rig) world {
		r.t.Helper()
		id := r.m.Snapshot().SessionID
		r.store.mu.Lock()
		saves := r.store.saves
		r.store.mu.Unlock()
		return world{Record: r.stored(), Events: r.store.eventNames(id), Media: r.store.mediaNames(id), Saves: saves,
			Snapshot: r.m.Snapshot(), OTPSends: len(r.otp.sends), RegCalls: r.reg.calls,
			Liveness: len(r.det.challenges), Matches: len(r.det.matchRefs), Dossiers: len(r.dos.ids), Challenges: r.chal.n}
	}

	for _, at := range steps {
		t.Run(string(at), func(t *testing.T) {
			r := newRig(t)
			if f, ok := reach[at]; ok {
				f(r)
			} else {
				r.walk(at)
			}
			r.wantStep(at)
			before := look(r)
			tried := 0
			refused := func(what string, snap Snapshot, err error, key string) {
				t.Helper()
				tried++
				var fe *Error
				if !errors.As(err, &fe) || fe.Key != key {
					t.Errorf("%s at %s: error %v, want %s", what, at, err, key)
				}
				if snap.Step != at {
					t.Errorf("%s at %s moved to %s", what, at, snap.Step)
				}
			}
			for _, a := range answers {
				if a.Step() == at {
					continue
				}
				snap, err := r.m.Submit(r.ctx, a)
				refused(fmt.Sprintf("%T", a), snap, err, "flow.wrong_step")
			}
			for _, rs := range resends {
				if rs.at == at {
					continue
				}
				snap, err := r.m.Resend(r.ctx, rs.p)
				refused("Resend("+string(rs.p)+")", snap, err, "flow.wrong_step")
			}
			if !slices.Contains(backAllowed, at) {
				snap, err := r.m.Back(r.ctx)
				refused("Back", snap, err, "flow.back.not_allowed")
			}
			if tried == 0 {
				t.Fatal("no action tried")
			}
			if after := look(r); !reflect.DeepEqual(before, after) {
				t.Errorf("refused actions at %s changed something:\n before %+v\n after  %+v", at, before, after)
			}
		})
	}
}
