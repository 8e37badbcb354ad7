package sejam_test

import (
	"context"
	"testing"
	"time"

	"github.com/ehraz/ehraz/domain/eligibility"
	"github.com/ehraz/ehraz/domain/kyc"
)

type noHistory struct{}

func (noHistory) Verified(context.Context, string) (bool, error) { return false, nil }

// TestSeededProfilesAgainstRules fetches the seeded profiles through this client and the
// simulator and applies domain/eligibility's rules to them: the under-18, legal-person and
// foreign-national identities must be refused with their keys.
func TestSeededProfilesAgainstRules(t *testing.T) {
	client := start(t, true).client
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
		if got := key(err); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.nc, got, tc.want)
		}
	}
}
