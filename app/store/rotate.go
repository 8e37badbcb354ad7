package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// RotateReport says what a key rotation re-encrypted.
type RotateReport struct {
	NewKeyID string
	OldKeyID string // the key that was active before
	Sessions int    // sealed records re-encrypted
	Media    int    // media files re-encrypted
}

// Rotate makes raw (32 bytes) the active key and re-encrypts every sealed record and media file still
// under another key. It may be run again after an interruption: rows already under the new key are
// skipped, and a file renamed before its row was updated still opens (every loaded key is
// tried). Run it with the kiosk stopped.
func (s *Store) Rotate(ctx context.Context, raw []byte) (RotateReport, error) {
	nk, err := newKey(raw)
	if err != nil {
		return RotateReport{}, fmt.Errorf("store: rotate: %w", err)
	}
	if s.lock == nil {
		return RotateReport{}, fmt.Errorf("store: rotate: %w", ErrNoKey)
	}
	// A chain that does not verify under the current keys is not re-keyed: that would hide the
	// tampering under the new key.
	if _, err := s.VerifyAudit(ctx); err != nil {
		return RotateReport{}, fmt.Errorf("store: rotate: %w", err)
	}
	s.mu.Lock()
	rep := RotateReport{NewKeyID: nk.id}
	if s.keys.active != nil {
		rep.OldKeyID = s.keys.active.id
	}
	if _, ok := s.keys.byID[nk.id]; !ok {
		s.keys.byID[nk.id] = nk
	}
	s.keys.active = s.keys.byID[nk.id]
	s.mu.Unlock()

	if rep.Sessions, err = s.rotateRecords(ctx, nk); err != nil {
		return rep, fmt.Errorf("store: rotate: %w", err)
	}
	if rep.Media, err = s.rotateMedia(ctx, nk); err != nil {
		return rep, fmt.Errorf("store: rotate: %w", err)
	}
	// The chain is re-keyed and the rotation recorded in one transaction: the chain is under
	// either the old key or the new one, never half of each.
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.rekeyAudit(ctx, tx, nk, false); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, s.now(), "", AuditKeys, "rotate",
			fmt.Sprintf("%s>%s records=%d media=%d", rep.OldKeyID, rep.NewKeyID, rep.Sessions, rep.Media))
	})
	if err != nil {
		return rep, fmt.Errorf("store: rotate: %w", err)
	}
	return rep, nil
}

func (s *Store) rotateRecords(ctx context.Context, nk *key) (int, error) {
	ids, err := queryStrings(ctx, s.db, `SELECT id FROM sessions WHERE key_id <> ? ORDER BY id`, nk.id)
	if err != nil {
		return 0, fmt.Errorf("records: %w", err)
	}
	n := 0
	for _, id := range ids {
		err := s.withTx(ctx, func(tx *sql.Tx) error {
			var keyID string
			var sealed []byte
			if err := tx.QueryRowContext(ctx, `SELECT key_id, sealed FROM sessions WHERE id = ?`, id).Scan(&keyID, &sealed); err != nil {
				return fmt.Errorf("read: %w", err)
			}
			if keyID == nk.id {
				return nil
			}
			s.mu.RLock()
			plain, _, err := s.keys.open(keyID, sealed, recordAD(id))
			s.mu.RUnlock()
			if err != nil {
				return err
			}
			resealed, err := seal(nk, plain, recordAD(id))
			clear(plain)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE sessions SET key_id = ?, sealed = ? WHERE id = ?`, nk.id, resealed, id); err != nil {
				return fmt.Errorf("update: %w", err)
			}
			n++
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("session %s: %w", id, err)
		}
	}
	return n, nil
}

func (s *Store) rotateMedia(ctx context.Context, nk *key) (int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT session_id, name, format, sha256, size, key_id, path FROM media WHERE key_id <> ? ORDER BY session_id, name`, nk.id)
	if err != nil {
		return 0, fmt.Errorf("media: %w", err)
	}
	type item struct {
		session string
		m       MediaInfo
	}
	var items []item
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.session, &it.m.Name, &it.m.Format, &it.m.SHA256, &it.m.Size, &it.m.KeyID, &it.m.Path); err != nil {
			rows.Close()
			return 0, fmt.Errorf("media: %w", err)
		}
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("media: %w", err)
	}
	n := 0
	for _, it := range items {
		plain, err := s.readMedia(it.session, it.m)
		if err != nil {
			return n, err
		}
		sealed, err := seal(nk, plain, mediaAD(it.session, it.m.Name))
		clear(plain)
		if err != nil {
			return n, err
		}
		if err := writeAtomic(s.absPath(it.m.Path), sealed); err != nil {
			return n, fmt.Errorf("media %s: %w", it.m.Name, err)
		}
		if _, err := s.db.ExecContext(ctx, `UPDATE media SET key_id = ? WHERE session_id = ? AND name = ?`, nk.id, it.session, it.m.Name); err != nil {
			return n, fmt.Errorf("media %s: %w", it.m.Name, err)
		}
		n++
	}
	return n, nil
}

// RotateKeyFile rotates the key kept in Options.KeyFile: a new key is written beside it first
// (store.key.next, so an interrupted rotation resumes with the same key), everything is
// re-encrypted, then the new key replaces the old one. The old key is shredded, or with keepOld
// moved to keys/retired/<id>.key (still loaded for reading). A key from EHRAZ_STORE_KEY cannot be
// rotated this way: set a new one with Rotate. It fails with ErrInUse while another process
// has the store open.
func (s *Store) RotateKeyFile(ctx context.Context, keepOld bool) (RotateReport, error) {
	s.mu.RLock()
	fromEnv := s.keys.fromEnv
	s.mu.RUnlock()
	if fromEnv || s.keyFile == "" {
		return RotateReport{}, errors.New("store: rotate: the key does not come from a key file")
	}
	if s.lock == nil {
		return RotateReport{}, fmt.Errorf("store: rotate: %w", ErrNoKey)
	}
	release, err := s.lock.exclusive()
	if err != nil {
		return RotateReport{}, fmt.Errorf("store: rotate: %w", err)
	}
	defer release()
	next := s.keyFile + nextSuffix
	nk, err := readKeyFile(next)
	if errors.Is(err, os.ErrNotExist) {
		if nk, err = NewRandomKey(); err != nil {
			return RotateReport{}, err
		}
		if err := writeKeyFile(next, nk); err != nil {
			return RotateReport{}, fmt.Errorf("store: rotate: %w", err)
		}
	} else if err != nil {
		return RotateReport{}, fmt.Errorf("store: rotate: %w", err)
	}
	old, err := readKeyFile(s.keyFile)
	if err != nil {
		return RotateReport{}, fmt.Errorf("store: rotate: %w", err)
	}
	rep, err := s.Rotate(ctx, nk)
	if err != nil {
		return rep, err
	}
	rep.OldKeyID = KeyID(old)
	if keepOld {
		retired := filepath.Join(filepath.Dir(s.keyFile), retiredDir, KeyID(old)+".key")
		if err := writeKeyFile(retired, old); err != nil && !errors.Is(err, os.ErrExist) {
			return rep, fmt.Errorf("store: rotate: retire old key: %w", err)
		}
	}
	// Keep the old bytes reachable under a side name until the new key is in place, then shred.
	side := s.keyFile + ".old"
	os.Remove(side)
	if err := os.Link(s.keyFile, side); err != nil {
		return rep, fmt.Errorf("store: rotate: %w", err)
	}
	if err := os.Rename(next, s.keyFile); err != nil {
		return rep, fmt.Errorf("store: rotate: install new key: %w", err)
	}
	if err := syncDir(filepath.Dir(s.keyFile)); err != nil {
		return rep, fmt.Errorf("store: rotate: %w", err)
	}
	if err := shred(side); err != nil {
		return rep, fmt.Errorf("store: rotate: %w", err)
	}
	if !keepOld {
		s.mu.Lock()
		if rep.OldKeyID != rep.NewKeyID {
			delete(s.keys.byID, rep.OldKeyID)
		}
		s.mu.Unlock()
	}
	return rep, nil
}

// KeyIDsInUse lists the key ids that sealed rows and media files name, sorted.
func (s *Store) KeyIDsInUse(ctx context.Context) ([]string, error) {
	ids, err := queryStrings(ctx, s.db, `SELECT key_id FROM sessions UNION SELECT key_id FROM media`)
	if err != nil {
		return nil, fmt.Errorf("store: key ids: %w", err)
	}
	sort.Strings(ids)
	return ids, nil
}

func queryStrings(ctx context.Context, db *sql.DB, q string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, strings.TrimSpace(v))
	}
	return out, rows.Err()
}
