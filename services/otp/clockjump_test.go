package otp

import (
	"context"
	"testing"
	"time"

	clk "github.com/ehraz/ehraz/domain/clock"
	"github.com/ehraz/ehraz/services/servicetest"
	"github.com/ehraz/ehraz/services/sms"
)

// The wall clock set back an hour or forward a day while a code is valid (issue 18): no code is
// accepted past its 2 minutes of real time, a fresh one is not killed by a forward jump, the
// resend cooldown does not stretch to an hour, and a service restarted after the jump (no memory
// of when it sent the code) refuses a code whose issue lies in the clock's future.
func TestClockJumpsDuringACode(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		jump    time.Duration
		after   time.Duration // real time from sending to verifying (the jump happens 30 s in)
		restart bool          // a new Service on the same database verifies
		want    string        // "" accepted
	}{
		{"back 1h, 1m59s", -time.Hour, 119 * time.Second, false, ""},
		{"back 1h, 2m", -time.Hour, 2 * time.Minute, false, "otp.expired"},
		{"back 1h, 61m", -time.Hour, 61 * time.Minute, false, "otp.expired"},
		{"back 1m, 2m1s", -time.Minute, 121 * time.Second, false, "otp.expired"},
		{"forward 1d, 1m59s", 24 * time.Hour, 119 * time.Second, false, ""},
		{"forward 1d, 2m", 24 * time.Hour, 2 * time.Minute, false, "otp.expired"},
		{"back 1h, restarted", -time.Hour, 40 * time.Second, true, "otp.expired"},
		{"forward 1d, restarted", 24 * time.Hour, 40 * time.Second, true, "otp.expired"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := servicetest.OpenDB(t)
			c := clk.NewVirtual(start)
			con := sms.NewConsole(10)
			s, err := New(db, con, key, Config{KioskID: "k"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			s.UseClock(c)
			st, err := s.Send(ctx, "s", "09121234567")
			if err != nil {
				t.Fatal(err)
			}
			c.Advance(30 * time.Second)
			c.Jump(tc.jump)
			c.Advance(tc.after - 30*time.Second)
			if tc.restart {
				if s, err = New(db, con, key, Config{KioskID: "k"}, nil); err != nil {
					t.Fatal(err)
				}
				s.UseClock(c)
				s.sent = map[string]issue{} // a new process remembers nothing
			}
			_, err = s.Verify(ctx, "s", st.DemoCode)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("valid code refused after %v with a %v jump: %v", tc.after, tc.jump, err)
				}
				return
			}
			wantKey(t, err, tc.want)
		})
	}
}

// The resend cooldown is 60 s of real time whatever the wall clock does; after a restart, a
// clock set back before the last send does not lock the applicant out for an hour.
func TestClockJumpsAndResend(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		jump    time.Duration
		after   time.Duration
		restart bool
		want    string
	}{
		{"back 1h, 30 s", -time.Hour, 30 * time.Second, false, "otp.resend_too_soon"},
		{"back 1h, 60 s", -time.Hour, 60 * time.Second, false, ""},
		{"forward 1d, 30 s", 24 * time.Hour, 30 * time.Second, false, "otp.resend_too_soon"},
		{"back 1h, restarted", -time.Hour, 10 * time.Second, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := servicetest.OpenDB(t)
			c := clk.NewVirtual(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
			con := sms.NewConsole(10)
			s, err := New(db, con, key, Config{KioskID: "k"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			s.UseClock(c)
			if _, err := s.Send(ctx, "s", "09121234567"); err != nil {
				t.Fatal(err)
			}
			c.Advance(tc.after / 2)
			c.Jump(tc.jump)
			c.Advance(tc.after - tc.after/2)
			if tc.restart {
				s.sent = map[string]issue{}
			}
			st, err := s.Send(ctx, "s", "09121234567")
			if tc.want == "" {
				if err != nil {
					t.Fatalf("resend refused: %v", err)
				}
				if _, err := s.Verify(ctx, "s", st.DemoCode); err != nil {
					t.Fatalf("the resent code is refused: %v", err)
				}
				return
			}
			wantKey(t, err, tc.want)
		})
	}
}
