package kiosk

import (
	"context"
	"strings"
	"testing"
)

// A submission whose dossier never reached the outbox (the enqueue failed, or the kiosk died
// between committing the submission and queueing it; simulated by removing the queued row) is
// queued again when the kiosk next starts.
func TestSubmissionMissingFromOutboxIsQueuedAtStart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	k, err := Open(ctx, childConfig(dir), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range wantAfter {
		if err := act(ctx, k.Flow, i); err != nil {
			k.Close()
			t.Fatalf("action %d: %v", i, err)
		}
	}
	id := k.Flow.Snapshot().SessionID
	if _, err := k.Store.DB().ExecContext(ctx, `DELETE FROM outbox WHERE session_id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if ids, err := k.Unqueued(ctx); err != nil || len(ids) != 1 || ids[0] != id {
		t.Fatalf("Unqueued = %v, %v; want the submitted session", ids, err)
	}
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}

	// A failed requeue is reported through Warn; the plugin host's start-up reports (a test
	// folder has no signing key or sandbox launcher) are not this test's concern.
	k, err = Open(ctx, childConfig(dir), Options{Warn: func(err error) {
		if !strings.Contains(err.Error(), "plugin") {
			t.Error(err)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if _, ok, err := k.Services.Outbox.Entry(ctx, id); err != nil || !ok {
		t.Fatalf("after restart the dossier is not queued (ok %v, err %v)", ok, err)
	}
	if ids, err := k.Unqueued(ctx); err != nil || len(ids) != 0 {
		t.Errorf("Unqueued after restart = %v, %v; want none", ids, err)
	}
}
