package store_test

import (
	"bytes"
	"context"
	"errors"
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

// openStore opens a store in a new temporary folder with its key file there (the environment's
// key unset), closed when the test ends.
func openStore(t *testing.T) *store.Store {
	t.Helper()
	t.Setenv(store.KeyEnv, "")
	dir := t.TempDir()
	s, err := store.Open(context.Background(), store.Options{Path: filepath.Join(dir, "ehraz.db"), KeyFile: filepath.Join(dir, "keys", "store.key")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// lockingMachine is a kiosk Machine on s whose SEJAM refuses a wrong code and which locks the
// person (in s) after two wrong codes, for an hour.
func lockingMachine(t *testing.T, s *store.Store, clock flow.Clock, idle time.Duration) *flow.Machine {
	t.Helper()
	u := unused{}
	m, err := flow.New(flow.Deps{Store: s, OTP: otpFake{}, Sejam: strictSejam{sejamFake{person}}, Registry: u, Eligibility: u,
		Detectors: u, Dossier: u, Clock: clock, Locks: s},
		flow.Config{Mode: "kiosk", IdleTimeout: idle, CodeAttempts: 2, PersonLockFor: time.Hour})
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
	if n, err := s2.VerifyAudit(ctx); err != nil || n < 7 {
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
	s := openStore(t)
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
	// The welcome session's row vanishes too: the applicant's first tap begins a new session.
	welcome := snap.SessionID
	if _, err := s.DB().ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, welcome); err != nil {
		t.Fatal(err)
	}
	snap, err = m2.Submit(ctx, flow.Begin{})
	if err != nil || snap.Step != flow.StepMobile || snap.SessionID == welcome {
		t.Fatalf("begin after the welcome row vanished: %s in %s, %v", snap.Step, snap.SessionID, err)
	}
	if r, err := s.Load(ctx, snap.SessionID); err != nil || r.Step != flow.StepMobile {
		t.Fatalf("stored: %s %v", r.Step, err)
	}
}

type fixedClock struct{ t time.Time }

// strictSejam refuses every SEJAM code but 654321.
type strictSejam struct{ sejamFake }

func (s strictSejam) Profile(ctx context.Context, nc kyc.NationalCode, code string) (kyc.Person, error) {
	if code != "654321" {
		return kyc.Person{}, &flow.Error{Key: "sejam.otp_wrong"}
	}
	return s.sejamFake.Profile(ctx, nc, code)
}

func (c *fixedClock) Now() time.Time { return c.t }

// A person locked out for wrong codes stays locked in a new session until PersonLockFor has
// passed, whichever of their mobile or national code they try (issue 18: lockouts were per
// session, so "new session" gave fresh tries); the store keeps no value in clear, and the purge
// drops the lock once it is over.
func TestPersonLockOutlivesTheSession(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	clock := &fixedClock{t: time.Now()}
	newMachine := func() *flow.Machine { return lockingMachine(t, s, clock, 24*time.Hour) }
	m := newMachine()
	submit := func(m *flow.Machine, a flow.Answer) error { _, err := m.Submit(ctx, a); return err }
	if _, err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for _, a := range []flow.Answer{flow.Begin{}, flow.MobileNumber{Raw: string(person.Mobile)}, flow.MobileCode{Raw: "123456"},
		flow.Identity{NationalCode: string(person.NationalCode), Tracking: "7731955024"}} {
		if err := submit(m, a); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		submit(m, flow.SejamCode{Raw: "000000"})
	}
	if got := m.Snapshot().Step; got != flow.StepLocked {
		t.Fatalf("after two wrong SEJAM codes at %s, want locked", got)
	}
	var stored int
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM person_locks WHERE instr(hash, ?) > 0 OR instr(hash, ?) > 0`,
		string(person.NationalCode), string(person.Mobile)).Scan(&stored); err != nil || stored != 0 {
		t.Fatalf("lock stored in clear (%d, %v)", stored, err)
	}

	// A new session: the same mobile is refused at step 1, with the minutes left.
	clock.t = clock.t.Add(10 * time.Minute)
	m2 := newMachine()
	if _, err := m2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	submit(m2, flow.Begin{})
	err := submit(m2, flow.MobileNumber{Raw: string(person.Mobile)})
	var fe *flow.Error
	if !errors.As(err, &fe) || fe.Key != "flow.person_locked" || len(fe.Args) != 2 || fe.Args[1] != "50" {
		t.Fatalf("locked mobile in a new session: %v, want flow.person_locked with 50 minutes", err)
	}
	// Another mobile gets through step 1, and the national code is refused at step 3.
	for _, a := range []flow.Answer{flow.MobileNumber{Raw: "09351234567"}, flow.MobileCode{Raw: "123456"}} {
		if err := submit(m2, a); err != nil {
			t.Fatal(err)
		}
	}
	err = submit(m2, flow.Identity{NationalCode: string(person.NationalCode), Tracking: "7731955024"})
	if !errors.As(err, &fe) || fe.Key != "flow.person_locked" {
		t.Fatalf("locked national code with another mobile: %v, want flow.person_locked", err)
	}
	// Once the lock is over the person may try again, and the purge forgets it.
	clock.t = clock.t.Add(time.Hour)
	if err := submit(m2, flow.Identity{NationalCode: string(person.NationalCode), Tracking: "7731955024"}); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	if _, err := s.Purge(ctx, clock.t, 30*24*time.Hour, 48*time.Hour, false); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM person_locks`).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("%d expired person locks left after the purge (%v)", stored, err)
	}
}
