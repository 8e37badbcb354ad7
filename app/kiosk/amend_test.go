package kiosk_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/outbox"
	"github.com/ehraz/ehraz/backoffice/intake"
	"github.com/ehraz/ehraz/backoffice/review"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/services/sms"
)

// An operator's override made after submission travels through the outbox as a signed
// amendment to the same dossier: it waits while the dossier is on its way, then reaches the
// back office, shows in the review and sends an auto-approved dossier back to a reviewer.
func TestOverrideAfterSubmissionReachesTheReview(t *testing.T) {
	ctx := context.Background()
	db, err := intake.OpenDB(filepath.Join(t.TempDir(), "intake.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv, err := intake.New(intake.Config{Token: "kiosk-token", AdminToken: "admin-token", DataKey: dataKey, MediaKey: transportKey,
		SMS: sms.NewConsole(2), IPRule: loopback()}, db)
	if err != nil {
		t.Fatal(err)
	}
	var down atomic.Bool
	down.Store(true)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		srv.ServeHTTP(w, r)
	}))
	defer hs.Close()
	c := &clock{t: time.Now()}
	s := session("s1", "0015260186", "kiosk", "")
	s.Checks = []dossier.Check{{Step: "selfie", Attempt: 1, Outcome: "pass"}, {Step: "signature", Attempt: 1, Outcome: "pass"}, {Step: "video", Attempt: 1, Outcome: "pass"}}
	o := newOutbox(t, strings.TrimPrefix(hs.URL, "http://"), sessions{"s1": s}, c)

	if err := o.Amend(ctx, "nobody", dossier.AmendOverride, "selfie", "pass", "op-1", "looked"); !errors.Is(err, outbox.ErrNotSubmitted) {
		t.Fatalf("amendment of a session never submitted: %v", err)
	}
	if err := o.Enqueue(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	// The operator overrides while the back office is down: the amendment waits for its dossier.
	if err := o.Amend(ctx, "s1", dossier.AmendOverride, "video", "fail", "op-1", "the applicant read the numbers from a phone"); err != nil {
		t.Fatal(err)
	}
	o.Flush(ctx)
	down.Store(false)
	c.t = c.t.Add(time.Hour)
	if n, err := o.Flush(ctx); n != 1 || err != nil {
		t.Fatalf("flush: %d %v", n, err)
	}
	rv := srv.Review()
	id, err := rv.IDByKey(ctx, "", "s1")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := rv.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Amendments) != 1 || cs.Amendments[0].Body.Operator != "op-1" || cs.Amendments[0].Body.Outcome != "fail" ||
		cs.Amendments[0].Body.Text != "the applicant read the numbers from a phone" {
		t.Fatalf("amendments at the back office: %+v", cs.Amendments)
	}
	if cs.Status != review.PendingReview {
		t.Errorf("an override on an auto-approved dossier left it %s", cs.Status)
	}
	// Sent once: another flush sends nothing more.
	o.Flush(ctx)
	if cs, _ := rv.Get(ctx, id); len(cs.Amendments) != 1 {
		t.Errorf("amendment delivered %d times", len(cs.Amendments))
	}
}
