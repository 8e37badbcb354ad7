package flow

import (
	"testing"
	"time"
)

// TestVanishedSessionRowRecovers: when the session's row is deleted behind the flow's back (a
// retention purge while the kiosk sat on a screen, issue 18), the kiosk keeps working instead of
// failing on every call until a restart.
func TestVanishedSessionRowRecovers(t *testing.T) {
	t.Run("begin at the welcome screen", func(t *testing.T) {
		r := newRig(t)
		r.walk(StepWelcome)
		old := r.m.Snapshot().SessionID
		r.store.drop(old)
		snap, err := r.m.Submit(r.ctx, Begin{})
		if err != nil {
			t.Fatalf("begin after the welcome session's row vanished: %v", err)
		}
		if snap.Step != StepMobile || snap.SessionID == old || snap.SessionID == "" {
			t.Fatalf("begin gave %s in session %q (old %q); want the mobile step in a new session", snap.Step, snap.SessionID, old)
		}
		if got := r.stored(); got.Step != StepMobile {
			t.Errorf("stored step %s, want %s", got.Step, StepMobile)
		}
		if got := r.store.eventNames(snap.SessionID); len(got) != 2 || got[0] != "started" || got[1] != "begun" {
			t.Errorf("events of the new session %v, want [started begun]", got)
		}
		r.walk(StepIdentity) // and the rest of the flow works
	})
	t.Run("idle expiry", func(t *testing.T) {
		r := newRig(t)
		r.walk(StepIdentity)
		r.store.drop(r.m.Snapshot().SessionID)
		r.clock.Advance(r.cfg.IdleTimeout + time.Second)
		snap, wiped, err := r.m.ExpireIfIdle(r.ctx)
		if err != nil || !wiped || snap.Step != StepExpired {
			t.Fatalf("expire after the row vanished: step %s wiped=%v err=%v; want expired, true, nil", snap.Step, wiped, err)
		}
		if snap.Mobile != "" || snap.Person != nil {
			t.Errorf("personal data left in memory: %+v", snap)
		}
		if snap, err := r.m.Start(r.ctx); err != nil || snap.Step != StepWelcome {
			t.Fatalf("start: %s %v", snap.Step, err)
		}
	})
	t.Run("abandon (operator reset)", func(t *testing.T) {
		r := newRig(t)
		r.walk(StepSelfie)
		old := r.m.Snapshot().SessionID
		r.store.drop(old)
		snap, err := r.m.Abandon(r.ctx)
		if err != nil {
			t.Fatalf("abandon after the row vanished: %v", err)
		}
		if snap.Step != StepExpired || snap.Outcome != "flow.outcome.abandoned" || snap.Mobile != "" || snap.Person != nil {
			t.Fatalf("abandon left step %s outcome %q mobile %q person %v; want an ended, wiped session",
				snap.Step, snap.Outcome, snap.Mobile, snap.Person)
		}
		snap, err = r.m.Start(r.ctx)
		if err != nil || snap.Step != StepWelcome || snap.SessionID == old {
			t.Fatalf("start after reset: %+v %v", snap, err)
		}
	})
}
