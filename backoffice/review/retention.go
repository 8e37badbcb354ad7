package review

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ehraz/ehraz/backoffice/database"
	"github.com/ehraz/ehraz/domain/dossier"
)

// Retention is how long the back office keeps what (zero fields take the defaults).
type Retention struct {
	// RejectedMedia: a rejected dossier's photos, signature and video are removed this long after
	// the rejection [720h, 30 days]; its data and trail stay for the keeping period.
	RejectedMedia time.Duration `toml:"rejected_media"`
	// Keep: a dossier in a final state (rejected, bourse code issued) is reduced to a tombstone
	// this long after it arrived [43800h, 5 years]: status, times and the national code's keyed
	// hash (so an approved person stays verified), the trail without notes; no personal data.
	Keep time.Duration `toml:"keep"`
}

func (r Retention) resolved() Retention {
	if r.RejectedMedia <= 0 {
		r.RejectedMedia = 30 * 24 * time.Hour
	}
	if r.Keep <= 0 {
		r.Keep = 5 * 365 * 24 * time.Hour
	}
	return r
}

// PurgeReport says what a purge removed.
type PurgeReport struct {
	MediaPurged int // rejected dossiers whose media were removed
	Purged      int // dossiers reduced to tombstones
}

// Purge applies the retention policy at now, each dossier in its own transaction with an audit
// event ("media_purged", "purged", by "retention").
func (s *Service) Purge(ctx context.Context, now time.Time, pol Retention) (PurgeReport, error) {
	pol = pol.resolved()
	var rep PurgeReport
	ids, err := s.ids(ctx, `SELECT id FROM dossiers WHERE status = 'rejected' AND media_purged_at IS NULL AND purged_at IS NULL AND decided_at < ?`,
		now.Add(-pol.RejectedMedia).UnixMilli())
	if err != nil {
		return rep, err
	}
	for _, id := range ids {
		if err := s.purgeMedia(ctx, id, now); err != nil {
			return rep, err
		}
		rep.MediaPurged++
	}
	if ids, err = s.ids(ctx, `SELECT id FROM dossiers WHERE status IN ('rejected', 'bourse_code_issued') AND purged_at IS NULL AND received_at < ?`,
		now.Add(-pol.Keep).UnixMilli()); err != nil {
		return rep, err
	}
	for _, id := range ids {
		err := s.db.InTx(ctx, func(tx *database.Tx) error {
			ms := now.UnixMilli()
			if _, err := tx.ExecContext(ctx, `UPDATE dossiers SET payload = ?, purged_at = ?, version = version + 1 WHERE id = ?`, []byte{}, ms, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE dossier_events SET note = '' WHERE dossier_id = ?`, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM amendments WHERE dossier_id = ?`, id); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO dossier_events (dossier_id, at, actor, action) VALUES (?, ?, 'retention', 'purged')`, id, ms)
			return err
		})
		if err != nil {
			return rep, fmt.Errorf("review: purge dossier %d: %w", id, err)
		}
		rep.Purged++
	}
	return rep, nil
}

func (s *Service) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("review: retention: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("review: retention: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// purgeMedia re-seals a dossier without its media bytes (names, formats, sizes and hashes stay,
// so the trail still says what there was).
func (s *Service) purgeMedia(ctx context.Context, id int64, now time.Time) error {
	return s.db.InTx(ctx, func(tx *database.Tx) error {
		var key string
		var payload []byte
		if err := tx.QueryRowContext(ctx, `SELECT idempotency_key, payload FROM dossiers WHERE id = ?`, id).Scan(&key, &payload); err != nil {
			return fmt.Errorf("review: purge media of %d: %w", id, err)
		}
		d, err := OpenDossier(s.cfg.DataKey, key, payload)
		if err != nil {
			return fmt.Errorf("review: purge media of %d: %w", id, err)
		}
		for i := range d.Media {
			d.Media[i].Sealed = nil
		}
		plain, err := json.Marshal(d)
		if err != nil {
			return err
		}
		sealed, err := dossier.Seal(s.cfg.DataKey, plain, []byte(key))
		if err != nil {
			return err
		}
		ms := now.UnixMilli()
		if _, err := tx.ExecContext(ctx, `UPDATE dossiers SET payload = ?, media_purged_at = ?, version = version + 1 WHERE id = ?`, sealed, ms, id); err != nil {
			return fmt.Errorf("review: purge media of %d: %w", id, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO dossier_events (dossier_id, at, actor, action) VALUES (?, ?, 'retention', 'media_purged')`, id, ms)
		return err
	})
}
