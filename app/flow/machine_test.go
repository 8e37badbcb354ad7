package flow

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
)

func TestNewRequiresPorts(t *testing.T) {
	_, err := New(Deps{}, Config{})
	if err == nil || !strings.Contains(err.Error(), "Detectors") || !strings.Contains(err.Error(), "Store") {
		t.Fatalf("New without ports: %v", err)
	}
	r := newRig(t)
	if _, err := New(r.deps(r.store), Config{Mode: "drive-through"}); err == nil {
		t.Fatal("unknown mode accepted")
	}
}

func TestHappySession(t *testing.T) {
	r := newRig(t)
	r.walk(StepWelcome)
	for i, want := range append([]Step{StepWelcome}, Steps...) {
		snap := r.m.Snapshot()
		if snap.Step != want || snap.StepIndex != i {
			t.Fatalf("at %d: step %s index %d, want %s %d", i, snap.Step, snap.StepIndex, want, i)
		}
		r.advance()
	}
	r.wantStep(StepSubmitted)
	snap := r.m.Snapshot()
	if snap.Mobile != mobile || snap.CardSerial != "1G23456789" || snap.CardKind != kyc.SmartCard {
		t.Errorf("snapshot data: %q %q %q", snap.Mobile, snap.CardSerial, snap.CardKind)
	}
	if snap.Person == nil || snap.Person.FirstName != "علی" || snap.Person.LastName != "کریمی" {
		t.Errorf("person not normalized: %+v", snap.Person)
	}
	for _, s := range []Step{StepSelfie, StepSignature, StepVideo} {
		if c := snap.Checks[s]; c.Verdict.Outcome != sdk.Pass || c.Attempt != 1 {
			t.Errorf("check %s: %+v", s, c)
		}
	}
	if snap.CanGoBack || snap.StepIndex != 0 || snap.Outcome != "" {
		t.Errorf("submitted snapshot: back %v index %d outcome %q", snap.CanGoBack, snap.StepIndex, snap.Outcome)
	}
	rec := r.stored()
	if rec.Step != StepSubmitted || rec.AcceptedAt.IsZero() || rec.NationalCode != ncAdult || rec.Tracking != "1402000001" {
		t.Errorf("stored record: %+v", rec)
	}
	if got := r.store.mediaNames(rec.ID); !slices.Equal(got, []string{"registry.photo", "selfie", "signature", "signature.clean", "video"}) {
		t.Errorf("media %v", got)
	}
	for _, name := range []string{"registry.photo", "selfie", "signature", "signature.clean", "video"} {
		if rec.Media[name] == "" {
			t.Errorf("record lacks media hash %s", name)
		}
	}
	if !slices.Equal(r.dos.ids, []string{rec.ID}) {
		t.Errorf("dossier queue %v", r.dos.ids)
	}
	wantEvents := []string{"started", "begun", "mobile.submitted", "mobile_otp.verified", "identity.submitted",
		"sejam_otp.verified", "card.verified", "selfie.checked", "signature.checked", "video.checked",
		"review.confirmed", "commitments.accepted"}
	if got := r.store.eventNames(rec.ID); !slices.Equal(got, wantEvents) {
		t.Errorf("events\n got %v\nwant %v", got, wantEvents)
	}
	// The stored video plays back: the container holds every frame.
	data, format, err := r.store.ReadMedia(r.ctx, rec.ID, "video")
	if err != nil || format != VideoFormat {
		t.Fatalf("video media: %v %q", err, format)
	}
	if fr, err := DecodeVideo(data); err != nil || len(fr) != 16 {
		t.Errorf("decode stored video: %d frames, %v", len(fr), err)
	}
	// The matches compared against the registry photo, then the stored selfie.
	if len(r.det.matchRefs) < 2 || string(r.det.matchRefs[0]) != "registry-photo" || string(r.det.matchRefs[1]) != string(jpeg.Data) {
		t.Errorf("match references %q", r.det.matchRefs)
	}
}

func TestDemoCodeStaysInMemory(t *testing.T) {
	r := newRig(t)
	r.walk(StepMobileOTP)
	if got := r.m.Snapshot().MobileOTP.DemoCode; got != goodOTP {
		t.Errorf("snapshot demo code %q", got)
	}
	if rec := r.stored(); rec.MobileOTP.DemoCode != "" || rec.MobileOTP.ExpiresAt.IsZero() {
		t.Errorf("stored OTP state %+v: want timers without the code", rec.MobileOTP)
	}
}

func TestValidationErrorsKeepTheStep(t *testing.T) {
	for _, c := range []struct {
		step Step
		call func(m *Machine) error
		key  string
	}{
		{StepMobile, func(m *Machine) error { return submit(m, MobileNumber{"0912"}) }, "kyc.mobile.format"},
		{StepMobile, func(m *Machine) error { return submit(m, MobileNumber{"09401234567"}) }, "kyc.mobile.unknown_operator"},
		{StepMobileOTP, func(m *Machine) error { return submit(m, MobileCode{"12"}) }, "kyc.otp.format"},
		{StepIdentity, func(m *Machine) error { return submit(m, Identity{"1111111111", "1402000001"}) }, "kyc.national_code.repeated"},
		{StepIdentity, func(m *Machine) error { return submit(m, Identity{"0076229646", "1402000001"}) }, "kyc.national_code.checksum"},
		{StepIdentity, func(m *Machine) error { return submit(m, Identity{ncAdult, "14020"}) }, "kyc.tracking.format"},
		{StepSejamOTP, func(m *Machine) error { return submit(m, SejamCode{""}) }, "kyc.otp.empty"},
		{StepCardSerial, func(m *Machine) error { return submit(m, Card{"G123456789"}) }, "kyc.card_serial.format"},
		{StepSelfie, func(m *Machine) error { return submit(m, Selfie{sdk.Image{}}) }, "flow.capture.empty"},
		{StepVideo, func(m *Machine) error { return submit(m, Video{nil}) }, "flow.video.no_frames"},
		{StepMobile, func(m *Machine) error { return submit(m, ConfirmReview{}) }, "flow.wrong_step"},
	} {
		t.Run(string(c.step)+" "+c.key, func(t *testing.T) {
			r := newRig(t)
			r.walk(c.step)
			before := r.store.saves
			wantKey(t, c.call(r.m), c.key)
			r.wantStep(c.step)
			if r.store.saves != before {
				t.Errorf("a rejected input was written (%d saves)", r.store.saves-before)
			}
		})
	}
}

func TestNoSession(t *testing.T) {
	r := newRig(t)
	wantKey(t, r.do(Begin{}), "flow.no_session")
	if s := r.m.Snapshot(); s.SessionID != "" || s.Step != "" {
		t.Errorf("snapshot without session: %+v", s)
	}
}

func TestSejamRejections(t *testing.T) {
	for _, c := range []struct {
		name, nc, tracking string
		mobile             string
		serviceErr         error
		key                string
	}{
		{"not registered", "1583250689", "1402000001", "", nil, "sejam.not_registered"},
		{"tracking mismatch", ncAdult, "1402000009", "", nil, "sejam.tracking_mismatch"},
		{"mobile not owned", ncAdult, "1402000001", "09351234567", nil, "sejam.mobile_not_owned"},
		{"sejam down (mapped)", ncAdult, "1402000001", "", &Error{Key: "sejam.unavailable"}, "sejam.unavailable"},
		{"unmapped fault", ncAdult, "1402000001", "", errors.New("connection reset"), "service.unavailable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			r.walk(StepMobile)
			mob := kyc.Mobile(mobile)
			if c.mobile != "" {
				mob = kyc.Mobile(c.mobile)
			}
			r.must(r.do(MobileNumber{string(mob)}))
			r.must(r.do(MobileCode{goodOTP}))
			r.sejam.err = c.serviceErr
			wantKey(t, r.do(Identity{c.nc, c.tracking}), c.key)
			r.wantStep(StepIdentity)
			if got := r.m.Snapshot().Mobile; got != mob {
				t.Errorf("mobile lost: %q", got)
			}
			// Nothing lost: once SEJAM answers, the same session goes on.
			r.sejam.err = nil
			if c.mobile == "" {
				r.must(r.do(Identity{ncAdult, "1402000001"}))
				r.wantStep(StepSejamOTP)
			}
		})
	}
}

func TestWrongCodesLockTheSession(t *testing.T) {
	r := newRig(t)
	r.cfg.CodeAttempts = 3
	r.m = r.machine(r.store)
	r.walk(StepSejamOTP)
	for i := 1; i <= 3; i++ {
		wantKey(t, r.do(SejamCode{"99999"}), "sejam.otp_wrong")
		if i < 3 {
			r.wantStep(StepSejamOTP)
		}
	}
	r.wantStep(StepLocked)
	if got := r.m.Snapshot().Outcome; got != "flow.outcome.locked_codes" {
		t.Errorf("outcome %q", got)
	}
	if rec := r.stored(); rec.Failures[StepSejamOTP] != 3 || rec.NationalCode != ncAdult {
		t.Errorf("stored failures %v, national code kept for the operator: %q", rec.Failures, rec.NationalCode)
	}
}

func TestWrongSMSCodeKeepsCounting(t *testing.T) {
	r := newRig(t)
	r.walk(StepMobileOTP)
	wantKey(t, r.do(MobileCode{"000000"}), "otp.wrong_code")
	r.wantStep(StepMobileOTP)
	if got := r.m.Snapshot().MobileOTP.AttemptsLeft; got != 4 {
		t.Errorf("attempts left %d, want 4", got)
	}
	if got := r.stored().Failures[StepMobileOTP]; got != 1 {
		t.Errorf("stored failures %d", got)
	}
	r.must(r.do(MobileCode{goodOTP}))
	r.wantStep(StepIdentity)
}

func TestRegistryAnswers(t *testing.T) {
	for _, c := range []struct {
		name    string
		serial  string
		err     error
		want    Step
		key     string
		counted bool
	}{
		{"serial mismatch", "2G23456789", nil, StepCardSerial, "registry.serial_mismatch", true},
		{"revoked", "", &Error{Key: "registry.card_revoked"}, StepCardSerial, "registry.card_revoked", true},
		{"old card", "", &Error{Key: "registry.card_not_smart"}, StepCardSerial, "registry.card_not_smart", true},
		{"unavailable", "", &Error{Key: "registry.unavailable"}, StepCardSerial, "registry.unavailable", false},
		{"unmapped fault", "", errors.New("tls handshake"), StepCardSerial, "service.unavailable", false},
		{"deceased", "", &Error{Key: "registry.deceased"}, StepRejected, "registry.deceased", false},
		{"not found", "", &Error{Key: "registry.not_found"}, StepRejected, "registry.not_found", false},
		{"birth date mismatch", "", &Error{Key: "registry.birth_date_mismatch"}, StepRejected, "registry.birth_date_mismatch", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			r.walk(StepCardSerial)
			r.reg.err = c.err
			serial := c.serial
			if serial == "" {
				serial = "1G23456789"
			}
			wantKey(t, r.do(Card{serial}), c.key)
			r.wantStep(c.want)
			rec := r.stored()
			if got := rec.Failures[StepCardSerial] == 1; got != c.counted {
				t.Errorf("counted %v, want %v", got, c.counted)
			}
			if c.want == StepRejected {
				assertWiped(t, r, rec, c.key)
			}
		})
	}
}

// assertWiped checks that the stored session kept no personal data and no media.
func assertWiped(t *testing.T, r *rig, rec Record, outcome string) {
	t.Helper()
	if rec.Mobile != "" || rec.NationalCode != "" || rec.Tracking != "" || rec.Person != nil || rec.CardSerial != "" ||
		len(rec.Media) != 0 || rec.ClientIP != "" {
		t.Errorf("personal data left after wipe: %+v", rec)
	}
	if rec.Outcome != outcome || r.m.Snapshot().Outcome != outcome {
		t.Errorf("outcome %q / %q, want %q", rec.Outcome, r.m.Snapshot().Outcome, outcome)
	}
	if !r.store.wiped[rec.ID] || len(r.store.mediaNames(rec.ID)) != 0 {
		t.Errorf("store did not wipe the session's media")
	}
	if s := r.m.Snapshot(); s.Person != nil || s.Mobile != "" || s.MobileOTP.DemoCode != "" {
		t.Errorf("snapshot still shows personal data: %+v", s)
	}
}

func TestEligibilityRejections(t *testing.T) {
	for _, c := range []struct {
		name   string
		edit   func(a *applicant)
		err    error
		want   Step
		key    string
		wipe   bool
		thenOK bool
	}{
		{"under 18", func(a *applicant) { a.person.BirthDate = "1390/01/01" }, nil, StepRejected, "eligibility.under_18", true, false},
		{"legal person", func(a *applicant) { a.person.Type = kyc.LegalPerson }, nil, StepRejected, "eligibility.legal_person", true, false},
		{"foreign national", func(a *applicant) { a.person.Type = kyc.ForeignPerson }, nil, StepRejected, "eligibility.foreign_national", true, false},
		{"already verified", nil, &Error{Key: "eligibility.already_verified"}, StepRejected, "eligibility.already_verified", true, false},
		{"outside Iran", nil, &Error{Key: "eligibility.ip_outside_iran"}, StepRejected, "eligibility.ip_outside_iran", true, false},
		{"check unavailable", nil, &Error{Key: "eligibility.unavailable"}, StepCardSerial, "eligibility.unavailable", false, true},
		{"unmapped fault", nil, errors.New("geoip db missing"), StepCardSerial, "service.unavailable", false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			if c.edit != nil {
				a := r.sejam.people[ncAdult]
				c.edit(&a)
				r.sejam.people[ncAdult] = a
			}
			r.walk(StepCardSerial)
			r.elig.err = c.err
			wantKey(t, r.do(Card{"1G23456789"}), c.key)
			r.wantStep(c.want)
			if c.wipe {
				assertWiped(t, r, r.stored(), c.key)
			}
			if c.thenOK {
				r.elig.err = nil
				r.must(r.do(Card{"1G23456789"}))
				r.wantStep(StepSelfie)
			}
		})
	}
}

func TestEighteenthBirthdayTodayIsEligible(t *testing.T) {
	r := newRig(t)
	today, err := kyc.Today(r.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	a := r.sejam.people[ncAdult]
	a.person.BirthDate = kyc.Date{Year: today.Year - 18, Month: today.Month, Day: today.Day}.String()
	r.sejam.people[ncAdult] = a
	r.walk(StepSelfie)
	r.clock.Advance(-24 * time.Hour) // a day earlier they were 17
	r2 := newRig(t)
	r2.clock.Advance(-24 * time.Hour)
	r2.sejam.people[ncAdult] = a
	r2.walk(StepCardSerial)
	wantKey(t, r2.do(Card{"1G23456789"}), "eligibility.under_18")
}

func TestSelfieLockout(t *testing.T) {
	fail := sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{"verdict.face.count.none"}}
	r := newRig(t)
	r.det.selfie = []sdk.Verdict{fail}
	r.walk(StepSelfie)
	for i := 1; i <= 3; i++ {
		v, err := r.check(Selfie{jpeg})
		r.must(err)
		if v.Outcome != sdk.Fail {
			t.Fatalf("attempt %d: outcome %s", i, v.Outcome)
		}
		snap := r.m.Snapshot()
		if snap.Checks[StepSelfie].Attempt != i {
			t.Errorf("attempt %d recorded as %d", i, snap.Checks[StepSelfie].Attempt)
		}
		if i < 3 && snap.Step != StepSelfie {
			t.Fatalf("attempt %d moved to %s", i, snap.Step)
		}
	}
	r.wantStep(StepLocked)
	if got := r.m.Snapshot().Outcome; got != "flow.outcome.locked_selfie" {
		t.Errorf("outcome %q", got)
	}
	if len(r.det.matchRefs) != 0 {
		t.Errorf("a failed selfie was still matched")
	}
	// Locked sessions wait for an operator: not resumed, data kept.
	m2 := r.machine(r.store)
	if _, ok, err := m2.Resume(r.ctx); err != nil || ok {
		t.Errorf("resume of a locked session: ok=%v err=%v", ok, err)
	}
	if rec := r.stored(); rec.Person == nil || rec.Media["selfie"] == "" {
		t.Errorf("locked session lost its data")
	}
}

func TestSignatureAndVideoLockout(t *testing.T) {
	fail := sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{"verdict.x"}}
	for _, step := range []Step{StepSignature, StepVideo} {
		t.Run(string(step), func(t *testing.T) {
			r := newRig(t)
			r.cfg.CaptureAttempts = 2
			r.m = r.machine(r.store)
			r.walk(step)
			r.det.signature, r.det.liveness = []sdk.Verdict{fail}, []sdk.Verdict{fail}
			r.advance()
			r.wantStep(step)
			r.advance()
			r.wantStep(StepLocked)
			if got := r.m.Snapshot().Outcome; got != "flow.outcome.locked_"+string(step) {
				t.Errorf("outcome %q", got)
			}
		})
	}
}

func TestCouldNotVerifyNeverPasses(t *testing.T) {
	pass := sdk.Verdict{Outcome: sdk.Pass}
	cnv := sdk.Verdict{Outcome: sdk.CouldNotVerify, Reasons: []string{"verdict.plugin.timeout"}}
	for _, c := range []struct {
		name      string
		selfie    sdk.Verdict
		match     sdk.Verdict
		errAll    error
		noPhoto   bool
		want      sdk.Outcome
		reason    string
		wantMatch bool
	}{
		{"match could not verify", pass, cnv, nil, false, sdk.CouldNotVerify, "verdict.plugin.timeout", true},
		{"unspecified selfie outcome", sdk.Verdict{}, pass, nil, false, sdk.CouldNotVerify, "", true},
		{"unspecified match outcome", pass, sdk.Verdict{Outcome: sdk.Outcome(42)}, nil, false, sdk.CouldNotVerify, "", true},
		{"plugin error", pass, pass, errors.New("plugin crashed"), false, sdk.CouldNotVerify, reasonPluginError, true},
		{"no registry photo", pass, pass, nil, true, sdk.CouldNotVerify, reasonNoReference, false},
		{"needs review", sdk.Verdict{Outcome: sdk.NeedsReview, Reasons: []string{"verdict.face.dress_code"}}, pass, nil, false, sdk.NeedsReview, "verdict.face.dress_code", true},
		{"review and cnv", sdk.Verdict{Outcome: sdk.NeedsReview}, cnv, nil, false, sdk.CouldNotVerify, "verdict.plugin.timeout", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			if c.noPhoto {
				a := r.reg.people[ncAdult]
				a.photo = false
				r.reg.people[ncAdult] = a
			}
			r.walk(StepSelfie)
			r.det.selfie, r.det.match, r.det.errAll = []sdk.Verdict{c.selfie}, []sdk.Verdict{c.match}, c.errAll
			v, err := r.check(Selfie{jpeg})
			r.must(err)
			if v.Outcome != c.want {
				t.Fatalf("outcome %s, want %s", v.Outcome, c.want)
			}
			if c.reason != "" && !slices.Contains(v.Reasons, c.reason) {
				t.Errorf("reasons %v lack %s", v.Reasons, c.reason)
			}
			if got := len(r.det.matchRefs) > 0; got != c.wantMatch {
				t.Errorf("match called %v, want %v", got, c.wantMatch)
			}
			// Flagged, not passed: the stored check keeps the outcome for the operator.
			r.wantStep(StepSignature)
			if got := r.stored().Checks[StepSelfie].Verdict.Outcome; got != c.want {
				t.Errorf("stored outcome %s", got)
			}
		})
	}
}

func TestCombine(t *testing.T) {
	P, F, R, C := sdk.Pass, sdk.Fail, sdk.NeedsReview, sdk.CouldNotVerify
	for _, c := range []struct {
		in   []sdk.Outcome
		want sdk.Outcome
	}{
		{nil, C},
		{[]sdk.Outcome{P}, P},
		{[]sdk.Outcome{P, P, P}, P},
		{[]sdk.Outcome{P, R}, R},
		{[]sdk.Outcome{R, C}, C},
		{[]sdk.Outcome{C, F}, F},
		{[]sdk.Outcome{P, sdk.OutcomeUnspecified}, C},
		{[]sdk.Outcome{F, R, P, C}, F},
	} {
		vs := make([]sdk.Verdict, len(c.in))
		for i, o := range c.in {
			vs[i] = sdk.Verdict{Outcome: o, Reasons: []string{fmt.Sprint("r.", o)}, Duration: time.Second}
		}
		got := Combine(vs...)
		if got.Outcome != c.want {
			t.Errorf("Combine(%v) = %s, want %s", c.in, got.Outcome, c.want)
		}
		if len(c.in) > 0 {
			if got.Reasons[0] != fmt.Sprint("r.", c.want.String()) && c.want != C {
				t.Errorf("Combine(%v): first reason %q should come from the deciding verdict", c.in, got.Reasons[0])
			}
			if got.Duration != time.Duration(len(c.in))*time.Second {
				t.Errorf("durations not added: %v", got.Duration)
			}
		}
	}
}

func TestVideoChallenges(t *testing.T) {
	r := newRig(t)
	r.walk(StepVideo)
	r.det.liveness = []sdk.Verdict{{Outcome: sdk.Fail, Reasons: []string{"verdict.liveness.challenge"}},
		{Outcome: sdk.Fail}, {Outcome: sdk.Pass}}
	r.cfg.CaptureAttempts = 5
	r.m.cfg.CaptureAttempts = 5
	var shown [][]int
	for i := 0; i < 3; i++ {
		c := r.m.Snapshot().Challenge
		if len(c) != 3 {
			t.Fatalf("attempt %d: challenge %v", i, c)
		}
		if rec := r.stored(); !slices.Equal(rec.Challenge, c) {
			t.Fatalf("challenge %v not stored (%v) before the attempt", c, rec.Challenge)
		}
		shown = append(shown, c)
		err := r.do(Video{frames(8)})
		r.must(err)
	}
	r.wantStep(StepReview)
	if !slices.EqualFunc(shown, r.det.challenges, slices.Equal) {
		t.Errorf("plugin got %v, screen showed %v", r.det.challenges, shown)
	}
	for i := 1; i < len(shown); i++ {
		for j := 0; j < i; j++ {
			if slices.Equal(shown[i], shown[j]) {
				t.Errorf("challenge %v reused", shown[i])
			}
		}
	}
	if c := r.m.Snapshot().Challenge; c != nil {
		t.Errorf("used challenge kept: %v", c)
	}
	if got := r.stored().Checks[StepVideo].Challenge; !slices.Equal(got, shown[2]) {
		t.Errorf("check records challenge %v, want %v", got, shown[2])
	}
	// Back to the video step gets a fresh challenge, never an old one.
	r.must(errOf(r.m.Back(r.ctx)))
	r.wantStep(StepVideo)
	c := r.m.Snapshot().Challenge
	for _, old := range shown {
		if slices.Equal(c, old) {
			t.Errorf("challenge %v reused after back", c)
		}
	}
}

func TestVideoChallengeBurntWhenStoreFails(t *testing.T) {
	r := newRig(t)
	r.walk(StepVideo)
	first := r.m.Snapshot().Challenge
	r.store.failOn = "video.checked"
	if err := r.do(Video{frames(8)}); err == nil {
		t.Fatal("no error when the store failed")
	}
	r.wantStep(StepVideo)
	second := r.m.Snapshot().Challenge
	if len(second) == 0 || slices.Equal(first, second) {
		t.Fatalf("challenge %v reused after a failed commit (now %v)", first, second)
	}
	r.store.failOn = ""
	err := r.do(Video{frames(8)})
	r.must(err)
	if got := r.det.challenges[len(r.det.challenges)-1]; !slices.Equal(got, second) {
		t.Errorf("second attempt answered %v, screen showed %v", got, second)
	}
}

func TestVideoMatchesKeyframesAgainstSelfie(t *testing.T) {
	r := newRig(t)
	r.walk(StepVideo)
	key := sdk.Artifact{Name: "liveness.keyframe", Image: sdk.Image{Data: []byte("key"), Format: "jpeg"}}
	r.det.liveness = []sdk.Verdict{{Outcome: sdk.Pass, Artifacts: []sdk.Artifact{key, key}}}
	r.det.match = []sdk.Verdict{{Outcome: sdk.Pass}, {Outcome: sdk.Fail, Reasons: []string{"verdict.face.match.different"}}}
	before := len(r.det.matchRefs)
	v, err := r.check(Video{frames(8)})
	r.must(err)
	if got := len(r.det.matchRefs) - before; got != 2 {
		t.Errorf("%d matches, want one per keyframe (2)", got)
	}
	if v.Outcome != sdk.Fail || !slices.Contains(v.Reasons, "verdict.face.match.different") {
		t.Errorf("a keyframe of another person must fail the video: %+v", v)
	}
	// Stored check keeps the artifact names, not the images.
	for _, a := range r.stored().Checks[StepVideo].Verdict.Artifacts {
		if a.Image.Data != nil {
			t.Errorf("artifact image stored in the record")
		}
	}
}

func TestSampleFrames(t *testing.T) {
	fr := frames(10)
	var at []int64
	for _, f := range sampleFrames(fr, 3) {
		at = append(at, f.TimestampMS)
	}
	if !slices.Equal(at, []int64{125, 625, 1000}) { // frames 1, 5 and 8: the centres of three slices
		t.Errorf("sampled at %v", at)
	}
	if len(sampleFrames(fr[:2], 3)) != 2 || sampleFrames(nil, 3) != nil {
		t.Error("short inputs")
	}
}

func TestResumeAtEveryStep(t *testing.T) {
	for _, step := range append([]Step{StepWelcome}, Steps...) {
		t.Run(string(step), func(t *testing.T) {
			r := newRig(t)
			r.walk(step)
			before := r.m.Snapshot()
			// The kiosk is killed; a new process opens the same store.
			r.m = r.machine(r.store)
			snap, ok, err := r.m.Resume(r.ctx)
			if err != nil || !ok {
				t.Fatalf("resume: ok=%v err=%v", ok, err)
			}
			if snap.Step != step || snap.SessionID != before.SessionID || snap.Mobile != before.Mobile ||
				(before.Person != nil) != (snap.Person != nil) || snap.CardSerial != before.CardSerial {
				t.Fatalf("resumed %+v, was %+v", snap, before)
			}
			if step == StepVideo && slices.Equal(snap.Challenge, before.Challenge) {
				t.Errorf("video challenge %v reused after restart", snap.Challenge)
			}
			r.walk(StepSubmitted)
			rec := r.stored()
			for _, s := range []Step{StepSelfie, StepSignature, StepVideo} {
				if o := rec.Checks[s].Verdict.Outcome; o != sdk.Pass {
					t.Errorf("after resume, %s is %s (references lost?)", s, o)
				}
			}
		})
	}
}

func TestResumeWithoutMediaReaderDoesNotPass(t *testing.T) {
	r := newRig(t)
	r.walk(StepVideo)
	r.m = r.machine(storeOnly{r.store})
	if _, ok, err := r.m.Resume(r.ctx); err != nil || !ok {
		t.Fatalf("resume: %v %v", ok, err)
	}
	v, err := r.check(Video{frames(8)})
	r.must(err)
	if v.Outcome != sdk.CouldNotVerify || !slices.Contains(v.Reasons, reasonNoReference) {
		t.Errorf("without the selfie the video match must be could-not-verify: %+v", v)
	}
}

func TestIdleExpiry(t *testing.T) {
	r := newRig(t)
	r.walk(StepWelcome)
	r.clock.Advance(time.Hour)
	if _, wiped, err := r.m.ExpireIfIdle(r.ctx); err != nil || wiped {
		t.Fatalf("welcome screen expired: %v %v", wiped, err)
	}
	r.walk(StepSelfie)
	snap := r.m.Snapshot()
	if want := snap.LastActive.Add(3 * time.Minute); !snap.IdleExpires.Equal(want) {
		t.Errorf("IdleExpires %v, want %v", snap.IdleExpires, want)
	}
	r.clock.Advance(2 * time.Minute)
	r.must(r.m.Touch(r.ctx))
	r.clock.Advance(2 * time.Minute)
	if _, wiped, err := r.m.ExpireIfIdle(r.ctx); err != nil || wiped {
		t.Fatalf("expired although touched 2 minutes ago: %v %v", wiped, err)
	}
	r.clock.Advance(90 * time.Second)
	_, wiped, err := r.m.ExpireIfIdle(r.ctx)
	if err != nil || !wiped {
		t.Fatalf("not expired after 3.5 idle minutes: %v %v", wiped, err)
	}
	r.wantStep(StepExpired)
	assertWiped(t, r, r.stored(), "flow.outcome.expired")
	if got := r.store.eventNames(snap.SessionID); got[len(got)-1] != "expired" {
		t.Errorf("last event %v", got)
	}
	// Nothing to resume.
	if _, ok, _ := r.machine(r.store).Resume(r.ctx); ok {
		t.Error("expired session resumed")
	}
}

func TestResumeAfterIdleTimeoutExpires(t *testing.T) {
	r := newRig(t)
	r.walk(StepCardSerial)
	id := r.m.Snapshot().SessionID
	r.clock.Advance(10 * time.Minute) // the kiosk was off
	m2 := r.machine(r.store)
	if _, ok, err := m2.Resume(r.ctx); err != nil || ok {
		t.Fatalf("stale session resumed: ok=%v err=%v", ok, err)
	}
	rec, _ := r.store.Load(r.ctx, id)
	if rec.Step != StepExpired || rec.Person != nil {
		t.Errorf("stale session not wiped: %s", rec.Step)
	}
}

func TestTouchWritesAtMostEveryFiveSeconds(t *testing.T) {
	r := newRig(t)
	r.walk(StepMobile)
	saves := r.store.saves
	for i := 0; i < 4; i++ {
		r.clock.Advance(time.Second)
		r.must(r.m.Touch(r.ctx))
	}
	if r.store.saves != saves {
		t.Errorf("%d writes for touches within 5 s", r.store.saves-saves)
	}
	if got := r.m.Snapshot().LastActive; !got.Equal(r.clock.Now()) {
		t.Errorf("LastActive %v not moved in memory", got)
	}
	r.clock.Advance(time.Second)
	r.must(r.m.Touch(r.ctx))
	if r.store.saves != saves+1 {
		t.Errorf("%d writes after 5 s, want 1", r.store.saves-saves)
	}
	if rec := r.stored(); !rec.LastActive.Equal(r.clock.Now()) {
		t.Errorf("stored LastActive %v", rec.LastActive)
	}
}

func TestAbandonAndRestart(t *testing.T) {
	r := newRig(t)
	r.walk(StepSelfie)
	id := r.m.Snapshot().SessionID
	r.must(errOf(r.m.Abandon(r.ctx)))
	r.wantStep(StepExpired)
	assertWiped(t, r, r.stored(), "flow.outcome.abandoned")
	snap, err := r.m.Start(r.ctx)
	r.must(err)
	if snap.SessionID == id || snap.Step != StepWelcome || snap.Person != nil {
		t.Errorf("restart: %+v", snap)
	}
	// Start in the middle of a session abandons it first.
	r.walk(StepIdentity)
	id2 := r.m.Snapshot().SessionID
	_, err = r.m.Start(r.ctx)
	r.must(err)
	rec, _ := r.store.Load(r.ctx, id2)
	if rec.Step != StepExpired || rec.Mobile != "" {
		t.Errorf("previous session not wiped: %s %q", rec.Step, rec.Mobile)
	}
}

func TestBackRules(t *testing.T) {
	for _, c := range []struct {
		from, to Step // to "" = not allowed
	}{
		{StepWelcome, ""},
		{StepMobile, StepWelcome},
		{StepMobileOTP, StepMobile},
		{StepIdentity, ""},
		{StepSejamOTP, StepIdentity},
		{StepCardSerial, ""},
		{StepSelfie, ""},
		{StepSignature, StepSelfie},
		{StepVideo, StepSignature},
		{StepReview, StepVideo},
		{StepCommitments, StepReview},
		{StepSubmitted, ""},
	} {
		t.Run(string(c.from), func(t *testing.T) {
			r := newRig(t)
			r.walk(c.from)
			if got := r.m.Snapshot().CanGoBack; got != (c.to != "") {
				t.Errorf("CanGoBack %v", got)
			}
			err := errOf(r.m.Back(r.ctx))
			if c.to == "" {
				wantKey(t, err, "flow.back.not_allowed")
				r.wantStep(c.from)
				return
			}
			r.must(err)
			r.wantStep(c.to)
			snap := r.m.Snapshot()
			switch c.from {
			case StepMobileOTP:
				if snap.Mobile != "" || snap.MobileOTP != (OTPState{}) {
					t.Errorf("mobile and its code not forgotten: %+v", snap)
				}
			case StepSejamOTP:
				if r.stored().NationalCode != "" || snap.SejamOTP != (OTPState{}) {
					t.Errorf("identity not forgotten")
				}
			case StepVideo:
				if snap.Challenge != nil {
					t.Errorf("challenge kept after leaving the video step")
				}
			}
			// And the flow goes on from there.
			r.walk(StepSubmitted)
		})
	}
}

func TestDossierEnqueueFailureKeepsTheSubmission(t *testing.T) {
	r := newRig(t)
	r.walk(StepCommitments)
	r.dos.err = errors.New("outbox locked")
	err := r.do(AcceptCommitments{})
	wantKey(t, err, "flow.outcome.queue_pending")
	r.wantStep(StepSubmitted)
	rec := r.stored()
	if rec.AcceptedAt.IsZero() || rec.Outcome != "flow.outcome.queue_pending" || rec.Person == nil {
		t.Errorf("submission not kept: %+v", rec)
	}
	names := r.store.eventNames(rec.ID)
	if !slices.Contains(names, "commitments.accepted") || names[len(names)-1] != "dossier.enqueue_failed" {
		t.Errorf("events %v", names)
	}
}

func TestStoreFailureLosesNothing(t *testing.T) {
	r := newRig(t)
	r.walk(StepIdentity)
	r.store.failOn = "identity.submitted"
	err := r.do(Identity{ncAdult, "1402000001"})
	if err == nil {
		t.Fatal("no error when the store failed")
	}
	r.wantStep(StepIdentity)
	if rec := r.stored(); rec.Step != StepIdentity {
		t.Errorf("store and memory disagree: %s", rec.Step)
	}
	r.store.failOn = ""
	r.must(r.do(Identity{ncAdult, "1402000001"}))
	r.wantStep(StepSejamOTP)
}

func TestConcurrentUse(t *testing.T) {
	r := newRig(t)
	r.walk(StepWelcome)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				s := r.m.Snapshot()
				_ = s.Checks[StepSelfie].Verdict.Reasons
				_ = r.m.Touch(r.ctx)
				_, _, _ = r.m.ExpireIfIdle(r.ctx)
			}
		}()
	}
	r.walk(StepSubmitted)
	close(stop)
	wg.Wait()
	if r.step() != StepSubmitted {
		t.Fatalf("step %s", r.step())
	}
}

func TestSnapshotIsACopy(t *testing.T) {
	r := newRig(t)
	r.walk(StepSignature)
	s := r.m.Snapshot()
	s.Checks[StepSelfie] = CheckResult{}
	s.Person.FirstName = "x"
	s2 := r.m.Snapshot()
	if s2.Checks[StepSelfie].Attempt != 1 || s2.Person.FirstName == "x" {
		t.Error("snapshot shares state with the machine")
	}
}
