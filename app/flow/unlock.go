package flow

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ehraz/ehraz/domain/kyc"
)

// PersonUnlocker is implemented by PersonLocks that can lift a person's lock early: an
// operator who resumed a locked session after checking the person also frees them.
type PersonUnlocker interface {
	UnlockPerson(ctx context.Context, nc kyc.NationalCode, mobile kyc.Mobile) error
}

// UnlockReasonMax is the longest reason an operator may give for an Unlock, in bytes.
const UnlockReasonMax = 200

var longDigits = regexp.MustCompile(`\p{Nd}{5,}`)

// Unlock resumes a locked session after an operator has confirmed the person's identity: the
// session goes back to the step where it locked, that step's failure count starts again, the
// idle timer restarts and, when the store can, the person's lock beyond the session is lifted.
// It is recorded as an "operator.unlock" event (and so in the audit chain) naming the operator
// with the reason. operator and reason are required; the reason, which is kept for good, may
// not contain a long number (a national code or mobile typed by mistake). Only a locked session
// whose data is still there (not wiped or purged) and that locked within Config.UnlockWithin
// can be resumed. The kiosk holds one session at a time: an applicant part-way through another
// one is not pushed aside (flow.unlock.busy); a session still at the welcome screen is.
func (m *Machine) Unlock(ctx context.Context, id, operator, reason string) (Snapshot, error) {
	operator, reason = strings.TrimSpace(operator), strings.TrimSpace(reason)
	switch {
	case operator == "":
		return m.Snapshot(), &Error{Key: "flow.unlock.operator_required"}
	case reason == "":
		return m.Snapshot(), &Error{Key: "flow.unlock.reason_required"}
	case len(reason) > UnlockReasonMax || !utf8.ValidString(reason):
		return m.Snapshot(), &Error{Key: "flow.unlock.reason_too_long"}
	case longDigits.MatchString(reason) || longDigits.MatchString(operator):
		return m.Snapshot(), &Error{Key: "flow.unlock.reason_number"}
	}
	m.op.Lock()
	defer m.op.Unlock()
	r, err := m.deps.Store.Load(ctx, id)
	if err != nil {
		if errors.Is(err, ErrSessionGone) {
			return m.Snapshot(), &Error{Key: "flow.unlock.gone", Err: err}
		}
		return m.Snapshot(), fmt.Errorf("flow: unlock: %w", err)
	}
	r = normalizeRecord(r)
	if r.Step != StepLocked {
		return m.Snapshot(), &Error{Key: "flow.unlock.not_locked", Err: fmt.Errorf("session at step %s", r.Step)}
	}
	if r.Mobile == "" && r.NationalCode == "" && r.Person == nil {
		return m.Snapshot(), &Error{Key: "flow.unlock.gone", Err: errors.New("the session's data was wiped")}
	}
	if m.since(r.LastActive) > m.cfg.UnlockWithin {
		return m.Snapshot(), &Error{Key: "flow.unlock.too_old"}
	}
	step := lockedFrom(r)
	if step == "" {
		return m.Snapshot(), &Error{Key: "flow.unlock.unknown_step", Err: fmt.Errorf("outcome %q", r.Outcome)}
	}
	m.mu.RLock()
	cur, has := cloneRecord(m.rec), m.has
	m.mu.RUnlock()
	if has && cur.ID != id && !terminal(cur.Step) {
		if cur.Step != StepWelcome {
			return m.Snapshot(), &Error{Key: "flow.unlock.busy"}
		}
		// The welcome screen holds nothing of anybody's: it gives way.
		if err := m.end(ctx, cur, StepExpired, "flow.outcome.abandoned", "abandoned"); err != nil && !errors.Is(err, ErrSessionGone) {
			return m.Snapshot(), err
		}
	}
	if u, ok := m.deps.Locks.(PersonUnlocker); ok && m.deps.Locks != nil {
		if err := u.UnlockPerson(ctx, r.NationalCode, r.Mobile); err != nil {
			return m.Snapshot(), fmt.Errorf("flow: unlock person: %w", err)
		}
	}
	r.Step, r.Outcome, r.LockedFrom = step, "", ""
	r.Failures[step] = 0
	if step == StepVideo {
		c, err := m.newChallenge()
		if err != nil {
			return m.Snapshot(), err
		}
		r.setChallenge(c)
	}
	m.mu.Lock()
	clear(m.demo)
	clear(m.media)
	m.mu.Unlock()
	if err := m.commit(ctx, StepLocked, r, "operator.unlock", "operator "+operator+": "+reason); err != nil {
		return m.Snapshot(), err
	}
	return m.Snapshot(), nil
}

// lockedFrom is the step a locked record resumes at: the one the flow noted when it locked or,
// for records locked before it noted it, the capture step named by the outcome
// ("flow.outcome.locked_selfie"). "" when neither tells.
func lockedFrom(r Record) Step {
	if slices.Contains(Steps, r.LockedFrom) {
		return r.LockedFrom
	}
	if s := Step(strings.TrimPrefix(r.Outcome, "flow.outcome.locked_")); slices.Contains(Steps, s) {
		return s
	}
	return ""
}
