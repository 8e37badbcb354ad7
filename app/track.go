package main

import (
	"context"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/kiosk"
	"github.com/ehraz/ehraz/app/ui"
)

// tracker adapts the kiosk's "track my request" service to the welcome screen.
type tracker struct{ t *kiosk.Tracker }

var _ ui.Tracker = tracker{}

func (a tracker) Start(ctx context.Context, mobile string) (string, flow.OTPState, error) {
	return a.t.Start(ctx, mobile)
}

func (a tracker) Verify(ctx context.Context, id, code string) (flow.OTPState, error) {
	return a.t.Verify(ctx, id, code)
}

func (a tracker) Lookup(ctx context.Context, id, nationalCode string) (ui.TrackResult, error) {
	r, err := a.t.Lookup(ctx, id, nationalCode)
	return ui.TrackResult{Found: r.Found, StatusKey: r.StatusKey, NextKey: r.NextKey, ReceivedAt: r.ReceivedAt, BourseCode: r.BourseCode}, err
}
