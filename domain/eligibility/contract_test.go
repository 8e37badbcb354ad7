package eligibility_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/domain/eligibility"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/services/sejam"
	"github.com/ehraz/ehraz/services/simulator"
	"github.com/ehraz/ehraz/services/sms"
)

type noHistory struct{}

func (noHistory) Verified(context.Context, string) (bool, error) { return false, nil }

// TestSeededProfilesAgainstRules fetches the seeded profiles through the real SEJAM client and
// the simulator and applies the eligibility rules: the under-18, legal-person and
// foreign-national identities must be refused with their keys.
func TestSeededProfilesAgainstRules(t *testing.T) {
	ids, err := simulator.DefaultSeed()
	if err != nil {
		t.Fatal(err)
	}
	con := sms.NewConsole(20)
	srv, err := simulator.New(simulator.Config{SMS: con, RevealCodes: true}, ids)
	if err != nil {
		t.Fatal(err)
	}
	run, err := simulator.Start(context.Background(), "127.0.0.1:0", srv)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	client, err := sejam.New(sejam.Config{BaseURL: run.URL + "/sejam/v1", Username: "ehraz", Password: "ehraz-demo",
		ShahkarURL: run.URL + "/shahkar/v1", ShahkarKey: "ehraz-demo-key"})
	if err != nil {
		t.Fatal(err)
	}
	check, err := eligibility.New(eligibility.Config{Mode: "kiosk", InBranch: true}, nil, noHistory{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ nc, tracking, mobile, want string }{
		{"0015260186", "1402000001", "09121234567", ""},
		{"0053909968", "1402000005", "09121110005", "eligibility.under_18"},
		{"0060308249", "1402000006", "09121110006", "eligibility.legal_person"},
		{"0076281949", "1402000007", "09121110007", "eligibility.foreign_national"},
	}
	for _, tc := range cases {
		ctx := context.Background()
		st, err := client.RequestOTP(ctx, kyc.NationalCode(tc.nc), kyc.TrackingCode(tc.tracking), kyc.Mobile(tc.mobile))
		if err != nil {
			t.Fatalf("%s: %v", tc.nc, err)
		}
		p, err := client.Profile(ctx, kyc.NationalCode(tc.nc), st.DemoCode)
		if err != nil {
			t.Fatalf("%s: %v", tc.nc, err)
		}
		err = check.Check(ctx, p, time.Now())
		var fe *flow.Error
		got := ""
		if errors.As(err, &fe) {
			got = fe.Key
		} else if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.nc, got, tc.want)
		}
	}
}
