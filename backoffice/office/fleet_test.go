package office_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/ehraz/ehraz/backoffice/database/dbtest"
	"github.com/ehraz/ehraz/backoffice/office"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/domain/kyc"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Two back-office processes on one PostgreSQL database (a fleet behind a load balancer): a
// dossier delivered to one is seen, and refused as a second verification, by the other; the
// console's first account is created once, not once per process.
func TestTwoOfficesShareOnePostgres(t *testing.T) {
	ctx := context.Background()
	dsn := dbtest.PostgresDSN(t)
	t.Setenv(office.EnvPostgresDSN, dsn)
	keys := t.TempDir()
	start := func() *office.Office {
		cfg := testConfig(t)
		cfg.Engine, cfg.KeysDir = "postgres", keys
		return startOffice(t, ctx, cfg, office.Deps{})
	}
	a, b := start(), start()
	if a.FirstPassword == "" || b.FirstPassword != "" {
		t.Errorf("first account: %q then %q (want created by the first process only)", a.FirstPassword, b.FirstPassword)
	}
	deliver := func(o *office.Office, key, session string) int {
		body, _ := json.Marshal(dossier.Dossier{Version: dossier.Version, SessionID: session, KioskID: "k1", Mode: dossier.ModeKiosk,
			Applicant: dossier.Applicant{Person: kyc.Person{NationalCode: "0015260186"}, Mobile: "09121234567"}})
		req, _ := http.NewRequest(http.MethodPost, o.URL+"/v1/dossiers", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+o.Token)
		req.Header.Set("Idempotency-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := deliver(a, "key-fleet-0001", "s1"); code != http.StatusCreated {
		t.Fatalf("first process: %d", code)
	}
	if code := deliver(b, "key-fleet-0001", "s1"); code != http.StatusOK {
		t.Errorf("the same delivery to the second process: %d, want 200 duplicate", code)
	}
	if code := deliver(b, "key-fleet-0002", "s2"); code != http.StatusConflict {
		t.Errorf("the same person through the second process: %d, want 409", code)
	}
	st, _, err := b.Intake.Review().StatusByKey(ctx, "key-fleet-0001")
	if err != nil || st != "pending_review" {
		t.Errorf("second process sees %q %v", st, err)
	}
}
