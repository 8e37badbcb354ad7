// Package dossier is the format the kiosk sends and the back office receives: what a finished
// session's dossier holds (Dossier, its JSON field names and Version) and how its parts are
// sealed (Seal, Open: AES-256-GCM with the nonce first, bound to its context by additional
// data). Both sides import it, so they cannot disagree on the wire format; the kiosk's outbox
// builds a Dossier from a session and the back office's intake checks, stores and opens it.
//
// The JSON is a contract with deployed kiosks and back offices: a field is never renamed or
// removed under the same Version (testdata/dossier.golden.json pins it).
package dossier

import (
	"time"

	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// Version is the dossier format version; the intake refuses versions it does not know.
const Version = 1

// Modes a dossier is submitted in.
const (
	ModeKiosk  = "kiosk"  // at a kiosk in a branch
	ModeOnline = "online" // from the applicant's own device; ClientIP is then required
)

// Dossier is what the brokerage receives. Media bytes are sealed with the transport key shared
// with the intake; their SHA-256 is of the plain bytes, so the back office can prove integrity
// after opening them.
type Dossier struct {
	Version     int       `json:"version"`
	SessionID   string    `json:"sessionId"`
	KioskID     string    `json:"kioskId"`
	Mode        string    `json:"mode"`               // ModeKiosk or ModeOnline
	ClientIP    string    `json:"clientIp,omitempty"` // the applicant's address (online)
	Applicant   Applicant `json:"applicant"`
	Checks      []Check   `json:"checks"`
	Media       []Media   `json:"media"`
	StartedAt   time.Time `json:"startedAt"`
	AcceptedAt  time.Time `json:"commitmentsAcceptedAt"`
	SubmittedAt time.Time `json:"submittedAt"`
	// Audit is the kiosk's audit chain head when the dossier was built (absent from kiosks of
	// before issue 18). The back office keeps the newest per kiosk: a later dossier with a lower
	// Seq, or a kiosk chain that lacks this row (ehrazctl audit verify --head), shows the chain
	// was cut or rewritten.
	Audit *AuditHead `json:"audit,omitempty"`
}

// AuditHead is one row of a kiosk's keyed audit chain: its number and MAC (HMAC-SHA256 under a
// key derived from the kiosk's store key, so only that kiosk's key holder can check it).
type AuditHead struct {
	Seq   int64  `json:"seq"`
	MAC   string `json:"mac"`   // hex
	KeyID string `json:"keyId"` // the store key the chain was under
}

// Applicant is the person as SEJAM and the registry described them, plus what was typed.
type Applicant struct {
	Person     kyc.Person     `json:"person"`
	Mobile     kyc.Mobile     `json:"mobile"` // verified by our OTP at step 2
	CardSerial kyc.CardSerial `json:"cardSerial"`
	CardKind   kyc.CardKind   `json:"cardKind"`
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
	// Provenance names the plugin binary that produced the verdict (absent for verdicts not from
	// a plugin, and in dossiers of kiosks before it existed).
	Provenance *Provenance `json:"provenance,omitempty"`
}

// Provenance is which detector plugin produced a verdict: its manifest name, the version it
// reported, the SHA-256 of the binary the kiosk verified and ran, and the key id that signed its
// manifest ("" for an unsigned pin).
type Provenance struct {
	Plugin  string `json:"plugin"`
	Version string `json:"version,omitempty"`
	SHA256  string `json:"sha256"`
	Signer  string `json:"signer,omitempty"`
}

// ProvenanceOf is the dossier's form of a verdict's provenance (nil when it has none).
func ProvenanceOf(p sdk.Provenance) *Provenance {
	if p == (sdk.Provenance{}) {
		return nil
	}
	return &Provenance{Plugin: p.Plugin, Version: p.Version, SHA256: p.SHA256, Signer: p.Signer}
}

// CheckFromVerdict converts a detector's verdict for the dossier; an unset outcome is written
// as could-not-verify, never as a pass.
func CheckFromVerdict(step string, attempt int, at time.Time, v sdk.Verdict) Check {
	return Check{Step: step, Attempt: attempt, At: at, Outcome: v.Outcome.Effective().String(), Reasons: v.Reasons,
		Rules: v.Rules, Score: v.Score, DurationMS: v.Duration.Milliseconds(), Provenance: ProvenanceOf(v.Provenance)}
}

// Media is one captured file in the dossier.
type Media struct {
	Name   string `json:"name"`   // "selfie", "signature", "signature.clean", "video", "registry.photo" …
	Format string `json:"format"` // "jpeg", "png", "mp4" …
	SHA256 string `json:"sha256"` // hex, of the plain bytes
	Size   int    `json:"size"`   // plain bytes
	Sealed []byte `json:"sealed"` // AES-256-GCM under the transport key (nonce first)
	// AuditHash is the keyed hash the kiosk's audit row of this file holds (HMAC of SHA256 under
	// the kiosk's key; never the plain SHA-256), tying the file to that row for an auditor
	// with the kiosk's key.
	AuditHash string `json:"auditHash,omitempty"`
}
