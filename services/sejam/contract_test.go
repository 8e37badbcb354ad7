package sejam_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/locales"
	"github.com/ehraz/ehraz/services/apicall"
	"github.com/ehraz/ehraz/services/sejam"
	"github.com/ehraz/ehraz/services/servicetest"
	"github.com/ehraz/ehraz/services/simulator"
	"github.com/ehraz/ehraz/services/sms"
)

type rig struct {
	client *sejam.Client
	sms    *sms.Console
	sim    *simulator.Running
}

func start(t *testing.T, reveal bool) rig {
	t.Helper()
	ids, err := simulator.DefaultSeed()
	if err != nil {
		t.Fatal(err)
	}
	con := sms.NewConsole(50)
	srv, err := simulator.New(simulator.Config{SMS: con, RevealCodes: reveal, SlowDelay: 2 * time.Second}, ids)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	run, err := simulator.Start(ctx, "127.0.0.1:0", srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); run.Close() })
	c, err := sejam.New(sejam.Config{BaseURL: run.URL + "/sejam/v1", Username: "ehraz", Password: "ehraz-demo",
		ShahkarURL: run.URL + "/shahkar/v1", ShahkarKey: "ehraz-demo-key",
		// 1 s, not 300 ms: under the race detector on a loaded machine a call can take longer;
		// the simulator's slow answers (2 s) still time out.
		Policy: apicall.Policy{Timeout: time.Second, Retries: 2, Backoff: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	return rig{client: c, sms: con, sim: run}
}

var key = servicetest.Key

func TestHappyPath(t *testing.T) {
	r := start(t, false)
	ctx := context.Background()
	st, err := r.client.RequestOTP(ctx, "0015260186", "1402000001", "09121234567")
	if err != nil {
		t.Fatal(err)
	}
	if st.DemoCode != "" {
		t.Error("demo code revealed although RevealCodes is off")
	}
	if st.AttemptsLeft != 5 || time.Until(st.ExpiresAt) < 100*time.Second || time.Until(st.ResendAt) < 50*time.Second {
		t.Errorf("state %+v", st)
	}
	msg, ok := r.sms.Last("09121234567")
	if !ok || msg.Message.Template != "sejam-kyc" {
		t.Fatalf("SEJAM code not sent by SMS: %+v", msg)
	}
	code := msg.Message.Tokens[0]
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if _, err := r.client.Profile(ctx, "0015260186", wrong); key(err) != "sejam.otp_wrong" {
		t.Fatalf("wrong code: %v", err)
	}
	p, err := r.client.Profile(ctx, "0015260186", code)
	if err != nil {
		t.Fatal(err)
	}
	want := kyc.Person{NationalCode: "0015260186", FirstName: "سارا", LastName: "احمدی", FatherName: "علی", Gender: "female",
		BirthDate: "1370/05/12", PlaceOfBirth: "تهران", Type: kyc.NaturalPerson, Nationality: "IR", Mobile: "09121234567"}
	if p != want {
		t.Errorf("profile\n got %+v\nwant %+v", p, want)
	}
	// A code is single-use.
	if _, err := r.client.Profile(ctx, "0015260186", code); key(err) != "sejam.otp_not_requested" {
		t.Errorf("reused code: %v", err)
	}
}

func TestRevealCodesForDemo(t *testing.T) {
	r := start(t, true)
	st, err := r.client.RequestOTP(context.Background(), "0015260186", "1402000001", "09121234567")
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := r.sms.Last("09121234567")
	if st.DemoCode == "" || st.DemoCode != msg.Message.Tokens[0] {
		t.Errorf("demo code %q, sent %q", st.DemoCode, msg.Message.Tokens)
	}
}

// TestEveryError runs the client against the simulator for every refusal SEJAM and Shahkar give.
func TestEveryError(t *testing.T) {
	r := start(t, false)
	cases := []struct {
		name, nc, tracking, mobile, want string
	}{
		{"not registered", "0030166136", "1402000003", "09121234567", "sejam.not_registered"},
		{"tracking code mismatch", "0015260186", "9999999999", "09121234567", "sejam.tracking_mismatch"},
		{"tracking code empty", "0015260186", "", "09121234567", "sejam.tracking_mismatch"},
		{"mobile typed is not the person's", "0015260186", "1402000001", "09350000000", "sejam.mobile_not_owned"},
		{"SEJAM mobile not owned per Shahkar", "0041860918", "1402000004", "09131112233", "sejam.mobile_not_owned"},
		{"service down", "0095181903", "1402000009", "09121110009", "sejam.unavailable"},
		{"slow past the timeout", "0109378652", "1402000010", "09121110010", "sejam.timeout"},
		{"flaky recovers by retrying", "0122319486", "1402000012", "09121110012", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.client.RequestOTP(context.Background(), kyc.NationalCode(tc.nc), kyc.TrackingCode(tc.tracking), kyc.Mobile(tc.mobile))
			if got := key(err); got != tc.want {
				t.Errorf("key %q (err %v), want %q", got, err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), tc.nc) {
				t.Errorf("error text carries the national code: %v", err)
			}
		})
	}
}

func TestOTPRules(t *testing.T) {
	r := start(t, false)
	ctx := context.Background()
	if _, err := r.client.RequestOTP(ctx, "0021590834", "1402000002", "09351234567"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.client.RequestOTP(ctx, "0021590834", "1402000002", "09351234567"); key(err) != "sejam.otp_resend_too_soon" {
		t.Errorf("resend at once: %v", err)
	}
	for i := range 5 {
		if _, err := r.client.Profile(ctx, "0021590834", "12345"); key(err) != "sejam.otp_wrong" {
			t.Fatalf("try %d: %v", i, err)
		}
	}
	msg, _ := r.sms.Last("09351234567")
	if _, err := r.client.Profile(ctx, "0021590834", msg.Message.Tokens[0]); key(err) != "sejam.otp_too_many" {
		t.Errorf("after 5 wrong tries the right code: %v", err)
	}
}

// TestKeysHavePersianText fails when a key this client returns has no real Persian text.
func TestKeysHavePersianText(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"sejam.not_registered", "sejam.tracking_mismatch", "sejam.mobile_not_owned",
		"sejam.unavailable", "sejam.timeout", "sejam.otp_wrong", "sejam.otp_expired", "sejam.otp_too_many",
		"sejam.otp_not_requested", "sejam.otp_resend_too_soon", "sejam.rate_limited"} {
		if !cat.Has("fa", k) || !cat.Has("en", k) {
			t.Errorf("%s missing from a locale file", k)
			continue
		}
		if !strings.ContainsFunc(cat.T("fa", k), func(r rune) bool { return unicode.Is(unicode.Arabic, r) }) {
			t.Errorf("%s: fa text %q is not Persian", k, cat.T("fa", k))
		}
	}
}

// TestCodeExpires moves the simulator's clock past the code's two minutes.
func TestCodeExpires(t *testing.T) {
	ids, err := simulator.DefaultSeed()
	if err != nil {
		t.Fatal(err)
	}
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	con := sms.NewConsole(5)
	srv, err := simulator.New(simulator.Config{SMS: con, Now: clock}, ids)
	if err != nil {
		t.Fatal(err)
	}
	run, err := simulator.Start(context.Background(), "127.0.0.1:0", srv)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	c, err := sejam.New(sejam.Config{BaseURL: run.URL + "/sejam/v1", Username: "ehraz", Password: "ehraz-demo",
		ShahkarURL: run.URL + "/shahkar/v1", ShahkarKey: "ehraz-demo-key"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.RequestOTP(ctx, "0015260186", "1402000001", "09121234567"); err != nil {
		t.Fatal(err)
	}
	msg, _ := con.Last("09121234567")
	offset.Store(int64(2*time.Minute + time.Second))
	if _, err := c.Profile(ctx, "0015260186", msg.Message.Tokens[0]); key(err) != "sejam.otp_expired" {
		t.Errorf("expired code: %v", err)
	}
	// The access token (1 h) also expires: the client logs in again by itself.
	offset.Store(int64(2 * time.Hour))
	if _, err := c.RequestOTP(ctx, "0015260186", "1402000001", "09121234567"); err != nil {
		t.Errorf("after the token expired: %v", err)
	}
}
