package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/domain/kyc"
)

// trackingHashVersion is the migration that adds sessions.tracking_hash.
const trackingHashVersion = 5

// trackingHash is the keyed hash a session's SEJAM tracking code is found by: HMAC-SHA256 under a
// key derived from store key k, so the column reveals nothing without the key (10 digits would
// fall to a plain hash at once).
func trackingHash(k *key, code kyc.TrackingCode) []byte {
	sub := hmac.New(sha256.New, k.raw)
	sub.Write([]byte("ehraz tracking v1"))
	m := hmac.New(sha256.New, sub.Sum(nil))
	m.Write([]byte(code))
	return m.Sum(nil)
}

// trackingColumn is the tracking_hash value for r: nil until the code is typed and after a wipe.
func (s *Store) trackingColumn(r flow.Record) any {
	if r.Tracking == "" {
		return nil
	}
	k, err := s.activeKey()
	if err != nil {
		return nil // sealRecord, called first, has already failed on this
	}
	return trackingHash(k, r.Tracking)
}

// fillTrackingHashes sets tracking_hash for the rows of a database older than the column (run in
// migration 0005's transaction).
func (s *Store) fillTrackingHashes(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, key_id, sealed FROM sessions WHERE wiped = 0`)
	if err != nil {
		return fmt.Errorf("tracking hashes: %w", err)
	}
	type row struct {
		id, keyID string
		sealed    []byte
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.keyID, &r.sealed); err != nil {
			rows.Close()
			return fmt.Errorf("tracking hashes: %w", err)
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("tracking hashes: %w", err)
	}
	for _, r := range all {
		rec, err := s.openRecord(r.id, r.keyID, r.sealed)
		if err != nil {
			continue // a row that does not open stays unsearchable; Load reports it
		}
		if v := s.trackingColumn(rec); v != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE sessions SET tracking_hash = ? WHERE id = ?`, v, r.id); err != nil {
				return fmt.Errorf("tracking hashes: %w", err)
			}
		}
	}
	return nil
}

// FindTracking lists the sessions (any day, newest first) whose applicant typed this SEJAM
// tracking code, by its keyed hash under every key the store holds (rows sealed before a key
// rotation are found too). Wiped sessions no longer carry the hash and are not found.
func (s *Store) FindTracking(ctx context.Context, code kyc.TrackingCode) ([]Summary, error) {
	s.mu.RLock()
	keys := s.keys
	s.mu.RUnlock()
	var hashes []any
	for _, k := range keys.candidates(keys.active.id) {
		hashes = append(hashes, trackingHash(k, code))
	}
	q := `SELECT id FROM sessions WHERE tracking_hash IN (?` + strings.Repeat(", ?", len(hashes)-1) + `) ORDER BY started_at DESC, rowid DESC`
	rows, err := s.db.QueryContext(ctx, q, hashes...)
	if err != nil {
		return nil, fmt.Errorf("store: find by tracking code: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: find by tracking code: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: find by tracking code: %w", err)
	}
	out := make([]Summary, 0, len(ids))
	for _, id := range ids {
		m, err := s.summary(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("store: find by tracking code: %w", err)
		}
		out = append(out, m)
	}
	return out, nil
}
