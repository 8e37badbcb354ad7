package pin

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestOperatorsAddRemoveSave(t *testing.T) {
	keys := filepath.Join(t.TempDir(), "keys")
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	ops, err := LoadOperators(keys)
	if err != nil || len(ops.List) != 0 {
		t.Fatalf("missing file: %v %v", ops, err)
	}
	h1, _ := Hash("2468")
	h2, _ := Hash("1357")
	for _, c := range []struct {
		name string
		hash string
		want error
	}{
		{"  Maryam   Ahmadi ", h1, nil},
		{"علی رضایی", h2, nil},
		{"Maryam Ahmadi", h2, ErrNameTaken},
		{"", h2, ErrNameInvalid},
		{"x<script>", h2, ErrNameInvalid},
		{"a very long name that goes on and on past forty", h2, ErrNameInvalid},
	} {
		if err := ops.Add(c.name, c.hash, now); !errors.Is(err, c.want) {
			t.Errorf("Add(%q) = %v, want %v", c.name, err, c.want)
		}
	}
	if err := ops.Save(keys); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(keys, OperatorsFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("operators file: %v %v", st, err)
	}
	again, err := LoadOperators(keys)
	if err != nil {
		t.Fatal(err)
	}
	if got := again.Names(); len(got) != 2 || got[0] != "Maryam Ahmadi" || got[1] != "علی رضایی" {
		t.Fatalf("names after reload: %q", got)
	}
	if !again.CheckOperator("علی رضایی", "1357") || again.CheckOperator("علی رضایی", "2468") || again.CheckOperator("nobody", "2468") {
		t.Error("a PIN checks against the wrong operator")
	}
	if err := again.Remove("Maryam Ahmadi"); err != nil {
		t.Fatal(err)
	}
	if err := again.Remove("Maryam Ahmadi"); !errors.Is(err, ErrNoOperator) {
		t.Errorf("second remove: %v", err)
	}
	if again.CheckOperator("Maryam Ahmadi", "2468") {
		t.Error("a removed operator still logs in")
	}
}

// Five wrong PINs lock for five minutes; the count survives a restart (a new LoadLockout); each
// lock without a good PIN between doubles; a good PIN clears it all.
func TestLockoutPersistsAndEscalates(t *testing.T) {
	keys := filepath.Join(t.TempDir(), "keys")
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	load := func() *Lockout {
		t.Helper()
		l, err := LoadLockout(keys, now)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	l := load()
	for i := 0; i < MaxFailures-1; i++ {
		if err := l.Fail(now); err != nil {
			t.Fatal(err)
		}
	}
	l = load() // restart between the 4th and 5th wrong PIN
	if _, locked := l.Locked(now); locked || l.Failures != MaxFailures-1 {
		t.Fatalf("after restart: failures %d locked %v", l.Failures, locked)
	}
	if err := l.Fail(now); err != nil {
		t.Fatal(err)
	}
	until, locked := load().Locked(now)
	if !locked || until.Sub(now) != FirstLock {
		t.Fatalf("first lock until %v (locked %v), want %v", until, locked, FirstLock)
	}
	now = until
	l = load()
	for i := 0; i < MaxFailures; i++ {
		_ = l.Fail(now)
	}
	if until, _ := load().Locked(now); until.Sub(now) != 2*FirstLock {
		t.Errorf("second lock %v, want %v", until.Sub(now), 2*FirstLock)
	}
	l = load()
	l.Locks = 30
	l.Failures = MaxFailures - 1
	_ = l.Fail(now)
	if until, _ := load().Locked(now); until.Sub(now) != MaxLock {
		t.Errorf("escalation not capped: %v", until.Sub(now))
	}
	l = load()
	if err := l.Succeed(); err != nil {
		t.Fatal(err)
	}
	if l = load(); l.Failures != 0 || l.Locks != 0 || !l.LockedUntil.IsZero() {
		t.Errorf("after a good PIN: %+v", l)
	}
	// A damaged file locks rather than opens.
	if err := os.WriteFile(filepath.Join(keys, LockoutFile), []byte("{broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := LoadLockout(keys, now)
	if err == nil {
		t.Error("a damaged lockout file was accepted silently")
	}
	if _, locked := l.Locked(now); !locked {
		t.Error("a damaged lockout file unlocked the login")
	}
}
