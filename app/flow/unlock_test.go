package flow

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// memLocks is a PersonLocks with UnlockPerson, keyed by the clear values (tests only).
type memLocks struct {
	mu       sync.Mutex
	until    map[string]time.Time
	unlocked int
}

func (l *memLocks) LockPerson(_ context.Context, nc kyc.NationalCode, mobile kyc.Mobile, until time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.until == nil {
		l.until = map[string]time.Time{}
	}
	l.until["nc:"+string(nc)], l.until["m:"+string(mobile)] = until, until
	return nil
}

func (l *memLocks) PersonLocked(_ context.Context, nc kyc.NationalCode, mobile kyc.Mobile, now time.Time) (time.Time, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range []string{"nc:" + string(nc), "m:" + string(mobile)} {
		if u, ok := l.until[k]; ok && u.After(now) {
			return u, true, nil
		}
	}
	return time.Time{}, false, nil
}

func (l *memLocks) UnlockPerson(_ context.Context, nc kyc.NationalCode, mobile kyc.Mobile) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.until, "nc:"+string(nc))
	delete(l.until, "m:"+string(mobile))
	l.unlocked++
	return nil
}

func TestUnlockResumesWhereItLocked(t *testing.T) {
	fail := sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{"verdict.x"}}
	cases := []struct {
		name string
		at   Step
		lock func(r *rig)
	}{
		{"selfie", StepSelfie, func(r *rig) {
			r.det.selfie = []sdk.Verdict{fail}
			r.advance()
			r.advance()
		}},
		{"video", StepVideo, func(r *rig) {
			r.det.liveness = []sdk.Verdict{fail}
			r.advance()
			r.advance()
		}},
		{"codes", StepSejamOTP, func(r *rig) {
			for range 2 {
				_ = r.do(SejamCode{"99999"})
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			locks := &memLocks{}
			r.cfg.CaptureAttempts, r.cfg.CodeAttempts = 2, 2
			m, err := New(func() Deps { d := r.deps(r.store); d.Locks = locks; return d }(), r.cfg)
			if err != nil {
				t.Fatal(err)
			}
			r.m = m
			r.walk(c.at)
			c.lock(r)
			r.wantStep(StepLocked)
			id := r.m.Snapshot().SessionID
			if rec := r.stored(); rec.LockedFrom != c.at {
				t.Fatalf("locked from %q, want %q", rec.LockedFrom, c.at)
			}
			if _, locked, _ := locks.PersonLocked(r.ctx, "", mobile, r.clock.Now()); !locked {
				t.Fatal("person not locked beyond the session")
			}
			r.clock.Advance(20 * time.Minute) // the operator comes over
			// Refused without a reason or with a number in it; nothing changes.
			for _, bad := range []struct{ op, reason, key string }{
				{"Sara", " ", "flow.unlock.reason_required"},
				{"", "checked the card", "flow.unlock.operator_required"},
				{"Sara", "card 0012345678 seen", "flow.unlock.reason_number"},
				{"Sara", strings.Repeat("x", UnlockReasonMax+1), "flow.unlock.reason_too_long"},
			} {
				_, err := r.m.Unlock(r.ctx, id, bad.op, bad.reason)
				wantKey(t, err, bad.key)
				r.wantStep(StepLocked)
			}
			snap, err := r.m.Unlock(r.ctx, id, "Sara", "identity checked against the national card")
			if err != nil {
				t.Fatal(err)
			}
			if snap.Step != c.at || snap.SessionID != id || snap.Outcome != "" {
				t.Fatalf("after unlock: step %s session %s outcome %q", snap.Step, snap.SessionID, snap.Outcome)
			}
			rec := r.stored()
			if rec.Failures[c.at] != 0 || rec.LockedFrom != "" || rec.Step != c.at {
				t.Errorf("stored after unlock: step %s failures %v locked from %q", rec.Step, rec.Failures, rec.LockedFrom)
			}
			if _, locked, _ := locks.PersonLocked(r.ctx, "", mobile, r.clock.Now()); locked || locks.unlocked != 1 {
				t.Errorf("person lock not lifted (unlocked %d)", locks.unlocked)
			}
			r.store.mu.Lock()
			evs := r.store.events[id]
			ev := evs[len(evs)-1]
			r.store.mu.Unlock()
			if ev.Name != "operator.unlock" || ev.From != StepLocked || ev.To != c.at || !strings.Contains(ev.Detail, "Sara") ||
				!strings.Contains(ev.Detail, "identity checked") {
				t.Errorf("event %+v", ev)
			}
			if c.at == StepVideo && len(snap.Challenge) == 0 {
				t.Error("video resumed without a challenge")
			}
			// The idle timer starts again from the unlock.
			if !snap.IdleExpires.After(r.clock.Now()) {
				t.Errorf("idle expires %v, now %v", snap.IdleExpires, r.clock.Now())
			}
			// A second unlock of the same session is refused: it is not locked any more.
			_, err = r.m.Unlock(r.ctx, id, "Sara", "again")
			wantKey(t, err, "flow.unlock.not_locked")
		})
	}
}

func TestUnlockRefusals(t *testing.T) {
	fail := sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{"verdict.x"}}
	lock := func(r *rig) string {
		r.cfg.CaptureAttempts = 1
		r.m = r.machine(r.store)
		r.walk(StepSelfie)
		r.det.selfie = []sdk.Verdict{fail}
		r.advance()
		r.wantStep(StepLocked)
		return r.m.Snapshot().SessionID
	}
	t.Run("past the retention window", func(t *testing.T) {
		r := newRig(t)
		r.cfg.UnlockWithin = 24 * time.Hour
		id := lock(r)
		r.clock.Advance(25 * time.Hour)
		_, err := r.m.Unlock(r.ctx, id, "Sara", "checked")
		wantKey(t, err, "flow.unlock.too_old")
	})
	t.Run("another applicant part-way", func(t *testing.T) {
		r := newRig(t)
		id := lock(r)
		r.must(startErr(r.m.Start(r.ctx)))
		r.advance() // welcome → mobile
		_, err := r.m.Unlock(r.ctx, id, "Sara", "checked")
		wantKey(t, err, "flow.unlock.busy")
		r.wantStep(StepMobile)
	})
	t.Run("a welcome screen gives way", func(t *testing.T) {
		r := newRig(t)
		id := lock(r)
		r.must(startErr(r.m.Start(r.ctx)))
		welcome := r.m.Snapshot().SessionID
		snap, err := r.m.Unlock(r.ctx, id, "Sara", "checked")
		if err != nil || snap.SessionID != id || snap.Step != StepSelfie {
			t.Fatalf("unlock over the welcome screen: %+v %v", snap.Step, err)
		}
		if rec, _ := r.store.Load(r.ctx, welcome); rec.Step != StepExpired {
			t.Errorf("welcome session left at %s", rec.Step)
		}
	})
	t.Run("wiped", func(t *testing.T) {
		r := newRig(t)
		id := lock(r)
		rec := r.stored()
		w := wiped(rec)
		r.must(r.store.Wipe(r.ctx, w, Event{From: StepLocked, To: StepLocked, Name: "purged"}))
		_, err := r.m.Unlock(r.ctx, id, "Sara", "checked")
		wantKey(t, err, "flow.unlock.gone")
	})
	t.Run("not locked", func(t *testing.T) {
		r := newRig(t)
		r.walk(StepSelfie)
		_, err := r.m.Unlock(r.ctx, r.m.Snapshot().SessionID, "Sara", "checked")
		wantKey(t, err, "flow.unlock.not_locked")
	})
	t.Run("no such session", func(t *testing.T) {
		r := newRig(t)
		if _, err := r.m.Unlock(r.ctx, "nope", "Sara", "checked"); err == nil {
			t.Fatal("unlock of an unknown session accepted")
		}
	})
}

func startErr(_ Snapshot, err error) error { return err }
