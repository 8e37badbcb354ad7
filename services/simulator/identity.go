// Package simulator is the local stand-in for SEJAM's broker API, the Shahkar mobile-ownership
// inquiry and the civil-registry card inquiry: one HTTP server on loopback holding seeded demo
// identities, able to give every answer the real services give (not registered, tracking code
// mismatch, mobile not owned, revoked card, deceased, service down, slow, flaky…). `make run`
// starts it inside the kiosk and `ehrazctl sim serve` runs it alone; the contract tests run the
// real clients (services/sejam, services/registry) against it.
//
// Wire shapes follow public client code of SEJAM's broker API (accessToken, kycOtp,
// servicesWithOtp/profiles/{nationalCode}?otp=…, profiles/{nationalCode}/isSejami, answers in
// {data} / {error.customMessage}) and of inquiry providers ({success, code, data, error,
// message}). Where the public code shows nothing (how a tracking code is checked) the
// simulator adds a field and says so; confirm against the broker documentation before going live.
package simulator

import (
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/ehraz/ehraz/domain/kyc"
)

//go:embed seed/identities.json
var seedFS embed.FS

// Card is one national card serial known to the registry.
type Card struct {
	Serial  string       `json:"serial"`
	Kind    kyc.CardKind `json:"kind"`
	Revoked bool         `json:"revoked,omitempty"`
}

// Behavior makes an identity's requests fail or lag on purpose.
type Behavior string

const (
	Normal Behavior = ""
	Down   Behavior = "down"  // every call about this person answers 503
	Slow   Behavior = "slow"  // every call waits Config.SlowDelay first
	Flaky  Behavior = "flaky" // the first call of each kind answers 502, later ones succeed
)

// Identity is one seeded person.
type Identity struct {
	Scenario       string         `json:"scenario"`
	NationalCode   string         `json:"national_code"`
	TrackingCode   string         `json:"tracking_code"`
	Mobile         string         `json:"mobile"`
	ShahkarMobiles []string       `json:"shahkar_mobiles,omitempty"`
	FirstName      string         `json:"first_name"`
	LastName       string         `json:"last_name"`
	FatherName     string         `json:"father_name"`
	Gender         string         `json:"gender"`
	BirthDate      string         `json:"birth_date"`
	PlaceOfBirth   string         `json:"place_of_birth"`
	Type           kyc.PersonType `json:"type"`
	Nationality    string         `json:"nationality"`
	Cards          []Card         `json:"cards"`
	Photo          string         `json:"photo"`
	Deceased       bool           `json:"deceased,omitempty"`
	Behavior       Behavior       `json:"behavior,omitempty"`
}

// Owns reports whether Shahkar registers mobile to this person.
func (id Identity) Owns(mobile string) bool {
	owned := id.ShahkarMobiles
	if len(owned) == 0 {
		owned = []string{id.Mobile}
	}
	for _, m := range owned {
		if m == mobile {
			return true
		}
	}
	return false
}

type seedFile struct {
	Identities []Identity `json:"identities"`
}

// DefaultSeed returns the identities shipped with the project (seed/identities.json).
func DefaultSeed() ([]Identity, error) {
	b, err := seedFS.ReadFile("seed/identities.json")
	if err != nil {
		return nil, fmt.Errorf("read embedded seed: %w", err)
	}
	return ParseSeed(b)
}

// LoadSeed reads identities from a JSON file shaped like seed/identities.json.
func LoadSeed(path string) ([]Identity, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read seed %s: %w", path, err)
	}
	ids, err := ParseSeed(b)
	if err != nil {
		return nil, fmt.Errorf("seed %s: %w", path, err)
	}
	return ids, nil
}

// ParseSeed decodes and checks a seed document.
func ParseSeed(b []byte) ([]Identity, error) {
	var f seedFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("parse seed: %w", err)
	}
	seen := map[string]bool{}
	for i, id := range f.Identities {
		if !validNationalCode(id.NationalCode) {
			return nil, fmt.Errorf("seed identity %d (%s): national code fails the checksum", i, id.Scenario)
		}
		if seen[id.NationalCode] {
			return nil, fmt.Errorf("seed identity %d (%s): national code repeated", i, id.Scenario)
		}
		seen[id.NationalCode] = true
		if len(id.TrackingCode) != 10 || strings.Trim(id.TrackingCode, "0123456789") != "" {
			return nil, fmt.Errorf("seed identity %d (%s): tracking code must be 10 digits", i, id.Scenario)
		}
		switch id.Behavior {
		case Normal, Down, Slow, Flaky:
		default:
			return nil, fmt.Errorf("seed identity %d (%s): unknown behavior %q", i, id.Scenario, id.Behavior)
		}
	}
	return f.Identities, nil
}

// validNationalCode is the checksum of domain.md, used only to keep the seed file honest (the
// kiosk's own validator lives in app/kyc).
func validNationalCode(s string) bool {
	if len(s) != 10 || strings.Trim(s, "0123456789") != "" || strings.Count(s, s[:1]) == 10 {
		return false
	}
	sum := 0
	for i := range 9 {
		sum += int(s[i]-'0') * (10 - i)
	}
	r, check := sum%11, int(s[9]-'0')
	return (r < 2 && check == r) || (r >= 2 && check == 11-r)
}
