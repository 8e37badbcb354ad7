package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// ErrInUse is returned by RotateKeyFile while another process (the kiosk) has the store open:
// it would keep sealing with the old key, which the rotation then destroys.
var ErrInUse = errors.New("the store is open in another process (stop the kiosk first)")

// dirLock is a flock on <data dir>/.store.lock: every open Store holds it shared; a key rotation
// needs it exclusive.
type dirLock struct{ f *os.File }

func lockShared(dataDir string) (*dirLock, error) {
	f, err := os.OpenFile(filepath.Join(dataDir, ".store.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock: %w", err)
	}
	return &dirLock{f: f}, nil
}

// exclusive upgrades the lock without waiting; release goes back to shared.
func (l *dirLock) exclusive() (release func(), err error) {
	if err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrInUse
		}
		return nil, fmt.Errorf("lock: %w", err)
	}
	return func() { syscall.Flock(int(l.f.Fd()), syscall.LOCK_SH) }, nil //nolint:errcheck // best effort
}

func (l *dirLock) close() error { return l.f.Close() }
