package flow

import (
	"context"
	"errors"
)

// Touch records applicant activity. LastActive always moves in memory (the idle timer reads it);
// it is written to the store only when Config.TouchPersistEvery has passed since the last write,
// so frequent taps cost nothing. While another call is running Touch does nothing: that call
// records the activity when it commits.
func (m *Machine) Touch(ctx context.Context) error {
	if !m.op.TryLock() {
		return nil
	}
	defer m.op.Unlock()
	m.mu.Lock()
	if !m.has || terminal(m.rec.Step) {
		m.mu.Unlock()
		return nil
	}
	now := m.now()
	m.rec.LastActive = now
	due := m.since(m.lastWrite) >= m.cfg.TouchPersistEvery
	r := cloneRecord(m.rec)
	m.mu.Unlock()
	if !due {
		return nil
	}
	return m.commit(ctx, r.Step, r, "active", "")
}

// expireIfIdle wipes the session when a numbered step has been idle past Config.IdleTimeout.
// The welcome screen holds no personal data and never expires. While another call is running
// the session is not idle.
func (m *Machine) expireIfIdle(ctx context.Context) (bool, error) {
	if !m.op.TryLock() {
		return false, nil
	}
	defer m.op.Unlock()
	m.mu.RLock()
	r, has := cloneRecord(m.rec), m.has
	m.mu.RUnlock()
	if !has || stepIndex(r.Step) == 0 || m.since(r.LastActive) <= m.cfg.IdleTimeout {
		return false, nil
	}
	// A row already gone (purged behind our back) has nothing left to wipe: the session still
	// ends on screen.
	if err := m.end(ctx, r, StepExpired, "flow.outcome.expired", "expired"); err != nil && !errors.Is(err, ErrSessionGone) {
		return false, err
	}
	return true, nil
}

// abandon ends the session now and wipes its data (the applicant cancelled or the operator reset
// the kiosk). A session that is already over (submitted, locked for an operator, rejected,
// expired) is left as it is. A session whose row is gone ends in memory without an error.
func (m *Machine) abandon(ctx context.Context) error {
	m.op.Lock()
	defer m.op.Unlock()
	m.mu.RLock()
	r, has := cloneRecord(m.rec), m.has
	m.mu.RUnlock()
	if !has || terminal(r.Step) {
		return nil
	}
	if err := m.end(ctx, r, StepExpired, "flow.outcome.abandoned", "abandoned"); err != nil && !errors.Is(err, ErrSessionGone) {
		return err
	}
	return nil
}
