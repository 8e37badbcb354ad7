package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/domain/kyc"
)

// Operator mode finds sessions of any day by the SEJAM tracking code, through a keyed hash: the
// code is nowhere in clear, another code finds nothing, and a wiped session is not found.
func TestFindByTrackingCode(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	clock := &fixedClock{t: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	var m *flow.Machine
	// Each session on its own Machine (as on two kiosks' days): a Start on the same one would
	// abandon, and so wipe, the one before.
	session := func(tracking string) string {
		t.Helper()
		u := unused{}
		var err error
		m, err = flow.New(flow.Deps{Store: s, OTP: otpFake{}, Sejam: sejamFake{person}, Registry: u, Eligibility: u,
			Detectors: u, Dossier: u, Clock: clock}, flow.Config{Mode: "kiosk", IdleTimeout: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Start(ctx); err != nil {
			t.Fatal(err)
		}
		for _, a := range []flow.Answer{flow.Begin{}, flow.MobileNumber{Raw: string(person.Mobile)}, flow.MobileCode{Raw: "123456"},
			flow.Identity{NationalCode: string(person.NationalCode), Tracking: tracking}} {
			if _, err := m.Submit(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		return m.Snapshot().SessionID
	}
	first := session("7731955024")
	clock.t = clock.t.Add(72 * time.Hour) // another day
	second := session("1234509876")

	for _, c := range []struct {
		code string
		want []string
	}{
		{"7731955024", []string{first}},
		{"1234509876", []string{second}},
		{"5555555555", nil},
	} {
		got, err := s.FindTracking(ctx, kyc.TrackingCode(c.code))
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, g := range got {
			ids = append(ids, g.ID)
		}
		if len(ids) != len(c.want) || (len(ids) == 1 && ids[0] != c.want[0]) {
			t.Errorf("%s: found %v, want %v", c.code, ids, c.want)
		}
	}
	var clear int
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE instr(CAST(tracking_hash AS TEXT), '7731955024') > 0
		OR instr(outcome, '7731955024') > 0`).Scan(&clear); err != nil || clear != 0 {
		t.Errorf("tracking code in clear (%d, %v)", clear, err)
	}
	// The second session is abandoned (wiped): it is not found any more.
	if _, err := m.Abandon(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := s.FindTracking(ctx, "1234509876"); err != nil || len(got) != 0 {
		t.Errorf("wiped session still found: %v %v", got, err)
	}
}
