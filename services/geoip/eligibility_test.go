package geoip

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/ehraz/ehraz/domain/eligibility"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/services/servicetest"
)

var _ eligibility.CountryLookup = (*DB)(nil)

type noHistory struct{}

func (noHistory) Verified(context.Context, string) (bool, error) { return false, nil }

var key = servicetest.Key

// TestIPRule applies the eligibility IP rule with the real country database.
func TestIPRule(t *testing.T) {
	// Noon on 24 Nov 2026 in Tehran; the applicant is an adult Iranian natural person.
	now := time.Date(2026, 11, 24, 8, 30, 0, 0, time.UTC)
	adult := kyc.Person{NationalCode: "0015260186", BirthDate: "1370/05/12", Type: kyc.NaturalPerson, Nationality: "IR"}
	geo := testDB(t)
	online, err := eligibility.New(eligibility.Config{Mode: "online", AllowNetworks: []string{"203.0.113.0/24"}}, geo, noHistory{})
	if err != nil {
		t.Fatal(err)
	}
	branch, err := eligibility.New(eligibility.Config{Mode: "kiosk", InBranch: true}, geo, noHistory{})
	if err != nil {
		t.Fatal(err)
	}
	office, err := eligibility.New(eligibility.Config{Mode: "kiosk", InBranch: false, PublicIP: "8.8.4.4"}, geo, noHistory{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		c    *eligibility.Checker
		ip   string // "" = none in the context
		want string
	}{
		{"online from Iran", online, "2.176.0.1", ""},
		{"online from Iran over IPv6", online, "2a01:5ec0::1", ""},
		{"online from abroad", online, "8.8.8.8", "eligibility.ip_outside_iran"},
		{"online from allow-listed network", online, "203.0.113.9", ""},
		{"online from a private address", online, "192.168.1.1", "eligibility.ip_outside_iran"},
		{"online without an address", online, "", "eligibility.ip_unknown"},
		{"branch kiosk skips the rule", branch, "8.8.8.8", ""},
		{"branch kiosk without address", branch, "", ""},
		{"office kiosk uses its public address", office, "", "eligibility.ip_outside_iran"},
		{"office kiosk with an Iranian client address", office, "5.160.0.1", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.ip != "" {
				ctx = eligibility.WithClientIP(ctx, netip.MustParseAddr(tc.ip))
			}
			if got := key(tc.c.Check(ctx, adult, now)); got != tc.want {
				t.Errorf("key %q, want %q", got, tc.want)
			}
		})
	}
}
