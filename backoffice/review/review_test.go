package review_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ehraz/ehraz/backoffice/database/dbtest"
	"github.com/ehraz/ehraz/backoffice/intake"
	"github.com/ehraz/ehraz/backoffice/review"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/domain/eligibility"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/services/sms"
)

func check(step, outcome string, attempt int) dossier.Check {
	return dossier.Check{Step: step, Outcome: outcome, Attempt: attempt}
}

func passing() []dossier.Check {
	return []dossier.Check{check("selfie", "pass", 1), check("signature", "pass", 1), check("video", "pass", 1)}
}

func TestAssess(t *testing.T) {
	for _, c := range []struct {
		name   string
		checks []dossier.Check
		want   []string // finding keys
	}{
		{"every check passed", passing(), nil},
		{"a retake that passed", append(passing(), check("selfie", "fail", 0)), nil},
		{"needs review", append(passing()[:2], check("video", "needs-review", 1)), []string{"review.finding.needs_review"}},
		{"could not verify, even on a retake that passed", append(passing(), check("video", "could-not-verify", 0)), []string{"review.finding.could_not_verify"}},
		{"unknown outcome", append(passing()[1:], check("selfie", "maybe", 1)), []string{"review.finding.could_not_verify"}},
		{"missing step", passing()[:2], []string{"review.finding.missing"}},
		{"last attempt failed", append(passing(), check("signature", "fail", 2)), []string{"review.finding.failed"}},
		{"too many failures", append(passing(), check("selfie", "fail", 0), check("selfie", "fail", 0), check("selfie", "fail", 0)), []string{"review.finding.many_attempts"}},
		{"operator override", append(passing(), dossier.Check{Step: "selfie", Outcome: "pass", Reasons: []string{"store.override", "looked"}}), []string{"review.finding.override"}},
		{"no checks at all", nil, []string{"review.finding.missing", "review.finding.missing", "review.finding.missing"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, f := range review.Assess(dossier.Dossier{Checks: c.checks}) {
				got = append(got, f.Key)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("findings %v, want %v", got, c.want)
			}
			if (review.Initial(review.Assess(dossier.Dossier{Checks: c.checks})) == review.AutoApproved) != (len(c.want) == 0) {
				t.Error("auto-approved with findings, or queued without")
			}
		})
	}
}

type rig struct {
	srv   *intake.Server
	rv    *review.Service
	sms   *sms.Console
	clock *time.Time
	mkey  []byte
}

func TestMain(m *testing.M) { dbtest.Main(m) }

// each runs f once per engine (SQLite, PostgreSQL) as a subtest.
func each(t *testing.T, f func(t *testing.T, engine string)) {
	for _, e := range dbtest.Engines {
		t.Run(e, func(t *testing.T) { f(t, e) })
	}
}

func newRig(t *testing.T, engine string, fourEyes bool) *rig {
	t.Helper()
	db := dbtest.Open(t, engine)
	var err error
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	r := &rig{sms: sms.NewConsole(10), clock: &now, mkey: bytes.Repeat([]byte{7}, 32)}
	r.srv, err = intake.New(intake.Config{Token: "kiosk", AdminToken: "admin", DataKey: bytes.Repeat([]byte{1}, 32), MediaKey: r.mkey,
		SMS: r.sms, FourEyes: fourEyes, Now: func() time.Time { return *r.clock }, MaxUploads: 16,
		IPRule: eligibility.IPRule{Allow: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}}}, db)
	if err != nil {
		t.Fatal(err)
	}
	r.rv = r.srv.Review()
	return r
}

func (r *rig) deliver(t *testing.T, key, session, nc string, checks []dossier.Check) (int, int64) {
	t.Helper()
	return r.deliverDossier(t, key, kioskDossier(session, nc, checks))
}

// kioskDossier is a dossier of kiosk k1 for the applicant with national code nc.
func kioskDossier(session, nc string, checks []dossier.Check) dossier.Dossier {
	return dossier.Dossier{Version: dossier.Version, SessionID: session, KioskID: "k1", Mode: dossier.ModeKiosk,
		Applicant: dossier.Applicant{Person: kyc.Person{NationalCode: kyc.NationalCode(nc)}, Mobile: "09121234567"}, Checks: checks}
}

// deliverDossier posts d to the intake as kiosk k1 under the idempotency key and returns the
// status and the case id it got.
func (r *rig) deliverDossier(t *testing.T, key string, d dossier.Dossier) (int, int64) {
	t.Helper()
	body, _ := json.Marshal(d)
	req := httptest.NewRequest(http.MethodPost, "/v1/dossiers", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer kiosk")
	req.Header.Set("Idempotency-Key", key)
	rec := httptest.NewRecorder()
	r.srv.ServeHTTP(rec, req)
	id, _ := r.rv.IDByKey(context.Background(), key, "")
	return rec.Code, id
}

var (
	reviewer   = review.Actor{Name: "maryam", Role: review.RoleReviewer}
	reviewer2  = review.Actor{Name: "reza", Role: review.RoleReviewer}
	supervisor = review.Actor{Name: "sara", Role: review.RoleSupervisor}
	admin      = review.Actor{Name: "root", Role: review.RoleAdmin}
)

func TestLifecycle(t *testing.T) { each(t, testLifecycle) }

func testLifecycle(t *testing.T, engine string) {
	ctx := context.Background()
	r := newRig(t, engine, false)
	code, auto := r.deliver(t, "key-auto-0001", "s-auto", "0015260186", passing())
	if code != http.StatusCreated {
		t.Fatalf("deliver: %d", code)
	}
	c, err := r.rv.Get(ctx, auto)
	if err != nil || c.Status != review.AutoApproved || len(c.Events) != 2 || c.Events[1].Actor != "rule" {
		t.Fatalf("auto-approved dossier: %v %+v", err, c.Item)
	}
	_, queued := r.deliver(t, "key-review-01", "s-review", "0084575948", append(passing()[:2], check("video", "needs-review", 1)))
	c, _ = r.rv.Get(ctx, queued)
	if c.Status != review.PendingReview || len(c.Findings) != 1 {
		t.Fatalf("needs-review dossier: %+v", c.Item)
	}
	// A bourse code before a decision is refused and nothing is sent.
	if _, err := r.rv.IssueBourseCode(ctx, queued, "ابج12345", reviewer); !errors.Is(err, review.ErrTransition) {
		t.Fatalf("bourse code before approval: %v", err)
	}
	// An admin decides nothing; a decision needs a reason from the list, "other" a note.
	for _, d := range []struct {
		d    review.Decision
		want error
	}{
		{review.Decision{Actor: admin, Action: review.Approve, Reason: "review.reason.verified_manually"}, review.ErrForbidden},
		{review.Decision{Actor: reviewer, Action: review.Approve, Reason: ""}, review.ErrReason},
		{review.Decision{Actor: reviewer, Action: review.Approve, Reason: "review.reason.face_mismatch"}, review.ErrReason},
		{review.Decision{Actor: reviewer, Action: review.Reject, Reason: review.ReasonOther, Note: "  "}, review.ErrNoteRequired},
		{review.Decision{Actor: reviewer, Action: review.Approve, Reason: "review.reason.verified_manually", Version: 9}, review.ErrStale},
	} {
		d.d.DossierID = queued
		if d.d.Version == 0 {
			d.d.Version = c.Version
		}
		if _, err := r.rv.Decide(ctx, d.d); !errors.Is(err, d.want) {
			t.Errorf("%+v: %v, want %v", d.d, err, d.want)
		}
	}
	// Two reviewers decide on the version they saw: the second is told someone was first.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, who := range []review.Actor{reviewer, reviewer2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = r.rv.Decide(ctx, review.Decision{DossierID: queued, Version: c.Version, Actor: who, Action: review.Approve,
				Reason: "review.reason.verified_manually", Note: "checked the card"})
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) || !(errors.Is(errs[0], review.ErrStale) || errors.Is(errs[1], review.ErrStale)) {
		t.Fatalf("racing decisions: %v, %v (want one ok, one stale)", errs[0], errs[1])
	}
	c, _ = r.rv.Get(ctx, queued)
	last := c.Events[len(c.Events)-1]
	if c.Status != review.Approved || last.Action != "approve" || last.Note != "checked the card" || last.Reason != "review.reason.verified_manually" {
		t.Fatalf("after approval: %+v last %+v", c.Item, last)
	}
	// The bourse code: wrong format refused; right one recorded, SMS sent once.
	if _, err := r.rv.IssueBourseCode(ctx, queued, "abc12345", reviewer); !errors.Is(err, review.ErrBourseCode) {
		t.Fatalf("bad code: %v", err)
	}
	res, err := r.rv.IssueBourseCode(ctx, queued, "ابج۱۲۳۴۵", reviewer)
	if err != nil || !res.SMSSent || res.Code != "ابج12345" {
		t.Fatalf("issue code: %+v %v", res, err)
	}
	if m, ok := r.sms.Last("09121234567"); !ok || m.Message.Tokens[0] != "ابج12345" {
		t.Fatalf("SMS: %+v %v", m, ok)
	}
	if _, err := r.rv.IssueBourseCode(ctx, queued, "ابد12345", reviewer); !errors.Is(err, review.ErrBourseTaken) {
		t.Fatalf("second code: %v", err)
	}
	// The same code for another person is refused by the engine, and that dossier is unchanged.
	if _, err := r.rv.IssueBourseCode(ctx, auto, "ابج12345", reviewer); !errors.Is(err, review.ErrBourseUsed) {
		t.Fatalf("a code already given to someone else: %v", err)
	}
	if c, _ := r.rv.Get(ctx, auto); c.Status != review.AutoApproved || c.BourseCode != "" {
		t.Fatalf("after the refused code: %s %q", c.Status, c.BourseCode)
	}
	// The approved person cannot be verified again; a rejected one can.
	if code, _ := r.deliver(t, "key-again-001", "s-again", "0084575948", passing()); code != http.StatusConflict {
		t.Fatalf("second dossier for an approved code: %d", code)
	}
	_, bad := r.deliver(t, "key-reject-01", "s-reject", "1111111111", passing()[:1])
	c, _ = r.rv.Get(ctx, bad)
	if _, err := r.rv.Decide(ctx, review.Decision{DossierID: bad, Version: c.Version, Actor: reviewer, Action: review.Reject,
		Reason: "review.reason.not_live"}); err != nil {
		t.Fatal(err)
	}
	if code, _ := r.deliver(t, "key-retry-001", "s-retry", "1111111111", passing()); code != http.StatusCreated {
		t.Fatalf("new attempt after a rejection: %d", code)
	}
	// A rejected dossier cannot be revived while the new attempt holds the code.
	c, _ = r.rv.Get(ctx, bad)
	if _, err := r.rv.Decide(ctx, review.Decision{DossierID: bad, Version: c.Version, Actor: reviewer, Action: review.Approve,
		Reason: "review.reason.verified_manually"}); !errors.Is(err, review.ErrTransition) {
		t.Fatalf("approve a rejected dossier: %v", err)
	}
}

func TestFourEyes(t *testing.T) { each(t, testFourEyes) }

func testFourEyes(t *testing.T, engine string) {
	ctx := context.Background()
	r := newRig(t, engine, true)
	_, failed := r.deliver(t, "key-failed-01", "s-failed", "0015260186", append(passing(), check("selfie", "fail", 2)))
	_, cnv := r.deliver(t, "key-cnv-00001", "s-cnv", "0084575948", append(passing()[:2], check("video", "could-not-verify", 1)))
	c, _ := r.rv.Get(ctx, failed)
	st, err := r.rv.Decide(ctx, review.Decision{DossierID: failed, Version: c.Version, Actor: reviewer, Action: review.Approve, Reason: "review.reason.detector_error"})
	if err != nil || st != review.AwaitingConfirmation {
		t.Fatalf("approval against a failed check: %v %v, want awaiting confirmation", st, err)
	}
	c, _ = r.rv.Get(ctx, failed)
	if c.Proposal == nil || c.Proposal.By != "maryam" {
		t.Fatalf("proposal: %+v", c.Proposal)
	}
	if _, err := r.rv.Confirm(ctx, failed, c.Version, reviewer2, true, ""); !errors.Is(err, review.ErrForbidden) {
		t.Fatalf("a reviewer confirms: %v", err)
	}
	if _, err := r.rv.Confirm(ctx, failed, c.Version, supervisor, false, ""); !errors.Is(err, review.ErrNoteRequired) {
		t.Fatalf("decline without a note: %v", err)
	}
	if st, err := r.rv.Confirm(ctx, failed, c.Version, supervisor, true, ""); err != nil || st != review.Approved {
		t.Fatalf("supervisor confirms: %v %v", st, err)
	}
	c, _ = r.rv.Get(ctx, failed)
	if c.DecidedBy != "maryam + sara" {
		t.Errorf("decided by %q, want both names", c.DecidedBy)
	}
	// An approval where nothing failed (could not verify) needs no second person; a rejection does.
	c, _ = r.rv.Get(ctx, cnv)
	if st, _ := r.rv.Decide(ctx, review.Decision{DossierID: cnv, Version: c.Version, Actor: supervisor, Action: review.Reject, Reason: "review.reason.not_live"}); st != review.AwaitingConfirmation {
		t.Fatalf("rejection under four-eyes: %v", st)
	}
	c, _ = r.rv.Get(ctx, cnv)
	if _, err := r.rv.Confirm(ctx, cnv, c.Version, supervisor, true, ""); !errors.Is(err, review.ErrSamePerson) {
		t.Fatalf("confirming one's own proposal: %v", err)
	}
	if st, err := r.rv.Confirm(ctx, cnv, c.Version, review.Actor{Name: "ali", Role: review.RoleSupervisor}, false, "the video is fine"); err != nil || st != review.PendingReview {
		t.Fatalf("decline: %v %v", st, err)
	}
}

func TestAmendments(t *testing.T) { each(t, testAmendments) }

func testAmendments(t *testing.T, engine string) {
	ctx := context.Background()
	r := newRig(t, engine, false)
	_, id := r.deliver(t, "key-amend-001", "s-amend", "0015260186", passing())
	post := func(key string, a dossier.Amendment, sign []byte) int {
		if sign != nil {
			if err := a.Sign(sign); err != nil {
				t.Fatal(err)
			}
		}
		body, _ := json.Marshal(a)
		req := httptest.NewRequest(http.MethodPost, "/v1/amendments", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer kiosk")
		req.Header.Set("Idempotency-Key", key)
		rec := httptest.NewRecorder()
		r.srv.ServeHTTP(rec, req)
		return rec.Code
	}
	a := dossier.Amendment{Version: dossier.Version, DossierKey: "key-amend-001", SessionID: "s-amend", KioskID: "k1", Kind: dossier.AmendOverride,
		Operator: "op-1", Step: "selfie", Outcome: "pass", Text: "checked the card by hand", At: time.Now().UTC()}
	unknown := a
	unknown.DossierKey = "key-nobody-01"
	for _, c := range []struct {
		name string
		key  string
		a    dossier.Amendment
		sign []byte
		want int
	}{
		{"unsigned", "amend-key-001", a, nil, http.StatusUnprocessableEntity},
		{"signed with another key", "amend-key-001", a, bytes.Repeat([]byte{8}, 32), http.StatusUnprocessableEntity},
		{"unknown dossier", "amend-key-002", unknown, r.mkey, http.StatusNotFound},
		{"good", "amend-key-003", a, r.mkey, http.StatusCreated},
		{"repeated", "amend-key-003", a, r.mkey, http.StatusOK},
	} {
		if got := post(c.key, c.a, c.sign); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	c, err := r.rv.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Amendments) != 1 || c.Amendments[0].Body.Text != "checked the card by hand" {
		t.Fatalf("amendments: %+v", c.Amendments)
	}
	if c.Status != review.PendingReview {
		t.Errorf("an override on an auto-approved dossier left it %s, want pending review", c.Status)
	}
}

func TestReport(t *testing.T) { each(t, testReport) }

func testReport(t *testing.T, engine string) {
	ctx := context.Background()
	r := newRig(t, engine, false)
	r.deliver(t, "key-rep-00001", "s1", "0015260186", passing())
	_, q := r.deliver(t, "key-rep-00002", "s2", "0084575948", passing()[:1])
	*r.clock = r.clock.Add(90 * time.Minute)
	c, _ := r.rv.Get(ctx, q)
	if _, err := r.rv.Decide(ctx, review.Decision{DossierID: q, Version: c.Version, Actor: reviewer, Action: review.Reject, Reason: "review.reason.not_live"}); err != nil {
		t.Fatal(err)
	}
	days, err := r.rv.Report(ctx, r.clock.Add(-48*time.Hour), r.clock.Add(time.Hour), time.UTC)
	if err != nil || len(days) != 1 {
		t.Fatalf("report: %v %+v", err, days)
	}
	d := days[0]
	if d.Received != 2 || d.AutoApproved != 1 || d.Reviewed != 1 || d.Rejected["review.reason.not_live"] != 1 || d.MedianToDecision != 90*time.Minute {
		t.Errorf("day: %+v", d)
	}
}

// Ten kiosks deliver the same person at once: exactly one dossier is accepted, on both engines
// (the partial unique index, not a read-then-write in Go, holds the rule).
func TestOneVerificationPerPersonRacing(t *testing.T) {
	each(t, func(t *testing.T, engine string) {
		r := newRig(t, engine, false)
		var wg sync.WaitGroup
		codes := make([]int, 10)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i], _ = r.deliver(t, fmt.Sprintf("key-race-%04d", i), fmt.Sprintf("s-race-%d", i), "0015260186", passing())
			}()
		}
		wg.Wait()
		created, refused := 0, 0
		for _, c := range codes {
			switch c {
			case http.StatusCreated:
				created++
			case http.StatusConflict:
				refused++
			}
		}
		if created != 1 || refused != 9 {
			t.Fatalf("codes %v: %d accepted, %d refused (want 1 and 9)", codes, created, refused)
		}
	})
}

// "Track my request": the newest dossier of the national code, only under the mobile it was
// verified with; another mobile learns nothing.
func TestTrack(t *testing.T) {
	each(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		r := newRig(t, engine, false)
		_, id := r.deliver(t, "key-track-001", "s-track", "0015260186", passing()[:2])
		track := func(nc, mobile string) intake.Tracking {
			body, _ := json.Marshal(map[string]string{"nationalCode": nc, "mobile": mobile})
			req := httptest.NewRequest(http.MethodPost, "/v1/applicant-status", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer kiosk")
			rec := httptest.NewRecorder()
			r.srv.ServeHTTP(rec, req)
			var out intake.Tracking
			if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
				t.Fatalf("track: %d %s", rec.Code, rec.Body)
			}
			return out
		}
		if got := track("0015260186", "09121234567"); !got.Found || got.Status != "pending_review" || got.BourseCode != "" {
			t.Errorf("own dossier: %+v", got)
		}
		for _, c := range [][2]string{{"0015260186", "09350000000"}, {"0084575948", "09121234567"}} {
			if got := track(c[0], c[1]); got.Found || got.Status != "" {
				t.Errorf("%v: %+v, want nothing", c, got)
			}
		}
		c, _ := r.rv.Get(ctx, id)
		r.rv.Decide(ctx, review.Decision{DossierID: id, Version: c.Version, Actor: reviewer, Action: review.Approve, Reason: "review.reason.verified_manually"})
		r.rv.IssueBourseCode(ctx, id, "ابج12345", reviewer)
		if got := track("0015260186", "09121234567"); got.Status != "bourse_code_issued" || got.BourseCode != "ابج12345" {
			t.Errorf("after the code: %+v", got)
		}
	})
}

// The retention policy: a rejected dossier's media go after RejectedMedia, a final dossier is
// reduced to its tombstone after Keep (the approved person stays verified), each with an event.
func TestRetention(t *testing.T) {
	each(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		r := newRig(t, engine, false)
		_, rejected := r.deliver(t, "key-ret-00001", "s-ret-1", "0015260186", passing()[:1])
		_, approved := r.deliver(t, "key-ret-00002", "s-ret-2", "0084575948", passing())
		c, _ := r.rv.Get(ctx, rejected)
		if _, err := r.rv.Decide(ctx, review.Decision{DossierID: rejected, Version: c.Version, Actor: reviewer, Action: review.Reject, Reason: "review.reason.not_live", Note: "نام متقاضی"}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.rv.IssueBourseCode(ctx, approved, "ابج12345", reviewer); err != nil {
			t.Fatal(err)
		}
		pol := review.Retention{RejectedMedia: 30 * 24 * time.Hour, Keep: 365 * 24 * time.Hour}
		if rep, err := r.rv.Purge(ctx, r.clock.Add(29*24*time.Hour), pol); err != nil || rep != (review.PurgeReport{}) {
			t.Fatalf("before the periods: %+v %v", rep, err)
		}
		if rep, err := r.rv.Purge(ctx, r.clock.Add(31*24*time.Hour), pol); err != nil || rep.MediaPurged != 1 || rep.Purged != 0 {
			t.Fatalf("after 31 days: %+v %v", rep, err)
		}
		c, _ = r.rv.Get(ctx, rejected)
		if c.Purged || c.Dossier.Applicant.Person.NationalCode != "0015260186" || c.Events[len(c.Events)-1].Action != "media_purged" {
			t.Fatalf("rejected after 31 days: purged=%v events %+v", c.Purged, c.Events)
		}
		if rep, _ := r.rv.Purge(ctx, r.clock.Add(400*24*time.Hour), pol); rep.Purged != 2 || rep.MediaPurged != 0 {
			t.Fatalf("after 400 days: %+v", rep)
		}
		for _, id := range []int64{rejected, approved} {
			c, err := r.rv.Get(ctx, id)
			if err != nil || !c.Purged || c.Dossier.Applicant.Person.NationalCode != "" || c.Events[len(c.Events)-1].Action != "purged" {
				t.Fatalf("dossier %d after the keeping period: %v %+v", id, err, c.Item)
			}
			for _, e := range c.Events {
				if e.Note != "" {
					t.Errorf("a note survived the purge: %q", e.Note)
				}
			}
		}
		// The approved person is still verified; the rejected one may try again.
		if code, _ := r.deliver(t, "key-ret-00003", "s-ret-3", "0084575948", passing()); code != http.StatusConflict {
			t.Errorf("approved person after the purge: %d, want 409", code)
		}
		if code, _ := r.deliver(t, "key-ret-00004", "s-ret-4", "0015260186", passing()); code != http.StatusCreated {
			t.Errorf("rejected person after the purge: %d, want 201", code)
		}
	})
}

// Each dossier carries its kiosk's audit-chain head; one whose head is not past the kiosk's
// earlier dossiers goes to a reviewer with the finding, on both engines.
func TestAuditHeadGoesForward(t *testing.T) {
	each(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		r := newRig(t, engine, false)
		send := func(key, session, nc string, seq int64) int64 {
			d := kioskDossier(session, nc, passing())
			d.Audit = &dossier.AuditHead{Seq: seq, MAC: "ab", KeyID: "k"}
			code, id := r.deliverDossier(t, key, d)
			if code != http.StatusCreated {
				t.Fatalf("%s: %d", key, code)
			}
			return id
		}
		a := send("key-audit-001", "s-a1", "0015260186", 10)
		b := send("key-audit-002", "s-a2", "0084575948", 20)
		c := send("key-audit-003", "s-a3", "1111111111", 15)
		for id, want := range map[int64]review.Status{a: review.AutoApproved, b: review.AutoApproved, c: review.PendingReview} {
			cs, _ := r.rv.Get(ctx, id)
			if cs.Status != want {
				t.Errorf("dossier %d: %s, want %s (findings %v)", id, cs.Status, want, cs.Findings)
			}
		}
		cs, _ := r.rv.Get(ctx, c)
		if len(cs.Findings) != 1 || cs.Findings[0].Key != "review.finding.audit_behind" {
			t.Errorf("findings %v", cs.Findings)
		}
	})
}
