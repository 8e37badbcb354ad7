package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// ErrNotFinished is returned by FinishedSession for a session whose commitments were not accepted
// or whose data was wiped.
var ErrNotFinished = errors.New("session has not accepted the commitments")

// OverrideReason is the reason key that marks an operator decision among a dossier's checks.
const OverrideReason = "store.override"

// Finished is a session that accepted the commitments, as its dossier needs it. The store does
// not know the dossier's format: the kiosk's wiring hands this to the outbox (outbox.Source).
type Finished struct {
	SessionID  string
	Mode       string
	ClientIP   string
	Applicant  Applicant
	Checks     []Check // every verdict of every attempt, then the operator decisions
	Media      []PlainMedia
	StartedAt  time.Time
	AcceptedAt time.Time
	// Audit is the audit chain's head when the session was read, for the dossier (the back office
	// keeps it, so a chain cut or rewritten afterwards shows).
	Audit AuditHeadRow
}

// Applicant is the person as SEJAM and the registry described them, plus what was typed.
type Applicant struct {
	Person     kyc.Person
	Mobile     string
	CardSerial string
	CardKind   kyc.CardKind
}

// Check is one recorded verdict, or an operator decision (first reason OverrideReason).
type Check struct {
	Step       string
	Attempt    int
	At         time.Time
	Outcome    string // pass | fail | needs-review | could-not-verify
	Reasons    []string
	Rules      []sdk.Rule
	Score      float64
	DurationMS int64
	Provenance sdk.Provenance
}

// PlainMedia is a stored file, decrypted.
type PlainMedia struct {
	Name   string
	Format string
	Data   []byte
	// AuditHash is the keyed hash the file's newest audit row holds ("" when there is none).
	AuditHash string
}

// FinishedSession reads a session that accepted the commitments for its dossier: the applicant,
// every verdict of every attempt (operator decisions follow as checks whose first reason is
// OverrideReason) and the media, decrypted and checked against their SHA-256.
func (s *Store) FinishedSession(ctx context.Context, sessionID string) (Finished, error) {
	r, err := s.Load(ctx, sessionID)
	if err != nil {
		return Finished{}, err
	}
	if r.AcceptedAt.IsZero() || r.Person == nil {
		return Finished{}, fmt.Errorf("store: finished session: %w", ErrNotFinished)
	}
	checks, err := s.checks(ctx, sessionID)
	if err != nil {
		return Finished{}, fmt.Errorf("store: finished session: %w", err)
	}
	overrides, err := s.overrides(ctx, sessionID)
	if err != nil {
		return Finished{}, fmt.Errorf("store: finished session: %w", err)
	}
	media, err := s.Media(ctx, sessionID)
	if err != nil {
		return Finished{}, err
	}
	for i := range media {
		if err := s.db.QueryRowContext(ctx, `SELECT detail FROM audit WHERE session_id = ? AND kind = ? AND subject = ?
			ORDER BY seq DESC LIMIT 1`, sessionID, AuditMedia, media[i].Name).Scan(&media[i].AuditHash); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return Finished{}, fmt.Errorf("store: finished session: media audit row: %w", err)
		}
	}
	head, err := s.AuditHead(ctx)
	if err != nil {
		return Finished{}, fmt.Errorf("store: finished session: %w", err)
	}
	out := Finished{
		Audit:     head,
		SessionID: r.ID, Mode: r.Mode, ClientIP: r.ClientIP,
		Applicant:  Applicant{Person: *r.Person, Mobile: string(r.Mobile), CardSerial: string(r.CardSerial), CardKind: r.CardKind},
		Media:      media,
		StartedAt:  r.StartedAt,
		AcceptedAt: r.AcceptedAt,
	}
	for _, c := range checks {
		out.Checks = append(out.Checks, Check{Step: string(c.Step), Attempt: c.Attempt, At: c.At, Outcome: c.Outcome,
			Reasons: c.Reasons, Rules: c.Rules, Score: c.Score, DurationMS: c.Duration.Milliseconds(), Provenance: c.Provenance})
	}
	for _, o := range overrides {
		out.Checks = append(out.Checks, Check{Step: string(o.Step), At: o.At, Outcome: o.Outcome,
			Reasons: []string{OverrideReason, o.Reason}})
	}
	return out, nil
}

// Submitted lists the sessions that accepted the commitments and still hold their data, oldest
// first: the ones whose dossier must be (or have been) queued. The wiring asks the outbox which of
// them it lacks (a failed enqueue, or a kiosk killed between committing and queueing).
func (s *Store) Submitted(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM sessions WHERE accepted_at > 0 AND wiped = 0 ORDER BY accepted_at`)
	if err != nil {
		return nil, fmt.Errorf("store: submitted sessions: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: submitted sessions: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: submitted sessions: %w", err)
	}
	return ids, nil
}
