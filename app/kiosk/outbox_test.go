package kiosk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/kiosk"
	"github.com/ehraz/ehraz/app/outbox"
	"github.com/ehraz/ehraz/app/store"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/plugins/sdk"
)

var person = kyc.Person{NationalCode: "0499370899", FirstName: "شهرزاد", LastName: "کیانپور", FatherName: "بهرام",
	Gender: "female", BirthDate: "1370/04/12", PlaceOfBirth: "شیراز", Type: kyc.NaturalPerson, Nationality: "IR",
	Mobile: "09123456789"}

// The store, through the wiring's DossierSource, is the outbox's Source: a finished session
// becomes one queued dossier in the same database, and the national code is then known to the
// "once per person" history.
func TestStoreFeedsOutbox(t *testing.T) {
	ctx := context.Background()
	t.Setenv(store.KeyEnv, "")
	dir := t.TempDir()
	s, err := store.Open(ctx, store.Options{Path: filepath.Join(dir, "ehraz.db"), KeyFile: filepath.Join(dir, "keys", "store.key"),
		Schemas: kiosk.Schemas()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	p := person
	r := flow.Record{ID: "ob-1", Step: flow.StepSubmitted, Mode: "kiosk", StartedAt: now.Add(-10 * time.Minute), LastActive: now,
		AcceptedAt: now, Mobile: p.Mobile, NationalCode: p.NationalCode, Person: &p, CardSerial: "9K21345678",
		Checks: map[flow.Step]flow.CheckResult{flow.StepSelfie: {Step: flow.StepSelfie, Attempt: 1, At: now,
			Verdict: sdk.Verdict{Outcome: sdk.Pass, Score: 0.93}}}}
	if err := s.Create(ctx, r, flow.Event{To: r.Step, Name: "commitments.accepted", At: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutMedia(ctx, "ob-1", "selfie", "jpeg", []byte("selfie bytes")); err != nil {
		t.Fatal(err)
	}
	ob, err := outbox.New(s.DB(), kiosk.DossierSource(s), outbox.Config{IntakeURL: "http://127.0.0.1:1", KioskID: "kiosk-1", Mode: "kiosk",
		StoreKey: bytes.Repeat([]byte{1}, 32), TransportKey: bytes.Repeat([]byte{2}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	// Submitted but not queued (a failed enqueue, or a kill between commit and queue): listed.
	if ids, err := kiosk.Unqueued(ctx, s, ob); err != nil || len(ids) != 1 || ids[0] != "ob-1" {
		t.Fatalf("Unqueued before enqueue = %v, %v; want [ob-1]", ids, err)
	}
	for i := 0; i < 2; i++ { // idempotent
		if err := ob.Enqueue(ctx, "ob-1"); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE session_id = 'ob-1'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("outbox rows %d (err %v), want 1", n, err)
	}
	// The dossier carries the audit chain's head and the media's keyed audit hashes (issue 18).
	var payload []byte
	if err := s.DB().QueryRowContext(ctx, `SELECT payload FROM outbox WHERE session_id = 'ob-1'`).Scan(&payload); err != nil {
		t.Fatal(err)
	}
	body, err := dossier.Open(bytes.Repeat([]byte{1}, 32), payload, []byte(outbox.IdempotencyKey("kiosk-1", "ob-1")))
	if err != nil {
		t.Fatal(err)
	}
	var d dossier.Dossier
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	head, err := s.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Audit == nil || d.Audit.Seq != head.Seq || d.Audit.MAC != head.MAC || d.Audit.KeyID != s.ActiveKeyID() || head.Seq < 2 {
		t.Errorf("dossier audit head %+v, chain head %+v", d.Audit, head)
	}
	keys, err := store.LoadKeys(store.Options{KeyFile: filepath.Join(dir, "keys", "store.key")})
	if err != nil {
		t.Fatal(err)
	}
	if want, err := store.MediaAuditHash(keys[0], d.Media[0].SHA256); err != nil || d.Media[0].AuditHash != want || want == d.Media[0].SHA256 {
		t.Errorf("dossier media audit hash %q, want the keyed %q (%v)", d.Media[0].AuditHash, want, err)
	}
	if n, err := s.VerifyAudit(ctx, store.AuditHeadRow{Seq: d.Audit.Seq, MAC: d.Audit.MAC}); err != nil || n < d.Audit.Seq {
		t.Errorf("the chain against the dossier's head: %d rows, %v", n, err)
	}
	if ids, err := kiosk.Unqueued(ctx, s, ob); err != nil || len(ids) != 0 {
		t.Errorf("Unqueued after enqueue = %v, %v; want none", ids, err)
	}
	if ok, err := ob.Verified(ctx, string(p.NationalCode)); err != nil || !ok {
		t.Errorf("Verified(national code) = %v, %v; want true", ok, err)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}
