package pin

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// LockoutFile keeps the operator login's wrong-PIN count under keys/, so a restart does not
// reset it.
const LockoutFile = "operator.lockout.json"

// Lockout policy: after MaxFailures wrong PINs in a row the login locks for FirstLock, and each
// lock after that without a good PIN in between lasts twice as long as the one before, up to
// MaxLock.
const (
	MaxFailures = 5
	FirstLock   = 5 * time.Minute
	MaxLock     = 24 * time.Hour
)

// Lockout is the persisted state of the operator login's wrong-PIN limit.
type Lockout struct {
	Failures    int       `json:"failures"`     // wrong PINs since the last lock or good PIN
	Locks       int       `json:"locks"`        // locks since the last good PIN (escalation)
	LockedUntil time.Time `json:"locked_until"` // zero when not locked
	dir         string
}

// LoadLockout reads the state from keysDir (a missing file is a clean state). A file that
// cannot be parsed counts as locked for FirstLock: a broken counter must not become a free pass.
func LoadLockout(keysDir string, now time.Time) (*Lockout, error) {
	l := &Lockout{dir: keysDir}
	b, err := os.ReadFile(filepath.Join(keysDir, LockoutFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return l, nil
	case err != nil:
		return l, fmt.Errorf("pin: read lockout: %w", err)
	}
	if err := json.Unmarshal(b, l); err != nil {
		l.LockedUntil = now.Add(FirstLock)
		return l, fmt.Errorf("pin: parse %s (locked for %s): %w", LockoutFile, FirstLock, err)
	}
	return l, nil
}

// Locked reports whether the login is locked at now, and until when.
func (l *Lockout) Locked(now time.Time) (time.Time, bool) {
	return l.LockedUntil, now.Before(l.LockedUntil)
}

// Fail counts a wrong PIN and saves; the MaxFailures-th locks the login.
func (l *Lockout) Fail(now time.Time) error {
	l.Failures++
	if l.Failures >= MaxFailures {
		d := FirstLock << min(l.Locks, 16)
		if d > MaxLock || d <= 0 {
			d = MaxLock
		}
		l.Failures, l.Locks, l.LockedUntil = 0, l.Locks+1, now.Add(d)
	}
	return l.save()
}

// Succeed clears the count after a good PIN and saves.
func (l *Lockout) Succeed() error {
	if l.Failures == 0 && l.Locks == 0 && l.LockedUntil.IsZero() {
		return nil
	}
	l.Failures, l.Locks, l.LockedUntil = 0, 0, time.Time{}
	return l.save()
}

func (l *Lockout) save() error {
	if l.dir == "" {
		return nil // in memory (tests of the screens)
	}
	b, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("pin: lockout: %w", err)
	}
	return writeAtomic(l.dir, LockoutFile, b)
}
