package review

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ehraz/ehraz/backoffice/database"
	"github.com/ehraz/ehraz/domain/dossier"
)

// ErrAmendmentUnverified is an amendment whose signature does not hold (or that cannot be
// checked because the kiosk's transport key is not configured).
var ErrAmendmentUnverified = errors.New("review: amendment signature does not verify")

// AddAmendment stores a kiosk's verified amendment (key is its idempotency key; a repeat is a
// no-op) on the dossier it names and records it in the trail. An override on a dossier the rule
// approved sends it back to a reviewer: the operator changed a verdict the rule relied on. It
// returns ErrNotFound for an unknown dossier and ErrTransition for one of another kiosk.
func (s *Service) AddAmendment(ctx context.Context, key string, a dossier.Amendment) (duplicate bool, err error) {
	plain, err := json.Marshal(a)
	if err != nil {
		return false, fmt.Errorf("review: amendment: %w", err)
	}
	sealed, err := dossier.Seal(s.cfg.DataKey, plain, []byte("amendment:"+key))
	if err != nil {
		return false, fmt.Errorf("review: amendment: %w", err)
	}
	err = s.db.InTx(ctx, func(tx *database.Tx) error {
		var id int64
		var kiosk, sessionID string
		err := tx.QueryRowContext(ctx, `SELECT id, kiosk_id, session_id FROM dossiers WHERE idempotency_key = ?`, a.DossierKey).Scan(&id, &kiosk, &sessionID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("review: amendment's dossier: %w", err)
		}
		if kiosk != a.KioskID || sessionID != a.SessionID {
			return ErrTransition
		}
		now := s.cfg.Now()
		res, err := tx.ExecContext(ctx, `INSERT INTO amendments (dossier_id, idempotency_key, kiosk_id, received_at, payload) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (idempotency_key) DO NOTHING`, id, key, a.KioskID, now.UnixMilli(), sealed)
		if err != nil {
			return fmt.Errorf("review: store amendment: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			duplicate = true
			return nil
		}
		r, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		by := Actor{Name: "kiosk:" + a.KioskID + "/" + a.Operator}
		to := r.status
		if a.Kind == dossier.AmendOverride && r.status == AutoApproved {
			to = PendingReview
			r.findings = append(r.findings, Finding{Key: "review.finding.override", Step: a.Step})
			if err := s.change(ctx, tx, id, r, to, `findings = ?`, EncodeFindings(r.findings)); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE dossiers SET version = version + 1 WHERE id = ?`, id); err != nil {
			// A reviewer looking at the old version must see the amendment before deciding.
			return fmt.Errorf("review: amendment: %w", err)
		}
		return s.event(ctx, tx, id, now.UnixMilli(), by, "amendment_"+a.Kind, r.status, to, "", "")
	})
	return duplicate, err
}

func (s *Service) amendments(ctx context.Context, id int64) ([]Amendment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT idempotency_key, kiosk_id, received_at, payload FROM amendments WHERE dossier_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("review: amendments of %d: %w", id, err)
	}
	defer rows.Close()
	var out []Amendment
	for rows.Next() {
		var key string
		var at int64
		var sealed []byte
		var a Amendment
		if err := rows.Scan(&key, &a.KioskID, &at, &sealed); err != nil {
			return nil, fmt.Errorf("review: amendments of %d: %w", id, err)
		}
		a.ReceivedAt = time.UnixMilli(at)
		plain, err := dossier.Open(s.cfg.DataKey, sealed, []byte("amendment:"+key))
		if err != nil {
			return nil, fmt.Errorf("review: amendment of %d: %w", id, err)
		}
		if err := json.Unmarshal(plain, &a.Body); err != nil {
			return nil, fmt.Errorf("review: amendment of %d: %w", id, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
