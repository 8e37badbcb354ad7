// Package eligibility decides whether a person may use remote identity verification: aged 18
// or over on the Jalali calendar, an Iranian natural person, at most one remote verification
// per national code, and — for online use, or a kiosk outside a branch — a client address
// inside Iran by a country lookup or a configured allow-list. It implements the kiosk flow's
// Eligibility port and is the rule the back office's intake enforces too; a rejection is a
// *problem.Error with an "eligibility.*" locale key. It talks to the world only through the two
// interfaces it defines: CountryLookup (services/geoip's *DB) and History (the kiosk's outbox).
package eligibility

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/domain/problem"
)

// Config holds the rules that differ between deployments.
type Config struct {
	// Mode is "kiosk" or "online" (as config.Config.Mode).
	Mode string `toml:"-"`
	// InBranch says the kiosk stands inside a branch on the brokerage's own network: only then
	// is the IP rule skipped in kiosk mode.
	InBranch bool `toml:"in_branch"`
	// PublicIP is the address a kiosk outside a branch reaches the internet from, used when the
	// request carries no client address.
	PublicIP string `toml:"public_ip"`
	// AllowCountries are the accepted ISO country codes ["IR"].
	AllowCountries []string `toml:"allow_countries"`
	// AllowNetworks are CIDRs accepted whatever the database says (the brokerage's ranges,
	// a counter-service office's line).
	AllowNetworks []string `toml:"allow_networks"`
	// MinAge is the minimum age in Jalali years [18].
	MinAge int `toml:"min_age"`
}

// History answers whether a national code already completed a remote verification.
type History interface {
	Verified(ctx context.Context, nationalCode string) (bool, error)
}

// CountryLookup tells which country an address is in: its ISO 3166-1 alpha-2 code, "" when
// the address has none. services/geoip's *DB is one.
type CountryLookup interface {
	Country(ip netip.Addr) (string, error)
}

// Checker implements the flow's Eligibility port.
type Checker struct {
	cfg       Config
	geo       CountryLookup
	allow     []netip.Prefix
	countries map[string]bool
	publicIP  netip.Addr
	hist      History
}

// New returns the checker. geo may be nil only when the IP rule never applies (an in-branch
// kiosk) or the allow-list is all that is accepted; hist is required.
func New(cfg Config, geo CountryLookup, hist History) (*Checker, error) {
	if cfg.Mode != "kiosk" && cfg.Mode != "online" {
		return nil, fmt.Errorf("eligibility: mode %q: want kiosk or online", cfg.Mode)
	}
	if hist == nil {
		return nil, fmt.Errorf("eligibility: a verification history is required")
	}
	if cfg.MinAge <= 0 {
		cfg.MinAge = 18
	}
	if len(cfg.AllowCountries) == 0 {
		cfg.AllowCountries = []string{"IR"}
	}
	allow, err := Prefixes(cfg.AllowNetworks)
	if err != nil {
		return nil, fmt.Errorf("eligibility: %w", err)
	}
	c := &Checker{cfg: cfg, geo: geo, allow: allow, hist: hist, countries: map[string]bool{}}
	for _, cc := range cfg.AllowCountries {
		c.countries[strings.ToUpper(cc)] = true
	}
	if cfg.PublicIP != "" {
		if c.publicIP, err = netip.ParseAddr(cfg.PublicIP); err != nil {
			return nil, fmt.Errorf("eligibility: public_ip: %w", err)
		}
	}
	if c.ipRuleApplies() && geo == nil && len(allow) == 0 {
		return nil, fmt.Errorf("eligibility: the IP rule applies (mode %s, in_branch %v) but no geoip database is configured", cfg.Mode, cfg.InBranch)
	}
	return c, nil
}

func (c *Checker) ipRuleApplies() bool { return c.cfg.Mode == "online" || !c.cfg.InBranch }

type clientIPKey struct{}

// WithClientIP records the applicant's network address for the IP rule (the online front end
// sets it from the connection).
func WithClientIP(ctx context.Context, ip netip.Addr) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// ClientIP returns the address recorded by WithClientIP.
func ClientIP(ctx context.Context) (netip.Addr, bool) {
	ip, ok := ctx.Value(clientIPKey{}).(netip.Addr)
	return ip, ok && ip.IsValid()
}

// Check implements the flow's Eligibility port.
func (c *Checker) Check(ctx context.Context, p kyc.Person, now time.Time) error {
	switch {
	case p.Type == kyc.LegalPerson:
		return problem.New("eligibility.legal_person")
	case p.Type == kyc.ForeignPerson || (p.Nationality != "" && !strings.EqualFold(p.Nationality, "IR")):
		return problem.New("eligibility.foreign_national")
	case p.Type != kyc.NaturalPerson:
		// An unknown type is not a natural person as far as anyone can tell.
		return problem.Wrap("eligibility.legal_person", fmt.Errorf("person type %q", p.Type))
	}
	age, err := AgeOn(p.BirthDate, now)
	if err != nil {
		return problem.Wrap("eligibility.birth_date_invalid", err)
	}
	if age < c.cfg.MinAge {
		return problem.New("eligibility.under_18", "min", fmt.Sprint(c.cfg.MinAge))
	}
	if c.ipRuleApplies() {
		ip, ok := ClientIP(ctx)
		if !ok {
			ip = c.publicIP
		}
		if err := c.CheckIP(ip); err != nil {
			return err
		}
	}
	done, err := c.hist.Verified(ctx, string(p.NationalCode))
	if err != nil {
		return problem.Wrap("eligibility.unavailable", fmt.Errorf("verification history: %w", err))
	}
	if done {
		return problem.New("eligibility.already_verified")
	}
	return nil
}

// CheckIP applies the IP rule to one address: inside an allow-listed network, or in an
// allowed country by the lookup.
func (c *Checker) CheckIP(ip netip.Addr) error {
	return IPRule{Geo: c.geo, Allow: c.allow, Countries: c.countries}.Check(ip)
}

// IPRule is the IP rule on its own, shared with the intake server.
type IPRule struct {
	Geo       CountryLookup // nil: only the allow-list is accepted
	Allow     []netip.Prefix
	Countries map[string]bool // ISO codes; nil means {"IR"}
}

// Check returns nil when ip is allowed.
func (r IPRule) Check(ip netip.Addr) error {
	if !ip.IsValid() {
		return problem.New("eligibility.ip_unknown")
	}
	ip = ip.Unmap()
	for _, p := range r.Allow {
		if p.Contains(ip) {
			return nil
		}
	}
	if r.Geo == nil {
		return problem.Wrap("eligibility.ip_unknown", fmt.Errorf("no geoip database"))
	}
	cc, err := r.Geo.Country(ip)
	if err != nil {
		return problem.Wrap("eligibility.ip_unknown", err)
	}
	countries := r.Countries
	if countries == nil {
		countries = map[string]bool{"IR": true}
	}
	if !countries[cc] {
		return problem.Wrap("eligibility.ip_outside_iran", fmt.Errorf("country %q", cc))
	}
	return nil
}

// Prefixes parses allow-list entries: CIDRs ("5.160.0.0/14", "2a01:5ec0::/29") or bare
// addresses (a single host). Blank entries are skipped.
func Prefixes(cidrs []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(cidrs))
	for _, c := range cidrs {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if !strings.Contains(c, "/") {
			a, err := netip.ParseAddr(c)
			if err != nil {
				return nil, fmt.Errorf("allow-list entry %q: %w", c, err)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(c)
		if err != nil {
			return nil, fmt.Errorf("allow-list entry %q: %w", c, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
