// Package outbox carries completed dossiers from the kiosk to the brokerage's intake endpoint:
// Enqueue (flow.Dossier) builds the dossier from the store and writes it, sealed, into the
// outbox table with an idempotency key; Run/Flush post due entries with retries and back-off
// until the intake acknowledges, so a dossier survives the intake being down and arrives
// exactly once. It also answers the kiosk's "where is my dossier / bourse code" question and
// the "one remote verification per national code" history.
package outbox

import (
	"context"
	"time"

	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// Version is the dossier format version; the intake refuses versions it does not know.
const Version = 1

// Dossier is what the brokerage receives. Media bytes are sealed with the transport key shared
// with the intake; their SHA-256 is of the plain bytes, so the back office can prove integrity
// after opening them.
type Dossier struct {
	Version     int       `json:"version"`
	SessionID   string    `json:"sessionId"`
	KioskID     string    `json:"kioskId"`
	Mode        string    `json:"mode"`               // "kiosk" or "online"
	ClientIP    string    `json:"clientIp,omitempty"` // the applicant's address (online)
	Applicant   Applicant `json:"applicant"`
	Checks      []Check   `json:"checks"`
	Media       []Media   `json:"media"`
	StartedAt   time.Time `json:"startedAt"`
	AcceptedAt  time.Time `json:"commitmentsAcceptedAt"`
	SubmittedAt time.Time `json:"submittedAt"`
}

// Applicant is the person as SEJAM and the registry described them, plus what was typed.
type Applicant struct {
	Person     kyc.Person   `json:"person"`
	Mobile     string       `json:"mobile"` // verified by our OTP at step 2
	CardSerial string       `json:"cardSerial"`
	CardKind   kyc.CardKind `json:"cardKind"`
}

// Check is one recorded verdict with all its numbers.
type Check struct {
	Step       string     `json:"step"`
	Attempt    int        `json:"attempt"`
	At         time.Time  `json:"at"`
	Outcome    string     `json:"outcome"` // pass | fail | needs-review | could-not-verify
	Reasons    []string   `json:"reasons"`
	Rules      []sdk.Rule `json:"rules"`
	Score      float64    `json:"score"`
	DurationMS int64      `json:"durationMs"`
}

// CheckFromVerdict converts a flow verdict for the dossier; an unset outcome is written as
// could-not-verify, never as a pass.
func CheckFromVerdict(step string, attempt int, at time.Time, v sdk.Verdict) Check {
	return Check{Step: step, Attempt: attempt, At: at, Outcome: v.Outcome.Effective().String(), Reasons: v.Reasons,
		Rules: v.Rules, Score: v.Score, DurationMS: v.Duration.Milliseconds()}
}

// Media is one captured file in the dossier.
type Media struct {
	Name   string `json:"name"`   // "selfie", "signature", "signature.clean", "video", "registry.photo" …
	Format string `json:"format"` // "jpeg", "png", "mp4" …
	SHA256 string `json:"sha256"` // hex, of the plain bytes
	Size   int    `json:"size"`   // plain bytes
	Sealed []byte `json:"sealed"` // AES-256-GCM under the transport key (nonce first)
}

// PlainMedia is a captured file as the store hands it over (already decrypted).
type PlainMedia struct {
	Name   string
	Format string
	Data   []byte
}

// Session is what the outbox needs from the store about a finished session. The store
// implements Source; until it does, the kiosk main can adapt whatever the store offers.
type Session struct {
	SessionID  string
	Mode       string
	ClientIP   string
	Applicant  Applicant
	Checks     []Check
	Media      []PlainMedia
	StartedAt  time.Time
	AcceptedAt time.Time
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
