package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/domain/kyc"
)

var _ flow.PersonLocks = (*Store)(nil)

// personHashes are the keyed hashes a lock is kept under: one for the national code, one for the
// mobile, so retrying with either one finds it. The key is derived from the active store key; a
// key rotation therefore forgets the locks, which last hours, not longer than a rotation cycle.
func (s *Store) personHashes(nc kyc.NationalCode, mobile kyc.Mobile) ([][]byte, error) {
	k, err := s.activeKey()
	if err != nil {
		return nil, err
	}
	sub := hmac.New(sha256.New, k.raw)
	sub.Write([]byte("ehraz person-lock v1"))
	derived := sub.Sum(nil)
	var out [][]byte
	for _, v := range []string{"nc:" + string(nc), "mobile:" + string(mobile)} {
		if v == "nc:" || v == "mobile:" {
			continue
		}
		m := hmac.New(sha256.New, derived)
		m.Write([]byte(v))
		out = append(out, m.Sum(nil))
	}
	return out, nil
}

// LockPerson keeps the person locked out until the given time (a later lock extends it).
func (s *Store) LockPerson(ctx context.Context, nc kyc.NationalCode, mobile kyc.Mobile, until time.Time) error {
	hs, err := s.personHashes(nc, mobile)
	if err != nil {
		return fmt.Errorf("store: lock person: %w", err)
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		for _, h := range hs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO person_locks (hash, until) VALUES (?, ?)
				ON CONFLICT (hash) DO UPDATE SET until = max(until, excluded.until)`, h, until.UnixMilli()); err != nil {
				return fmt.Errorf("store: lock person: %w", err)
			}
		}
		return nil
	})
}

// PersonLocked reports whether the national code or the mobile (either may be empty) is locked
// out at now, and until when.
func (s *Store) PersonLocked(ctx context.Context, nc kyc.NationalCode, mobile kyc.Mobile, now time.Time) (time.Time, bool, error) {
	hs, err := s.personHashes(nc, mobile)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: person lock: %w", err)
	}
	var latest int64
	for _, h := range hs {
		var until int64
		err := s.db.QueryRowContext(ctx, `SELECT until FROM person_locks WHERE hash = ? AND until > ?`, h, now.UnixMilli()).Scan(&until)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return time.Time{}, false, fmt.Errorf("store: person lock: %w", err)
		case until > latest:
			latest = until
		}
	}
	if latest == 0 {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(latest), true, nil
}

var _ flow.PersonUnlocker = (*Store)(nil)

// UnlockPerson lifts the person's lock now (an operator resumed their locked session after
// checking them; the flow records who and why).
func (s *Store) UnlockPerson(ctx context.Context, nc kyc.NationalCode, mobile kyc.Mobile) error {
	hs, err := s.personHashes(nc, mobile)
	if err != nil {
		return fmt.Errorf("store: unlock person: %w", err)
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		for _, h := range hs {
			if _, err := tx.ExecContext(ctx, `DELETE FROM person_locks WHERE hash = ?`, h); err != nil {
				return fmt.Errorf("store: unlock person: %w", err)
			}
		}
		return nil
	})
}
