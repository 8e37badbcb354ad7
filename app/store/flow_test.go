package store_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/store"
	"github.com/ehraz/ehraz/domain/kyc"
)

// The flow's ports the first five steps use, answering like the simulators; the later ports are
// embedded nil interfaces because these steps never reach them (a call would panic the test).
type otpFake struct{}

func (otpFake) Send(context.Context, string, kyc.Mobile) (flow.OTPState, error) {
	return flow.OTPState{ExpiresAt: time.Now().Add(2 * time.Minute), AttemptsLeft: 5}, nil
}

func (otpFake) Verify(_ context.Context, _, code string) (flow.OTPState, error) {
	if code != "123456" {
		return flow.OTPState{}, &flow.Error{Key: "otp.wrong_code"}
	}
	return flow.OTPState{}, nil
}

type sejamFake struct{ p kyc.Person }

func (s sejamFake) RequestOTP(context.Context, kyc.NationalCode, kyc.TrackingCode, kyc.Mobile) (flow.OTPState, error) {
	return flow.OTPState{AttemptsLeft: 3}, nil
}

func (s sejamFake) Profile(context.Context, kyc.NationalCode, string) (kyc.Person, error) {
	return s.p, nil
}

type unused struct {
	flow.Registry
	flow.Eligibility
	flow.Detectors
	flow.Dossier
}

var person = kyc.Person{NationalCode: "0499370899", FirstName: "شهرزاد", LastName: "کیانپور", FatherName: "بهرام",
	Gender: "female", BirthDate: "1370/04/12", PlaceOfBirth: "شیراز", Type: kyc.NaturalPerson, Nationality: "IR",
	Mobile: "09123456789"}

func machine(t *testing.T, s *store.Store) *flow.Machine {
	t.Helper()
	u := unused{}
	m, err := flow.New(flow.Deps{Store: s, OTP: otpFake{}, Sejam: sejamFake{person}, Registry: u, Eligibility: u,
		Detectors: u, Dossier: u}, flow.Config{Mode: "kiosk", IdleTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A kiosk killed at the card-serial step resumes there from the SQLite store, with the SEJAM
// profile intact, while nothing about the applicant is readable on disk; abandoning wipes it.
func TestKioskResumesFromStore(t *testing.T) {
	ctx := context.Background()
	t.Setenv(store.KeyEnv, "")
	dir := t.TempDir()
	opts := store.Options{Path: filepath.Join(dir, "ehraz.db"), KeyFile: filepath.Join(dir, "keys", "store.key")}
	s, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	m := machine(t, s)
	if _, err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"begin", func() error { _, err := m.Submit(ctx, flow.Begin{}); return err }},
		{"mobile", func() error { _, err := m.Submit(ctx, flow.MobileNumber{Raw: string(person.Mobile)}); return err }},
		{"mobile otp", func() error { _, err := m.Submit(ctx, flow.MobileCode{Raw: "123456"}); return err }},
		{"identity", func() error {
			_, err := m.Submit(ctx, flow.Identity{NationalCode: string(person.NationalCode), Tracking: "7731955024"})
			return err
		}},
		{"sejam otp", func() error { _, err := m.Submit(ctx, flow.SejamCode{Raw: "654321"}); return err }},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
	before := m.Snapshot()
	if before.Step != flow.StepCardSerial {
		t.Fatalf("at %s, want card_serial", before.Step)
	}
	s.Close() // the kiosk dies

	s2, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	m2 := machine(t, s2)
	snap, ok, err := m2.Resume(ctx)
	if err != nil || !ok {
		t.Fatalf("Resume: ok=%v err=%v", ok, err)
	}
	if snap.SessionID != before.SessionID || snap.Step != flow.StepCardSerial {
		t.Fatalf("resumed %s at %s, want %s at card_serial", snap.SessionID, snap.Step, before.SessionID)
	}
	rec, err := s2.Load(ctx, snap.SessionID)
	if err != nil || rec.Person == nil || *rec.Person != person || rec.Tracking != "7731955024" || rec.Mobile != person.Mobile {
		t.Fatalf("stored record lost data: %+v (err %v)", rec, err)
	}
	assertNotOnDisk(t, dir, string(person.NationalCode), person.LastName, string(person.Mobile))

	if _, err := m2.Abandon(ctx); err != nil {
		t.Fatal(err)
	}
	rec, err = s2.Load(ctx, snap.SessionID)
	if err != nil || rec.Person != nil || rec.NationalCode != "" {
		t.Fatalf("after Abandon the record still holds personal data (err %v)", err)
	}
	if _, ok, _ := s2.LatestOpen(ctx); ok {
		t.Error("an abandoned session is still open")
	}
	if n, err := store.VerifyAudit(ctx, s2.DB()); err != nil || n < 7 {
		t.Errorf("audit: %d rows, %v", n, err)
	}
	if err := s2.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}

func assertNotOnDisk(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%q in clear in %s", s, p)
			}
		}
		return nil
	})
}

// A kiosk left on the welcome screen for days keeps working (issue 18): the hourly purge does not
// delete the session on screen, and should its row vanish anyway, starting anew and resetting
// still work.
func TestWelcomeScreenOutlivesThePurge(t *testing.T) {
	ctx := context.Background()
	t.Setenv(store.KeyEnv, "")
	dir := t.TempDir()
	s, err := store.Open(ctx, store.Options{Path: filepath.Join(dir, "ehraz.db"), KeyFile: filepath.Join(dir, "keys", "store.key")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := machine(t, s)
	// An older welcome session left by a restart is purged; the one on screen is not.
	if _, err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, `UPDATE sessions SET started_at = started_at - 1000`); err != nil {
		t.Fatal(err)
	}
	old := m.Snapshot().SessionID
	m2 := machine(t, s)
	if _, err := m2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	onScreen := m2.Snapshot().SessionID
	later := time.Now().Add(49 * time.Hour)
	rep, err := s.Purge(ctx, later, 30*24*time.Hour, 24*time.Hour, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Sessions) != 1 || rep.Sessions[0].ID != old {
		t.Fatalf("purged %+v; want only the older welcome session %s", rep.Sessions, old)
	}
	if _, err := s.Load(ctx, onScreen); err != nil {
		t.Fatalf("the session on screen was purged: %v", err)
	}
	if _, err := m2.Submit(ctx, flow.Begin{}); err != nil {
		t.Fatalf("begin after two days on the welcome screen: %v", err)
	}
	// The row vanishes under the kiosk (a purge by hand): a reset and a new start still work.
	if _, err := s.DB().ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, onScreen); err != nil {
		t.Fatal(err)
	}
	if _, err := m2.Abandon(ctx); err != nil {
		t.Fatalf("reset after the row vanished: %v", err)
	}
	snap, err := m2.Start(ctx)
	if err != nil || snap.Step != flow.StepWelcome || snap.SessionID == onScreen {
		t.Fatalf("start after the row vanished: %+v, %v", snap, err)
	}
}
