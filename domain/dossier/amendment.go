package dossier

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"
)

// Amendment kinds.
const (
	AmendOverride = "override" // an operator changed a check's outcome after submission
	AmendNote     = "note"     // an operator's note on the dossier
)

// Amendment is what a kiosk sends after the dossier: an operator's override or note on the
// same session, signed with the kiosk's transport key (the key the back office opens its media
// with), so the back office knows it came from that kiosk and was not altered on the way.
type Amendment struct {
	Version    int       `json:"version"`
	DossierKey string    `json:"dossierKey"` // the dossier's Idempotency-Key
	SessionID  string    `json:"sessionId"`
	KioskID    string    `json:"kioskId"`
	Kind       string    `json:"kind"` // AmendOverride or AmendNote
	Operator   string    `json:"operator"`
	Step       string    `json:"step,omitempty"`    // override: the step
	Outcome    string    `json:"outcome,omitempty"` // override: the outcome the operator set
	Text       string    `json:"text"`              // the operator's reason or note
	At         time.Time `json:"at"`
	MAC        []byte    `json:"mac"` // HMAC-SHA256 of the JSON of every other field
}

// MaxAmendmentText bounds an amendment's text.
const MaxAmendmentText = 2000

func (a Amendment) mac(key []byte) ([]byte, error) {
	a.MAC = nil
	b, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("ehraz-amendment-v1\n"))
	m.Write(b)
	return m.Sum(nil), nil
}

// Sign sets a.MAC under key (32 bytes).
func (a *Amendment) Sign(key []byte) error {
	if len(key) != 32 {
		return fmt.Errorf("amendment: key must be 32 bytes")
	}
	m, err := a.mac(key)
	if err != nil {
		return fmt.Errorf("amendment: %w", err)
	}
	a.MAC = m
	return nil
}

// Verify checks a's MAC under key and its fields' shape.
func (a Amendment) Verify(key []byte) error {
	if len(key) != 32 {
		return fmt.Errorf("amendment: no key to verify with")
	}
	want, err := a.mac(key)
	if err != nil {
		return fmt.Errorf("amendment: %w", err)
	}
	if !hmac.Equal(want, a.MAC) {
		return fmt.Errorf("amendment: signature does not match")
	}
	switch {
	case a.Version != Version:
		return fmt.Errorf("amendment: version %d", a.Version)
	case a.DossierKey == "" || a.SessionID == "":
		return fmt.Errorf("amendment: no dossier")
	case a.Kind != AmendOverride && a.Kind != AmendNote:
		return fmt.Errorf("amendment: kind %q", a.Kind)
	case a.Kind == AmendOverride && (a.Step == "" || a.Outcome == ""):
		return fmt.Errorf("amendment: override without step or outcome")
	case len(a.Text) > MaxAmendmentText || len(a.Operator) > 200:
		return fmt.Errorf("amendment: too long")
	}
	return nil
}
