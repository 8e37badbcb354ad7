package store

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/plugins/sdk"
)

func TestOperatorReadsAndOverride(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	review := fullRecord("o-review") // its selfie verdict needs review
	review.Step = flow.StepLocked
	clean := fullRecord("o-clean")
	clean.Checks = map[flow.Step]flow.CheckResult{flow.StepSelfie: {Step: flow.StepSelfie, Attempt: 1, At: t0, Verdict: sdk.Verdict{Outcome: sdk.Pass}}}
	yesterday := openRecord("o-old", t0.Add(-24*time.Hour))
	for _, r := range []flow.Record{review, clean, yesterday} {
		if err := s.Create(ctx, r, ev("start", "", r.Step, r.StartedAt)); err != nil {
			t.Fatal(err)
		}
	}
	photo, video := testJPEG(t, 8), []byte("not really an mp4, stored as is")
	if _, err := s.PutMedia(ctx, "o-review", "selfie", "jpeg", photo); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutMedia(ctx, "o-review", "video", "mp4", video); err != nil {
		t.Fatal(err)
	}

	today, err := s.Today(ctx, t0.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, m := range today {
		got[m.ID] = m.NeedsReview
	}
	if len(got) != 2 || !got["o-review"] || got["o-clean"] {
		t.Fatalf("today %+v, want o-review (needs review) and o-clean", today)
	}

	d, err := s.Detail(ctx, "o-review")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Photos) != 1 || !bytes.Equal(d.Photos[0].Data, photo) || !bytes.Equal(d.Video, video) || d.VideoFormat != "mp4" {
		t.Errorf("detail media: %d photos, video %q", len(d.Photos), d.Video)
	}
	if d.Record.NationalCode != testNationalCode || len(d.Checks) != 1 || len(d.Media) != 2 {
		t.Errorf("detail %+v", d.Info)
	}
	if res := d.Checks[0].Result(); res.Verdict.Outcome != sdk.NeedsReview || res.Attempt != 2 || res.Verdict.Rules[0].Value != 0.58 {
		t.Errorf("CheckRow.Result %+v", res)
	}

	tests := []struct {
		name, id string
		outcome  sdk.Outcome
		reason   string
		wantErr  bool
	}{
		{"could not verify is no decision", "o-review", sdk.CouldNotVerify, "x", true},
		{"unspecified", "o-review", sdk.OutcomeUnspecified, "x", true},
		{"empty reason", "o-review", sdk.Pass, " ", true},
		{"national code in reason", "o-review", sdk.Pass, "same as 0499370899", true},
		{"persian digits in reason", "o-review", sdk.Pass, "کد ۰۴۹۹۳۷۰۸۹۹", true},
		{"unknown session", "nobody", sdk.Pass, "x", true},
		{"pass", "o-review", sdk.Pass, "operator.reason.same_person", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Override(ctx, tc.id, flow.StepSelfie, tc.outcome, tc.reason)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Override: %v", err)
			}
		})
	}
	in, err := s.Info(ctx, "o-review")
	if err != nil {
		t.Fatal(err)
	}
	if in.NeedsReview || len(in.Overrides) != 1 || in.Events[len(in.Events)-1].Name != "operator.override" {
		t.Errorf("after override: needs review %v, overrides %d, last event %q", in.NeedsReview, len(in.Overrides), in.Events[len(in.Events)-1].Name)
	}
	var kind string
	s.DB().QueryRow(`SELECT kind FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&kind)
	if kind != AuditOverride {
		t.Errorf("last audit entry %q, want override", kind)
	}
}

func TestFinishedSession(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	r := fullRecord("f-1")
	r.AcceptedAt = time.Time{}
	if err := s.Create(ctx, r, ev("start", "", flow.StepMobile, t0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FinishedSession(ctx, "f-1"); !errors.Is(err, ErrNotFinished) {
		t.Fatalf("before acceptance: %v, want ErrNotFinished", err)
	}
	photo := testJPEG(t, 9)
	if _, err := s.PutMedia(ctx, "f-1", "selfie", "jpeg", photo); err != nil {
		t.Fatal(err)
	}
	// A second selfie attempt, then acceptance.
	prov := sdk.Provenance{Plugin: "face", Version: "0.1.0", SHA256: "ab12", Signer: "e48345e5"}
	r.Checks[flow.StepSelfie] = flow.CheckResult{Step: flow.StepSelfie, Attempt: 3, At: t0.Add(8 * time.Minute), Verdict: sdk.Verdict{Outcome: sdk.Pass, Score: 0.9, Provenance: prov}}
	r.AcceptedAt, r.Step = t0.Add(9*time.Minute), flow.StepSubmitted
	if err := s.Save(ctx, r, ev("commitments.accepted", flow.StepCommitments, flow.StepSubmitted, r.AcceptedAt)); err != nil {
		t.Fatal(err)
	}
	if err := s.Override(ctx, "f-1", flow.StepSelfie, sdk.Pass, "operator.reason.same_person"); err != nil {
		t.Fatal(err)
	}
	got, err := s.FinishedSession(ctx, "f-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Applicant.Person.NationalCode != testNationalCode || got.Applicant.Mobile != testMobile ||
		got.Applicant.CardSerial != testCardSerial || got.ClientIP != r.ClientIP || !got.AcceptedAt.Equal(r.AcceptedAt) {
		t.Errorf("applicant %+v", got.Applicant)
	}
	if len(got.Checks) != 3 || got.Checks[0].Attempt != 2 || got.Checks[1].Attempt != 3 || got.Checks[1].Outcome != "pass" ||
		got.Checks[2].Reasons[0] != OverrideReason {
		t.Errorf("checks %+v", got.Checks)
	}
	if got.Checks[1].Provenance != prov || got.Checks[0].Provenance != (sdk.Provenance{}) {
		t.Errorf("provenance of the verdicts: %+v, %+v (want the plugin's on the second, none recorded on the first)", got.Checks[1].Provenance, got.Checks[0].Provenance)
	}
	if len(got.Media) != 1 || !bytes.Equal(got.Media[0].Data, photo) || got.Media[0].Format != "jpeg" {
		t.Errorf("media %d", len(got.Media))
	}
}
