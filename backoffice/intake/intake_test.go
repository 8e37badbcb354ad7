package intake_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ehraz/ehraz/backoffice/intake"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/domain/eligibility"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/services/sms"
)

// The outbox-to-intake journeys (down then up, refusals, payload dropped after delivery) drive
// the kiosk's outbox and live in the kiosk's wiring (app/kiosk/delivery_test.go); the back
// office's own tests post dossiers the way any kiosk would.

var dataKey = bytes.Repeat([]byte{3}, 32)

type intakeRig struct {
	srv *intake.Server
	sms *sms.Console
}

type intakeConfig = intake.Config

func newIntake(t *testing.T, rule eligibility.IPRule, opts ...func(*intakeConfig)) *intakeRig {
	t.Helper()
	db, err := intake.OpenDB(filepath.Join(t.TempDir(), "intake.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	con := sms.NewConsole(10)
	cfg := intake.Config{Token: "kiosk-token", AdminToken: "admin-token", DataKey: dataKey, SMS: con, IPRule: rule}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := intake.New(cfg, db)
	if err != nil {
		t.Fatal(err)
	}
	return &intakeRig{srv: srv, sms: con}
}

func loopback() eligibility.IPRule {
	return eligibility.IPRule{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
}

// applicant is the person of the dossiers these tests send.
func applicant(nc string) dossier.Applicant {
	return dossier.Applicant{Person: kyc.Person{NationalCode: kyc.NationalCode(nc), FirstName: "سارا", LastName: "احمدی", BirthDate: "1370/05/12",
		Type: kyc.NaturalPerson, Nationality: "IR", Mobile: "09121234567"}, Mobile: "09121234567", CardSerial: "1G23456789", CardKind: kyc.SmartCard}
}

// TestParallelRetriesOfOneDossierAreDuplicates: a kiosk that retries while its first post is
// still in flight must get "duplicate", never "already verified" for its own dossier; a second
// dossier (another key) for the same person is refused.
func TestParallelRetriesOfOneDossierAreDuplicates(t *testing.T) {
	// Every post must reach the once-per-person rule: no upload bound here (see limits_test.go).
	rig := newIntake(t, loopback(), func(c *intakeConfig) { c.MaxUploads = 64 })
	body, err := json.Marshal(dossier.Dossier{Version: dossier.Version, SessionID: "sess-parallel", KioskID: "kiosk-1", Mode: "kiosk",
		Applicant: applicant("0015260186"), StartedAt: time.Now().Add(-5 * time.Minute), AcceptedAt: time.Now(), SubmittedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	post := func(key string) int {
		req := httptest.NewRequest(http.MethodPost, "/v1/dossiers", bytes.NewReader(body))
		req.RemoteAddr = "127.0.0.1:5555"
		req.Header.Set("Authorization", "Bearer kiosk-token")
		req.Header.Set("Idempotency-Key", key)
		rec := httptest.NewRecorder()
		rig.srv.ServeHTTP(rec, req)
		return rec.Code
	}
	const n = 32
	codes := make(chan int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() { defer wg.Done(); <-start; codes <- post("kiosk-1-sess-parallel") }()
	}
	close(start)
	wg.Wait()
	close(codes)
	created := 0
	for c := range codes {
		switch c {
		case http.StatusCreated:
			created++
		case http.StatusOK:
		default:
			t.Errorf("a retry of the same dossier got HTTP %d, want 201 or 200 (duplicate)", c)
		}
	}
	if created != 1 {
		t.Errorf("%d deliveries were stored as new, want exactly 1", created)
	}
	if c := post("kiosk-2-another-session"); c != http.StatusConflict {
		t.Errorf("a second dossier for the same national code got HTTP %d, want 409", c)
	}
}
