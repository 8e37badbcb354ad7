package kiosk_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/kiosk"
	"github.com/ehraz/ehraz/backoffice/intake"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/domain/problem"
	"github.com/ehraz/ehraz/services/otp"
	"github.com/ehraz/ehraz/services/servicetest"
	"github.com/ehraz/ehraz/services/sms"
)

// "Track my request" end to end: a real OTP service sends the code, the tracker refuses a look-up
// before the code is confirmed, then the back office answers from the delivered dossier; another
// mobile learns nothing.
func TestTrackMyRequest(t *testing.T) {
	ctx := context.Background()
	db, err := intake.OpenDB(filepath.Join(t.TempDir(), "intake.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv, err := intake.New(intake.Config{Token: "kiosk-token", AdminToken: "admin-token", DataKey: dataKey, SMS: sms.NewConsole(2), IPRule: loopback()}, db)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c := &clock{t: time.Now()}
	s := session("s1", "0015260186", "kiosk", "")
	s.Checks = []dossier.Check{{Step: "selfie", Attempt: 1, Outcome: "needs-review"}}
	o := newOutbox(t, strings.TrimPrefix(hs.URL, "http://"), sessions{"s1": s}, c)
	if err := o.Enqueue(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if n, err := o.Flush(ctx); n != 1 || err != nil {
		t.Fatalf("deliver: %d %v", n, err)
	}
	con := sms.NewConsole(4)
	svc, err := otp.New(servicetest.OpenDB(t), con, bytes.Repeat([]byte{4}, 32), otp.Config{KioskID: "kiosk-1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := kiosk.NewTracker(svc, nil, hs.URL, "kiosk-token", nil)
	mobile := string(s.Applicant.Mobile)
	if mobile == "" {
		mobile = string(s.Applicant.Person.Mobile)
	}
	id, _, err := tr.Start(ctx, "۰"+strings.TrimPrefix(mobile, "0")) // Persian digits are fine
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Lookup(ctx, id, "0015260186"); err == nil {
		t.Fatal("looked up before the SMS code was confirmed")
	} else if p, ok := problem.As(err); !ok || p.Key != "track.expired" {
		t.Fatalf("look-up before the code: %v", err)
	}
	sent, ok := con.Last(mobile)
	if !ok {
		t.Fatal("no SMS code sent")
	}
	if _, err := tr.Verify(ctx, id, sent.Message.Tokens[0]); err != nil {
		t.Fatal(err)
	}
	res, err := tr.Lookup(ctx, id, "0015260186")
	if err != nil || !res.Found || res.StatusKey != "track.status.pending_review" || res.NextKey != "track.next.pending_review" {
		t.Fatalf("look-up: %+v %v", res, err)
	}
	if res, err := tr.Lookup(ctx, id, "0084575948"); err != nil || res.Found || res.StatusKey != "track.status.none" {
		t.Errorf("another person's code under this mobile: %+v %v", res, err)
	}
	if _, err := tr.Lookup(ctx, id, "123"); err == nil {
		t.Error("a malformed national code was looked up")
	}
}
