package dossier

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
)

var update = flag.Bool("update", false, "rewrite testdata/dossier.golden.json (only for an intended format change, with a new Version)")

// sealedSelfie is "\xff\xd8 pretend jpeg" sealed once under bytes.Repeat({3}, 32) with the
// additional data "idem-key-1/selfie" (a fresh seal would draw a new nonce).
const sealedSelfie = "wRX7/3FmACBQj8zZiZm5p2buTHRk0C2O2qQ9ZrCIdj9DmhErnS1hRre49A=="

// golden is a dossier with every field set.
func golden() Dossier {
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	sealed, _ := base64.StdEncoding.DecodeString(sealedSelfie)
	return Dossier{
		Version: Version, SessionID: "3f9c2a", KioskID: "kiosk-tehran-1", Mode: ModeOnline, ClientIP: "2.176.0.1",
		Applicant: Applicant{
			Person: kyc.Person{NationalCode: "0015260186", FirstName: "سارا", LastName: "احمدی", FatherName: "علی", Gender: "female",
				BirthDate: "1370/05/12", PlaceOfBirth: "تهران", Type: kyc.NaturalPerson, Nationality: "IR", Mobile: "09121234567"},
			Mobile: "09121234567", CardSerial: "1G23456789", CardKind: kyc.SmartCard,
		},
		Checks: []Check{
			CheckFromVerdict("selfie", 1, at, sdk.Verdict{Outcome: sdk.Pass, Reasons: []string{"verdict.face.ok"},
				Rules: []sdk.Rule{{Name: "face.match", Outcome: sdk.Pass, Reason: "verdict.face.match.ok", Value: 0.41, Threshold: 0.5, Unit: "ratio"}},
				Score: 0.8, Duration: 120 * time.Millisecond}),
			CheckFromVerdict("video", 2, at.Add(time.Minute), sdk.Verdict{}),
		},
		Media:     []Media{{Name: "selfie", Format: "jpeg", SHA256: "5d5e2a1b", Size: 16, Sealed: sealed, AuditHash: "9be1c07d"}},
		StartedAt: at.Add(-10 * time.Minute), AcceptedAt: at.Add(-9 * time.Minute), SubmittedAt: at.Add(2 * time.Minute),
		Audit: &AuditHead{Seq: 42, MAC: "c0ffee", KeyID: "0123456789abcdef"},
	}
}

// TestGoldenFormat pins the wire format: field names, nesting, how outcomes, times and sealed
// bytes are written. Kiosks and back offices of different releases must read each other's
// dossiers; a change here needs a new Version and both sides updated.
func TestGoldenFormat(t *testing.T) {
	path := filepath.Join("testdata", "dossier.golden.json")
	if *update {
		pretty, err := json.MarshalIndent(golden(), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(pretty, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, want); err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(golden())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, compact.Bytes()) {
		t.Errorf("the dossier's JSON drifted from %s:\n got %s\nwant %s", path, got, compact.Bytes())
	}
	// And a dossier written in the pinned format still decodes to the same value.
	var back Dossier
	if err := json.Unmarshal(want, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, golden()) {
		t.Errorf("the golden dossier decodes to\n%+v\nwant\n%+v", back, golden())
	}
	if back.Version != 1 {
		t.Errorf("Version is %d; the format's version 1 is what deployed kiosks send", back.Version)
	}
}

// An unset verdict never travels as a pass.
func TestCheckFromVerdictUnsetIsCouldNotVerify(t *testing.T) {
	if c := CheckFromVerdict("video", 1, time.Time{}, sdk.Verdict{}); c.Outcome != "could-not-verify" {
		t.Errorf("unset verdict written as %q", c.Outcome)
	}
}

// A dossier from a kiosk of before the audit head (issue 18) still decodes, with no head and no
// keyed media hash, and encodes back without the new fields.
func TestDossierWithoutAuditHead(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "dossier.before-audit.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d Dossier
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	if d.Audit != nil || d.Media[0].AuditHash != "" || d.SessionID != "3f9c2a" {
		t.Fatalf("old dossier decoded as %+v", d)
	}
	out, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte(`"audit"`)) || bytes.Contains(out, []byte(`"auditHash"`)) {
		t.Errorf("absent fields written: %s", out)
	}
}
