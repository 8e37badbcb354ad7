package eligibility

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	jalaali "github.com/jalaali/go-jalaali"

	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/domain/problem"
)

// Noon on 24 Nov 2026 in Tehran, which is 3 Azar 1405.
var now = time.Date(2026, 11, 24, 8, 30, 0, 0, time.UTC)

func TestCalendarAnchor(t *testing.T) {
	y, m, d, err := jalaali.ToJalaali(2026, time.November, 24)
	if err != nil || y != 1405 || m != 9 || d != 3 {
		t.Fatalf("24 Nov 2026 = %d/%d/%d (%v), want 1405/9/3", y, m, d, err)
	}
}

func TestAgeOn(t *testing.T) {
	cases := []struct {
		birth string
		at    time.Time
		want  int
		bad   bool
	}{
		{"1387/09/03", now, 18, false},                                    // 18th birthday today
		{"1387/09/04", now, 17, false},                                    // tomorrow
		{"1387/09/02", now, 18, false},                                    // yesterday
		{"۱۳۸۷/۰۹/۰۳", now, 18, false},                                    // Persian digits
		{"1370/05/12", now, 35, false},                                    //
		{"1387/09/04", now.Add(12*time.Hour + 30*time.Minute), 18, false}, // 21:00 UTC is 00:30 on 4 Azar in Tehran
		{"1399/12/30", now, 5, false},                                     // leap day exists in 1399
		{"1400/12/30", now, 0, true},                                      // 1400 is a common year
		{"1387/07/31", now, 0, true},                                      // Mehr has 30 days
		{"1387/13/01", now, 0, true},
		{"1387-09-03", now, 18, false},
		{"87/09/03", now, 0, true},
		{"", now, 0, true},
		{"1406/01/01", now, 0, true}, // future
	}
	for _, tc := range cases {
		got, err := AgeOn(tc.birth, tc.at)
		if (err != nil) != tc.bad || (!tc.bad && got != tc.want) {
			t.Errorf("AgeOn(%q, %s) = %d, %v; want %d (error %v)", tc.birth, tc.at, got, err, tc.want, tc.bad)
		}
	}
}

// history is a verification history held in memory.
type history map[string]bool

func (h history) Verified(_ context.Context, nc string) (bool, error) {
	if nc == "broken" {
		return false, errors.New("disk on fire")
	}
	return h[nc], nil
}

func key(err error) string {
	var fe *problem.Error
	if errors.As(err, &fe) {
		return fe.Key
	}
	if err != nil {
		return "not a problem.Error: " + err.Error()
	}
	return ""
}

func adult() kyc.Person {
	return kyc.Person{NationalCode: "0015260186", BirthDate: "1370/05/12", Type: kyc.NaturalPerson, Nationality: "IR"}
}

func TestPersonRules(t *testing.T) {
	c, err := New(Config{Mode: "kiosk", InBranch: true}, nil, history{"0021590834": true})
	if err != nil {
		t.Fatal(err)
	}
	mod := func(f func(*kyc.Person)) kyc.Person { p := adult(); f(&p); return p }
	cases := []struct {
		name string
		p    kyc.Person
		want string
	}{
		{"adult Iranian", adult(), ""},
		{"18 today", mod(func(p *kyc.Person) { p.BirthDate = "1387/09/03" }), ""},
		{"18 tomorrow", mod(func(p *kyc.Person) { p.BirthDate = "1387/09/04" }), "eligibility.under_18"},
		{"child", mod(func(p *kyc.Person) { p.BirthDate = "1395/03/10" }), "eligibility.under_18"},
		{"legal person", mod(func(p *kyc.Person) { p.Type = kyc.LegalPerson }), "eligibility.legal_person"},
		{"unknown type", mod(func(p *kyc.Person) { p.Type = "" }), "eligibility.legal_person"},
		{"foreign type", mod(func(p *kyc.Person) { p.Type = kyc.ForeignPerson }), "eligibility.foreign_national"},
		{"foreign nationality", mod(func(p *kyc.Person) { p.Nationality = "AF" }), "eligibility.foreign_national"},
		{"bad birth date", mod(func(p *kyc.Person) { p.BirthDate = "1370/02/32" }), "eligibility.birth_date_invalid"},
		{"already verified", mod(func(p *kyc.Person) { p.NationalCode = "0021590834" }), "eligibility.already_verified"},
		{"history unavailable", mod(func(p *kyc.Person) { p.NationalCode = "broken" }), "eligibility.unavailable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := key(c.Check(context.Background(), tc.p, now)); got != tc.want {
				t.Errorf("key %q, want %q", got, tc.want)
			}
		})
	}
}

// countries is a country lookup held in memory: the address's country, "" for none.
type countries map[string]string

func (c countries) Country(ip netip.Addr) (string, error) {
	if ip.String() == "198.51.100.66" {
		return "", errors.New("lookup failed")
	}
	return c[ip.Unmap().String()], nil
}

// TestIPRule applies the rule with an in-memory lookup; services/geoip runs the same cases
// against the real country database.
func TestIPRule(t *testing.T) {
	geo := countries{"2.176.0.1": "IR", "2a01:5ec0::1": "IR", "5.160.0.1": "IR", "8.8.8.8": "US", "8.8.4.4": "US"}
	online, err := New(Config{Mode: "online", AllowNetworks: []string{"203.0.113.0/24"}}, geo, history{})
	if err != nil {
		t.Fatal(err)
	}
	branch, err := New(Config{Mode: "kiosk", InBranch: true}, geo, history{})
	if err != nil {
		t.Fatal(err)
	}
	office, err := New(Config{Mode: "kiosk", InBranch: false, PublicIP: "8.8.4.4"}, geo, history{})
	if err != nil {
		t.Fatal(err)
	}
	listOnly, err := New(Config{Mode: "online", AllowNetworks: []string{"203.0.113.0/24"}}, nil, history{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		c    *Checker
		ip   string // "" = none in the context
		want string
	}{
		{"online from Iran", online, "2.176.0.1", ""},
		{"online from Iran over IPv6", online, "2a01:5ec0::1", ""},
		{"online from Iran, IPv4-mapped", online, "::ffff:2.176.0.1", ""},
		{"online from abroad", online, "8.8.8.8", "eligibility.ip_outside_iran"},
		{"online from allow-listed network", online, "203.0.113.9", ""},
		{"online from a private address", online, "192.168.1.1", "eligibility.ip_outside_iran"},
		{"online without an address", online, "", "eligibility.ip_unknown"},
		{"lookup fails", online, "198.51.100.66", "eligibility.ip_unknown"},
		{"allow-list only, inside", listOnly, "203.0.113.9", ""},
		{"allow-list only, outside", listOnly, "2.176.0.1", "eligibility.ip_unknown"},
		{"branch kiosk skips the rule", branch, "8.8.8.8", ""},
		{"branch kiosk without address", branch, "", ""},
		{"office kiosk uses its public address", office, "", "eligibility.ip_outside_iran"},
		{"office kiosk with an Iranian client address", office, "5.160.0.1", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.ip != "" {
				ctx = WithClientIP(ctx, netip.MustParseAddr(tc.ip))
			}
			if got := key(tc.c.Check(ctx, adult(), now)); got != tc.want {
				t.Errorf("key %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPrefixes(t *testing.T) {
	p, err := Prefixes([]string{"10.0.0.0/8", " 192.168.5.7 ", "", "2001:db8::/32"})
	if err != nil || len(p) != 3 {
		t.Fatalf("%v %v", p, err)
	}
	if !p[1].Contains(netip.MustParseAddr("192.168.5.7")) || p[1].Contains(netip.MustParseAddr("192.168.5.8")) {
		t.Error("bare address is not a /32")
	}
	if _, err := Prefixes([]string{"10.0.0.0/33"}); err == nil {
		t.Error("bad prefix accepted")
	}
}

func TestNewRefusesIPRuleWithoutDatabase(t *testing.T) {
	if _, err := New(Config{Mode: "online"}, nil, history{}); err == nil {
		t.Error("online mode without a geoip database accepted")
	}
	if _, err := New(Config{Mode: "kiosk", InBranch: true}, nil, nil); err == nil {
		t.Error("missing history accepted")
	}
}
