package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/flow"
)

// An operator resumes a session locked for wrong SEJAM codes: it goes back to that step with
// the count reset, the person's lock is lifted, the audit chain (still verifying) names the
// operator and the reason, and a restarted kiosk resumes the session from the store.
func TestUnlockResumesALockedSession(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	clock := &fixedClock{t: time.Now()}
	newMachine := func() *flow.Machine { return lockingMachine(t, s, clock, time.Hour) }
	m := newMachine()
	if _, err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for _, a := range []flow.Answer{flow.Begin{}, flow.MobileNumber{Raw: string(person.Mobile)}, flow.MobileCode{Raw: "123456"},
		flow.Identity{NationalCode: string(person.NationalCode), Tracking: "7731955024"}} {
		if _, err := m.Submit(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		m.Submit(ctx, flow.SejamCode{Raw: "000000"})
	}
	id := m.Snapshot().SessionID
	if got := m.Snapshot().Step; got != flow.StepLocked {
		t.Fatalf("at %s, want locked", got)
	}
	if _, locked, _ := s.PersonLocked(ctx, person.NationalCode, "", clock.t); !locked {
		t.Fatal("person not locked")
	}
	clock.t = clock.t.Add(5 * time.Minute)
	snap, err := m.Unlock(ctx, id, "Sara Ahmadi", "identity checked against the national card")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Step != flow.StepSejamOTP {
		t.Fatalf("resumed at %s, want %s", snap.Step, flow.StepSejamOTP)
	}
	if _, locked, _ := s.PersonLocked(ctx, person.NationalCode, person.Mobile, clock.t); locked {
		t.Error("person lock kept after the unlock")
	}
	var detail string
	if err := s.DB().QueryRowContext(ctx, `SELECT detail FROM audit WHERE session_id = ? AND subject = 'operator.unlock'`, id).Scan(&detail); err != nil {
		t.Fatalf("no audit entry for the unlock: %v", err)
	}
	if !strings.Contains(detail, "Sara Ahmadi") || !strings.Contains(detail, "identity checked") || !strings.Contains(detail, "locked>sejam_otp") {
		t.Errorf("audit detail %q", detail)
	}
	if _, err := s.VerifyAudit(ctx); err != nil {
		t.Errorf("audit chain after the unlock: %v", err)
	}
	// The right code now goes through (the count started again), and a restarted kiosk finds the
	// session open.
	if _, err := m.Submit(ctx, flow.SejamCode{Raw: "000000"}); err == nil {
		t.Fatal("wrong code accepted")
	}
	if got := m.Snapshot().Step; got != flow.StepSejamOTP {
		t.Fatalf("one wrong code after the unlock locked again: %s", got)
	}
	m2 := newMachine()
	snap, ok, err := m2.Resume(ctx)
	if err != nil || !ok || snap.SessionID != id || snap.Step != flow.StepSejamOTP {
		t.Fatalf("restarted kiosk: %v %v %s %s", ok, err, snap.SessionID, snap.Step)
	}
	if _, err := m2.Submit(ctx, flow.SejamCode{Raw: "654321"}); err != nil {
		t.Fatalf("right code after the unlock: %v", err)
	}
	if got := m2.Snapshot().Step; got != flow.StepCardSerial {
		t.Errorf("after the right code at %s", got)
	}
}
