package store

import (
	"context"
	"database/sql"
	"testing"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/domain/kyc"
)

// Rows written before migration 0005 get their tracking hash from the sealed record.
func TestFillTrackingHashes(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	r := flow.Record{ID: "old-session", Step: flow.StepSejamOTP, Mode: "kiosk", StartedAt: t0, LastActive: t0,
		NationalCode: testNationalCode, Tracking: testTracking}
	if err := s.Create(ctx, r, flow.Event{To: r.Step, Name: "started", At: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, `UPDATE sessions SET tracking_hash = NULL`); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindTracking(ctx, testTracking); len(got) != 0 {
		t.Fatal("found without a hash")
	}
	if err := s.withTx(ctx, func(tx *sql.Tx) error { return s.fillTrackingHashes(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindTracking(ctx, kyc.TrackingCode(testTracking))
	if err != nil || len(got) != 1 || got[0].ID != "old-session" {
		t.Fatalf("after the fill: %v %v", got, err)
	}
}
