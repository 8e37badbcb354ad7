package kiosk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/backoffice/intake"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/domain/problem"
)

// Tracker answers "track my request" (پیگیری درخواست) at the welcome screen: the applicant
// proves their mobile with an SMS code (the kiosk's own OTP service), types their national code,
// and the back office — over the kiosk's authenticated channel — says where their newest dossier
// is. Nothing is stored on the kiosk; a verified mobile is remembered in memory for TrackTTL.
type Tracker struct {
	otp   flow.OTP
	hc    *http.Client
	url   string
	token string
	now   func() time.Time

	mu       sync.Mutex
	verified map[string]tracked // tracking session id → verified mobile
}

type tracked struct {
	mobile kyc.Mobile
	ok     bool
	until  time.Time
}

// TrackTTL is how long a tracking session lives after its code was sent.
const TrackTTL = 10 * time.Minute

// NewTracker returns a tracker over the OTP service and the back office at url (token for a
// kiosk not enrolled; hc carries the kiosk's certificate when it is).
func NewTracker(otp flow.OTP, hc *http.Client, url, token string, now func() time.Time) *Tracker {
	if hc == nil {
		hc = &http.Client{}
	}
	if now == nil {
		now = time.Now
	}
	return &Tracker{otp: otp, hc: hc, url: url, token: token, now: now, verified: map[string]tracked{}}
}

// Start sends the SMS code to mobile and returns the tracking session's id.
func (t *Tracker) Start(ctx context.Context, mobile string) (string, flow.OTPState, error) {
	m, _, err := kyc.ParseMobile(mobile)
	if err != nil {
		return "", flow.OTPState{}, err
	}
	b := make([]byte, 12)
	rand.Read(b)
	id := "track-" + hex.EncodeToString(b)
	st, err := t.otp.Send(ctx, id, m)
	if err != nil {
		return "", st, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for k, v := range t.verified { // forget old sessions
		if now.After(v.until) {
			delete(t.verified, k)
		}
	}
	t.verified[id] = tracked{mobile: m, until: now.Add(TrackTTL)}
	return id, st, nil
}

// Verify checks the SMS code of a tracking session.
func (t *Tracker) Verify(ctx context.Context, id, code string) (flow.OTPState, error) {
	st, err := t.otp.Verify(ctx, id, code)
	if err != nil {
		return st, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	v, ok := t.verified[id]
	if !ok || t.now().After(v.until) {
		return st, problem.New("track.expired")
	}
	v.ok = true
	t.verified[id] = v
	return st, nil
}

// TrackResult is what the applicant is told: a status and what to do next (locale keys), the
// day the dossier arrived and the bourse code once issued.
type TrackResult struct {
	Found      bool
	StatusKey  string // track.status.<status>
	NextKey    string // track.next.<status>
	ReceivedAt time.Time
	BourseCode string
}

// Lookup asks the back office about the national code's newest dossier under the verified
// mobile; it refuses a session whose code was not verified.
func (t *Tracker) Lookup(ctx context.Context, id, nationalCode string) (TrackResult, error) {
	nc, err := kyc.ParseNationalCode(nationalCode)
	if err != nil {
		return TrackResult{}, err
	}
	t.mu.Lock()
	v, ok := t.verified[id]
	t.mu.Unlock()
	if !ok || !v.ok || t.now().After(v.until) {
		return TrackResult{}, problem.New("track.expired")
	}
	got, err := intake.Track(ctx, t.hc, t.url, t.token, string(nc), string(v.mobile))
	if err != nil {
		return TrackResult{}, problem.Wrap("track.unavailable", fmt.Errorf("kiosk: track: %w", err))
	}
	if !got.Found {
		return TrackResult{StatusKey: "track.status.none", NextKey: "track.next.none"}, nil
	}
	return TrackResult{Found: true, StatusKey: "track.status." + got.Status, NextKey: "track.next." + got.Status,
		ReceivedAt: got.ReceivedAt, BourseCode: got.BourseCode}, nil
}
