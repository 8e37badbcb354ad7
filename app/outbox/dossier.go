// Package outbox carries completed dossiers from the kiosk to the brokerage's intake endpoint:
// Enqueue (flow.Dossier) builds the dossier (domain/dossier's format) from a finished session
// and writes it, sealed, into the outbox table with an idempotency key; Run/Flush post due
// entries with retries and back-off until the intake acknowledges, so a dossier survives the
// intake being down and arrives exactly once. It also answers the kiosk's "where is my dossier /
// bourse code" question and the "one remote verification per national code" history.
package outbox

import (
	"context"
	"time"

	"github.com/ehraz/ehraz/domain/dossier"
)

// PlainMedia is a captured file as the store hands it over (already decrypted).
type PlainMedia struct {
	Name   string
	Format string
	Data   []byte
	// AuditHash is the keyed hash the kiosk's audit row of the file holds, for the dossier.
	AuditHash string
}

// Session is what the outbox needs about a finished session; the kiosk's wiring adapts the
// store's finished sessions to it (Source).
type Session struct {
	SessionID  string
	Mode       string
	ClientIP   string
	Applicant  dossier.Applicant
	Checks     []dossier.Check
	Media      []PlainMedia
	StartedAt  time.Time
	AcceptedAt time.Time
	// Audit is the kiosk's audit chain head, sent with the dossier (nil: none known).
	Audit *dossier.AuditHead
}

// Source reads a finished session from the store.
type Source interface {
	FinishedSession(ctx context.Context, sessionID string) (Session, error)
}

// SourceFunc adapts a function to Source, for wiring the store in main.
type SourceFunc func(ctx context.Context, sessionID string) (Session, error)

// FinishedSession calls f.
func (f SourceFunc) FinishedSession(ctx context.Context, sessionID string) (Session, error) {
	return f(ctx, sessionID)
}
