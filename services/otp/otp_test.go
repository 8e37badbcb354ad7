package otp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/domain/problem"
	"github.com/ehraz/ehraz/services/servicetest"
	"github.com/ehraz/ehraz/services/sms"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

var key = []byte("0123456789abcdef0123456789abcdef")

func newService(t *testing.T, cfg Config) (*Service, *clock, *sms.Console) {
	t.Helper()
	db := servicetest.OpenDB(t)
	c := &clock{t: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}
	con := sms.NewConsole(10)
	cfg.KioskID = "kiosk-test"
	s, err := New(db, con, key, cfg, c.now)
	if err != nil {
		t.Fatal(err)
	}
	return s, c, con
}

func wantKey(t *testing.T, err error, key string) {
	t.Helper()
	var fe *problem.Error
	if !errors.As(err, &fe) || fe.Key != key {
		t.Fatalf("err = %v, want locale key %s", err, key)
	}
}

func TestSendAndVerify(t *testing.T) {
	s, _, con := newService(t, Config{})
	ctx := context.Background()
	st, err := s.Send(ctx, "sess-1", "09121234567")
	if err != nil {
		t.Fatal(err)
	}
	if len(st.DemoCode) != 6 || st.AttemptsLeft != 5 {
		t.Fatalf("state %+v", st)
	}
	if m, ok := con.Last("09121234567"); !ok || m.Message.Tokens[0] != st.DemoCode || m.Message.Template != "ehraz-otp" {
		t.Fatalf("console got %+v", m)
	}
	// Neither the code nor the number is stored in clear.
	var dump string
	if err := s.db.QueryRow(`SELECT group_concat(hex(mobile_hash) || hex(salt) || hex(code_hash) || session_id) FROM otp_codes`).Scan(&dump); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(dump, st.DemoCode) || strings.Contains(dump, "09121234567") {
		t.Error("code or number stored in clear")
	}
	// Persian digits are accepted.
	fa := strings.Map(func(r rune) rune { return '۰' + (r - '0') }, st.DemoCode)
	if _, err := s.Verify(ctx, "sess-1", fa); err != nil {
		t.Fatalf("right code in Persian digits: %v", err)
	}
	_, err = s.Verify(ctx, "sess-1", st.DemoCode)
	wantKey(t, err, "otp.already_used")
	_, err = s.Verify(ctx, "other-session", st.DemoCode)
	wantKey(t, err, "otp.not_requested")
}

func TestTriesRunOut(t *testing.T) {
	s, _, _ := newService(t, Config{})
	ctx := context.Background()
	st, err := s.Send(ctx, "s", "09121234567")
	if err != nil {
		t.Fatal(err)
	}
	wrong := "000000"
	if st.DemoCode == wrong {
		wrong = "111111"
	}
	for left := 4; left >= 1; left-- {
		got, err := s.Verify(ctx, "s", wrong)
		wantKey(t, err, "otp.wrong_code")
		if got.AttemptsLeft != left {
			t.Fatalf("attempts left %d, want %d", got.AttemptsLeft, left)
		}
	}
	_, err = s.Verify(ctx, "s", wrong)
	wantKey(t, err, "otp.too_many_attempts")
	// The right code no longer helps.
	_, err = s.Verify(ctx, "s", st.DemoCode)
	wantKey(t, err, "otp.too_many_attempts")
}

func TestExpiryAndResend(t *testing.T) {
	s, c, _ := newService(t, Config{})
	ctx := context.Background()
	first, err := s.Send(ctx, "s", "09121234567")
	if err != nil {
		t.Fatal(err)
	}
	c.advance(30 * time.Second)
	_, err = s.Send(ctx, "s", "09121234567")
	wantKey(t, err, "otp.resend_too_soon")
	var fe *problem.Error
	errors.As(err, &fe)
	if len(fe.Args) != 2 || fe.Args[1] != "30" {
		t.Errorf("args %v, want seconds=30", fe.Args)
	}
	c.advance(91 * time.Second) // 2m01s after the first code
	_, err = s.Verify(ctx, "s", first.DemoCode)
	wantKey(t, err, "otp.expired")
	second, err := s.Send(ctx, "s", "09121234567")
	if err != nil {
		t.Fatalf("resend after cooldown: %v", err)
	}
	if second.DemoCode != first.DemoCode {
		_, err = s.Verify(ctx, "s", first.DemoCode)
		wantKey(t, err, "otp.wrong_code")
	}
	if _, err := s.Verify(ctx, "s", second.DemoCode); err != nil {
		t.Fatalf("new code: %v", err)
	}
}

func TestRateLimits(t *testing.T) {
	s, c, _ := newService(t, Config{PerNumber: 3, PerKiosk: 5})
	ctx := context.Background()
	for i := range 3 {
		if _, err := s.Send(ctx, "n"+string(rune('a'+i)), "09121234567"); err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.Send(ctx, "n-x", "09121234567")
	wantKey(t, err, "otp.rate_limited_number")
	for i := range 2 {
		if _, err := s.Send(ctx, "k"+string(rune('a'+i)), kyc.Mobile("0935000000"+string(rune('0'+i)))); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.Send(ctx, "k-x", "09390000009")
	wantKey(t, err, "otp.rate_limited_kiosk")
	c.advance(61 * time.Minute) // the window slides past every send
	if _, err := s.Send(ctx, "later", "09121234567"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestSMSFailureLeavesNoCode(t *testing.T) {
	db := servicetest.OpenDB(t)
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	gw, err := sms.NewGateway(sms.GatewayConfig{BaseURL: down.URL, APIKey: "k", Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(db, gw, key, Config{KioskID: "k"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Send(context.Background(), "s", "09121234567")
	wantKey(t, err, "sms.unavailable")
	_, err = s.Verify(context.Background(), "s", "123456")
	wantKey(t, err, "otp.not_requested")
}

func TestNewRejectsShortKey(t *testing.T) {
	if _, err := New(servicetest.OpenDB(t), sms.NewConsole(1), []byte("short"), Config{}, nil); err == nil {
		t.Error("short key accepted")
	}
}

func TestForgetAndPurge(t *testing.T) {
	s, c, _ := newService(t, Config{})
	ctx := context.Background()
	if _, err := s.Send(ctx, "a", "09121234567"); err != nil {
		t.Fatal(err)
	}
	if err := s.Forget(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	_, err := s.Verify(ctx, "a", "123456")
	wantKey(t, err, "otp.not_requested")
	if _, err := s.Send(ctx, "b", "09121234567"); err != nil {
		t.Fatal(err)
	}
	c.advance(25 * time.Hour)
	if _, err := s.Send(ctx, "c", "09350000000"); err != nil {
		t.Fatal(err)
	}
	var codes, sends int
	s.db.QueryRow(`SELECT count(*) FROM otp_codes`).Scan(&codes)
	s.db.QueryRow(`SELECT count(*) FROM otp_sends`).Scan(&sends)
	if codes != 1 || sends != 1 {
		t.Errorf("after a day: %d codes, %d sends kept; want 1 and 1", codes, sends)
	}
}

// TestExactInstants: a code is good up to the millisecond before its expiry and refused at the
// expiry instant itself; a resend is refused the millisecond before the cooldown ends and allowed
// at its end (issue 18: a code accepted at exactly its expiry survived the tests).
func TestExactInstants(t *testing.T) {
	ctx := context.Background()
	t.Run("expiry", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			after time.Duration
			key   string
		}{
			{"1 ms before", 2*time.Minute - time.Millisecond, ""},
			{"at expiry", 2 * time.Minute, "otp.expired"},
			{"1 ms after", 2*time.Minute + time.Millisecond, "otp.expired"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s, c, _ := newService(t, Config{})
				st, err := s.Send(ctx, "s", "09121234567")
				if err != nil {
					t.Fatal(err)
				}
				if got := st.ExpiresAt.Sub(c.now()); got != 2*time.Minute {
					t.Fatalf("expires after %v, want 2m", got)
				}
				c.advance(tc.after)
				_, err = s.Verify(ctx, "s", st.DemoCode)
				if tc.key == "" {
					if err != nil {
						t.Fatalf("valid code refused: %v", err)
					}
					return
				}
				wantKey(t, err, tc.key)
			})
		}
	})
	// The real clock is not on whole milliseconds (the database keeps milliseconds): the instants
	// the service reports are the ones it enforces, to the nanosecond on either side.
	t.Run("reported instants off the millisecond", func(t *testing.T) {
		for _, off := range []time.Duration{0, time.Nanosecond, 700 * time.Microsecond, time.Millisecond - time.Nanosecond} {
			t.Run(off.String(), func(t *testing.T) {
				s, c, _ := newService(t, Config{})
				c.advance(off)
				sent := c.now()
				st, err := s.Send(ctx, "s", "09121234567")
				if err != nil {
					t.Fatal(err)
				}
				if d := st.ExpiresAt.Sub(sent); d > 2*time.Minute || d <= 2*time.Minute-time.Millisecond {
					t.Fatalf("expires %v after sending, want 2m (to the millisecond, never later)", d)
				}
				c.t = st.ResendAt.Add(-time.Nanosecond)
				_, err = s.Send(ctx, "s", "09121234567")
				wantKey(t, err, "otp.resend_too_soon")

				s, c, _ = newService(t, Config{})
				c.advance(off)
				st, err = s.Send(ctx, "s", "09121234567")
				if err != nil {
					t.Fatal(err)
				}
				c.t = st.ResendAt
				if _, err := s.Send(ctx, "s", "09121234567"); err != nil {
					t.Fatalf("resend at the reported ResendAt: %v", err)
				}

				s, c, _ = newService(t, Config{})
				c.advance(off)
				st, err = s.Send(ctx, "s", "09121234567")
				if err != nil {
					t.Fatal(err)
				}
				c.t = st.ExpiresAt.Add(-time.Nanosecond)
				if _, err := s.Verify(ctx, "s", st.DemoCode); err != nil {
					t.Fatalf("code refused 1ns before the reported expiry: %v", err)
				}

				s, c, _ = newService(t, Config{})
				c.advance(off)
				st, err = s.Send(ctx, "s", "09121234567")
				if err != nil {
					t.Fatal(err)
				}
				c.t = st.ExpiresAt
				_, err = s.Verify(ctx, "s", st.DemoCode)
				wantKey(t, err, "otp.expired")
			})
		}
	})
	t.Run("resend cooldown", func(t *testing.T) {
		s, c, _ := newService(t, Config{})
		if _, err := s.Send(ctx, "s", "09121234567"); err != nil {
			t.Fatal(err)
		}
		c.advance(60*time.Second - time.Millisecond)
		_, err := s.Send(ctx, "s", "09121234567")
		wantKey(t, err, "otp.resend_too_soon")
		c.advance(time.Millisecond)
		if _, err := s.Send(ctx, "s", "09121234567"); err != nil {
			t.Fatalf("resend at the end of the cooldown: %v", err)
		}
	})
}
