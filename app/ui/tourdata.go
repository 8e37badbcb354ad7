package ui

import (
	"context"
	"image"
	"image/color"
	"time"

	"github.com/ehraz/ehraz/app/camera"
	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// tourSessions is the sample operator data the screenshot tour shows (a locked session found by
// its tracking code, with drawn stand-ins for photos: no picture of a real person); it records
// nothing and resumes nothing.
type tourSessions struct{ now time.Time }

const tourLockedID = "7c1e0a55d2b94f03"

func (s tourSessions) list() []SessionSummary {
	return []SessionSummary{
		{ID: tourLockedID, Step: flow.StepLocked, StartedAt: s.now.Add(-25 * time.Minute), NeedsReview: true},
		{ID: "3fa81c0e9b2d4471", Step: flow.StepSubmitted, StartedAt: s.now.Add(-70 * time.Minute)},
		{ID: "b20d6e4417ac3390", Step: flow.StepExpired, StartedAt: s.now.Add(-95 * time.Minute)},
	}
}

func (s tourSessions) Day(context.Context, time.Time) ([]SessionSummary, error) { return s.list(), nil }

func (s tourSessions) FindTracking(context.Context, string) ([]SessionSummary, error) {
	l := s.list()[:1]
	l[0].StartedAt = s.now.AddDate(0, 0, -3)
	return l, nil
}

// tourPicture is a flat drawing standing in for a stored photo: a head and shoulders in grey.
func tourPicture(bg color.RGBA) sdk.Image {
	img := image.NewRGBA(image.Rect(0, 0, 240, 180))
	for y := 0; y < 180; y++ {
		for x := 0; x < 240; x++ {
			c := bg
			dx, dy := float64(x-120)/38, float64(y-70)/48
			if dx*dx+dy*dy <= 1 || (y > 125 && (x-120)*(x-120) < (y-95)*(y-95)*3) {
				c = color.RGBA{0x8a, 0x8f, 0x99, 0xff}
			}
			img.SetRGBA(x, y, c)
		}
	}
	im, _ := camera.EncodeJPEG(img, 85)
	return im
}

func (s tourSessions) Detail(_ context.Context, id string) (SessionDetail, error) {
	d := SessionDetail{Summary: SessionSummary{ID: id, Step: flow.StepLocked, StartedAt: s.now.Add(-25 * time.Minute), NeedsReview: true},
		Name: "مریم احمدی", NationalCodeMasked: "007******5", LockedFrom: flow.StepSelfie,
		Photos: []Photo{{Name: "selfie", Image: tourPicture(color.RGBA{0xe8, 0xf0, 0xfa, 0xff})},
			{Name: "registry.photo", Image: tourPicture(color.RGBA{0xf4, 0xee, 0xe0, 0xff})}},
		Matches: []FaceMatch{{Step: flow.StepSelfie, Distance: 0.512, EstimatedFMR: 0.21, Band: sdk.NeedsReview}},
		Checks: []flow.CheckResult{{Step: flow.StepSelfie, Attempt: 3, Verdict: sdk.Verdict{Outcome: sdk.Fail,
			Reasons: []string{"verdict.face.match.uncertain"}}}},
	}
	return d, nil
}

func (tourSessions) Override(context.Context, string, flow.Step, sdk.Outcome, string, string) error {
	return nil
}

func (tourSessions) Unlock(context.Context, string, string, string) (flow.Snapshot, error) {
	return flow.Snapshot{}, &flow.Error{Key: "flow.unlock.gone"}
}

// tourOutbox is a sample delivery queue: one dossier waiting out its back-off.
type tourOutbox struct{ now time.Time }

func (o tourOutbox) Status(context.Context) (OutboxStatus, error) {
	return OutboxStatus{Pending: 1, Oldest: o.now.Add(-42 * time.Minute), Rows: []OutboxRow{{SessionID: "3fa81c0e9b2d4471",
		Kind: "dossier", State: "pending", Attempts: 6, NextAttempt: o.now.Add(4 * time.Minute),
		LastError: "post https://intake.example-broker.ir/v1/dossiers: dial tcp: connection refused"}}}, nil
}

func (tourOutbox) RetryNow(context.Context) (int, error) { return 0, nil }

// silentVoice stands in for the voice in the tour when main gave none (the mute key shows).
type silentVoice struct{}

func (silentVoice) Play(string, string) bool     { return false }
func (silentVoice) Stop()                        {}
func (silentVoice) Health(string) (bool, string) { return false, "no voice" }
