package flow

import (
	"testing"
	"time"
)

// The wall clock set back an hour or forward a day while a session is on screen (issue 18):
// the idle timeout still runs on elapsed time — no session is wiped early by a forward jump, nor
// kept an hour too long by a backward one — and nothing fails.
func TestClockJumpsDoNotMoveIdleExpiry(t *testing.T) {
	for _, jump := range []time.Duration{-time.Hour, 24 * time.Hour, -7 * 24 * time.Hour, 365 * 24 * time.Hour} {
		t.Run(jump.String(), func(t *testing.T) {
			r := newRig(t) // IdleTimeout 3 min
			r.walk(StepSelfie)
			r.clock.Advance(time.Minute)
			r.clock.Jump(jump)
			if _, wiped, err := r.m.ExpireIfIdle(r.ctx); err != nil || wiped {
				t.Fatalf("right after the jump: wiped=%v err=%v", wiped, err)
			}
			r.clock.Advance(time.Minute + 59*time.Second) // 2 min 59 s idle
			if _, wiped, err := r.m.ExpireIfIdle(r.ctx); err != nil || wiped {
				t.Fatalf("wiped after 2 min 59 s idle: wiped=%v err=%v", wiped, err)
			}
			r.wantStep(StepSelfie)
			r.clock.Advance(2 * time.Second) // 3 min 1 s idle
			if _, wiped, err := r.m.ExpireIfIdle(r.ctx); err != nil || !wiped {
				t.Fatalf("not wiped after 3 min 1 s idle: wiped=%v err=%v", wiped, err)
			}
			r.wantStep(StepExpired)
			assertWiped(t, r, r.stored(), "flow.outcome.expired")
			// The kiosk goes on: a new session starts and is stamped with the new wall time.
			snap, err := r.m.Start(r.ctx)
			if err != nil || snap.Step != StepWelcome || !snap.StartedAt.Equal(r.clock.Now()) {
				t.Fatalf("start after the jump: %+v %v", snap, err)
			}
		})
	}
}

// Activity keeps a session alive across a jump, and Touch keeps writing at its pace: after the
// clock was set back, "5 s since the last write" is not an hour away.
func TestClockJumpsAndTouch(t *testing.T) {
	for _, jump := range []time.Duration{-time.Hour, 24 * time.Hour} {
		t.Run(jump.String(), func(t *testing.T) {
			r := newRig(t)
			r.walk(StepMobile)
			saves := r.store.saves
			r.clock.Jump(jump)
			r.clock.Advance(4 * time.Second)
			r.must(r.m.Touch(r.ctx))
			if r.store.saves != saves {
				t.Errorf("a touch 4 s after the last write was written (a jump of %v counted as time)", jump)
			}
			r.clock.Advance(time.Second)
			r.must(r.m.Touch(r.ctx))
			if r.store.saves != saves+1 {
				t.Errorf("%d writes 5 s after the last one, want 1", r.store.saves-saves)
			}
			if rec := r.stored(); !rec.LastActive.Equal(r.clock.Now()) {
				t.Errorf("stored LastActive %v, want the new wall time %v", rec.LastActive, r.clock.Now())
			}
			// Touched 2 minutes later, idle 2 more: alive; then 3 min 1 s after the touch: expired.
			r.clock.Advance(2 * time.Minute)
			r.must(r.m.Touch(r.ctx))
			r.clock.Advance(2 * time.Minute)
			if _, wiped, _ := r.m.ExpireIfIdle(r.ctx); wiped {
				t.Fatal("expired 2 minutes after a touch")
			}
			r.clock.Advance(61 * time.Second)
			if _, wiped, _ := r.m.ExpireIfIdle(r.ctx); !wiped {
				t.Fatal("alive 3 min 1 s after the last touch")
			}
		})
	}
}
