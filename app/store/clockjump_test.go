package store_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/store"
	"github.com/ehraz/ehraz/domain/clock"
	"github.com/ehraz/ehraz/services/otp"
	"github.com/ehraz/ehraz/services/sms"
)

// jumpRig is the flow over the real SQLite store and the real OTP service, all on one virtual
// clock whose wall reading can be set back or forward (clock.Virtual.Jump).
type jumpRig struct {
	t   *testing.T
	ctx context.Context
	c   *clock.Virtual
	s   *store.Store
	m   *flow.Machine
}

func newJumpRig(t *testing.T) *jumpRig {
	t.Helper()
	ctx := context.Background()
	t.Setenv(store.KeyEnv, "")
	dir := t.TempDir()
	c := clock.NewVirtual(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	s, err := store.Open(ctx, store.Options{Path: filepath.Join(dir, "ehraz.db"), KeyFile: filepath.Join(dir, "keys", "store.key"),
		Now: c.Now, Schemas: []store.Schema{{Owner: "otp", FS: otp.Migrations, Dir: "migrations", Retention: store.Retention{
			ForgetSession: otp.ForgetSessionSQL, Log: otp.SendLog, CountLog: otp.CountSendLogSQL, DeleteLog: otp.DeleteSendLogSQL, LogKept: otp.SendLogKept}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if n, err := s.VerifyAudit(ctx); err != nil || n == 0 {
			t.Errorf("audit after the clock jumps: %d rows, %v", n, err)
		}
		if err := s.IntegrityCheck(ctx); err != nil {
			t.Error(err)
		}
		s.Close()
	})
	codes, err := otp.New(s.DB(), sms.NewConsole(10), bytes.Repeat([]byte{5}, 32), otp.Config{KioskID: "k"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	codes.UseClock(c)
	u := unused{}
	m, err := flow.New(flow.Deps{Store: s, OTP: codes, Sejam: sejamFake{person}, Registry: u, Eligibility: u,
		Detectors: u, Dossier: u, Clock: c, Locks: s},
		flow.Config{Mode: "kiosk", IdleTimeout: 5 * time.Minute, CodeAttempts: 3, PersonLockFor: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return &jumpRig{t: t, ctx: ctx, c: c, s: s, m: m}
}

func (r *jumpRig) submit(a flow.Answer) error {
	_, err := r.m.Submit(r.ctx, a)
	return err
}

func (r *jumpRig) must(a flow.Answer) {
	r.t.Helper()
	if err := r.submit(a); err != nil {
		r.t.Fatalf("%T at %s: %v", a, r.m.Snapshot().Step, err)
	}
}

func wantFlowKey(t *testing.T, err error, key string) {
	t.Helper()
	var fe *flow.Error
	if !errors.As(err, &fe) || fe.Key != key {
		t.Fatalf("err = %v, want %s", err, key)
	}
}

// The wall clock set back an hour or forward a day during an SMS code's validity: the code is
// refused once its 2 minutes of real time are over (an expired code is not a wrong one: no
// lockout), the resend cooldown is its 60 s, and the resent code works (issue 18).
func TestClockJumpDuringOTP(t *testing.T) {
	for _, jump := range []time.Duration{-time.Hour, 24 * time.Hour} {
		t.Run(jump.String(), func(t *testing.T) {
			r := newJumpRig(t)
			if _, err := r.m.Start(r.ctx); err != nil {
				t.Fatal(err)
			}
			r.must(flow.Begin{})
			r.must(flow.MobileNumber{Raw: string(person.Mobile)})
			code := r.m.Snapshot().MobileOTP.DemoCode
			r.c.Advance(30 * time.Second)
			r.c.Jump(jump)
			r.c.Advance(90 * time.Second) // 2 minutes of real time
			wantFlowKey(t, r.submit(flow.MobileCode{Raw: code}), "otp.expired")
			if got := r.m.Snapshot().Step; got != flow.StepMobileOTP {
				t.Fatalf("after an expired code at %s", got)
			}
			if _, err := r.m.Resend(r.ctx, flow.OTPMobile); err != nil {
				t.Fatalf("resend 2 minutes after the first code: %v", err)
			}
			fresh := r.m.Snapshot().MobileOTP.DemoCode
			r.c.Advance(30 * time.Second)
			r.c.Jump(-jump)               // and back again
			r.c.Advance(20 * time.Second) // 50 s after the resend
			_, err := r.m.Resend(r.ctx, flow.OTPMobile)
			wantFlowKey(t, err, "otp.resend_too_soon")
			r.must(flow.MobileCode{Raw: fresh})
			if got := r.m.Snapshot().Step; got != flow.StepIdentity {
				t.Fatalf("after the fresh code at %s", got)
			}
		})
	}
}

// The wall clock set forward three days (or back an hour) while an applicant is at step 3: the
// hourly purge, judging sessions by their wall-clock last activity, does not wipe the session on
// screen; older sessions are purged by their schedule; the applicant carries on; the session
// still expires after its idle timeout of real time (issue 18).
func TestClockJumpAndPurge(t *testing.T) {
	for _, jump := range []time.Duration{-time.Hour, 3 * 24 * time.Hour} {
		t.Run(jump.String(), func(t *testing.T) {
			r := newJumpRig(t)
			// An earlier session, abandoned at step 1 two days (of real time) ago.
			if _, err := r.m.Start(r.ctx); err != nil {
				t.Fatal(err)
			}
			r.must(flow.Begin{})
			old := r.m.Snapshot().SessionID
			r.c.Advance(49 * time.Hour)
			if _, err := r.m.Start(r.ctx); err != nil { // the kiosk was reset: the old one is wiped, left for the purge
				t.Fatal(err)
			}
			r.must(flow.Begin{})
			r.must(flow.MobileNumber{Raw: string(person.Mobile)})
			r.must(flow.MobileCode{Raw: r.m.Snapshot().MobileOTP.DemoCode})
			onScreen := r.m.Snapshot().SessionID
			r.c.Advance(time.Minute)
			r.c.Jump(jump)
			rep, err := r.s.Purge(r.ctx, r.c.Now(), 30*24*time.Hour, 48*time.Hour, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range rep.Sessions {
				if p.ID == onScreen {
					t.Fatalf("the purge removed the session on screen (%s) after a %v jump", p.Reason, jump)
				}
			}
			if _, err := r.s.Load(r.ctx, old); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the session abandoned 2 days ago was not purged: %v", err)
			}
			if _, wiped, err := r.m.ExpireIfIdle(r.ctx); err != nil || wiped {
				t.Fatalf("expired right after the jump: %v %v", wiped, err)
			}
			r.must(flow.Identity{NationalCode: string(person.NationalCode), Tracking: "7731955024"})
			if got := r.m.Snapshot().Step; got != flow.StepSejamOTP {
				t.Fatalf("the applicant could not go on: at %s", got)
			}
			r.c.Advance(5*time.Minute + time.Second)
			if _, wiped, err := r.m.ExpireIfIdle(r.ctx); err != nil || !wiped {
				t.Fatalf("not expired after 5 min 1 s idle: %v %v", wiped, err)
			}
			if rec, err := r.s.Load(r.ctx, onScreen); err != nil || rec.Person != nil || rec.NationalCode != "" {
				t.Fatalf("expired session not wiped: %v", err)
			}
		})
	}
}

// A person locked out stays locked when the clock is set back an hour (the lock is kept in
// wall-clock time, so it only gets longer).
func TestClockJumpBackKeepsPersonLock(t *testing.T) {
	r := newJumpRig(t)
	if _, err := r.m.Start(r.ctx); err != nil {
		t.Fatal(err)
	}
	r.must(flow.Begin{})
	r.must(flow.MobileNumber{Raw: string(person.Mobile)})
	for range 3 {
		r.submit(flow.MobileCode{Raw: "000000"})
	}
	if got := r.m.Snapshot().Step; got != flow.StepLocked {
		t.Fatalf("after 3 wrong codes at %s", got)
	}
	r.c.Advance(10 * time.Minute)
	r.c.Jump(-time.Hour)
	if _, err := r.m.Start(r.ctx); err != nil {
		t.Fatal(err)
	}
	r.must(flow.Begin{})
	wantFlowKey(t, r.submit(flow.MobileNumber{Raw: string(person.Mobile)}), "flow.person_locked")
}
