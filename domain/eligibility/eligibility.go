// Package eligibility decides whether a person may use remote identity verification: aged 18
// or over on the Jalali calendar, an Iranian natural person, at most one remote verification
// per national code, and — for online use, or a kiosk outside a branch — a client address
// inside Iran by the country database or a configured allow-list. It implements
// flow.Eligibility; a rejection is a *flow.Error with an "eligibility.*" locale key.
package eligibility

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/services/geoip"
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

// Checker implements flow.Eligibility.
type Checker struct {
	cfg       Config
	geo       *geoip.DB
	allow     []netip.Prefix
	countries map[string]bool
	publicIP  netip.Addr
	hist      History
}

var _ flow.Eligibility = (*Checker)(nil)

// New returns the checker. geo may be nil only when the IP rule never applies (an in-branch
// kiosk); hist is required.
func New(cfg Config, geo *geoip.DB, hist History) (*Checker, error) {
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
	allow, err := geoip.Prefixes(cfg.AllowNetworks)
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

// Check implements flow.Eligibility.
func (c *Checker) Check(ctx context.Context, p kyc.Person, now time.Time) error {
	switch {
	case p.Type == kyc.LegalPerson:
		return &flow.Error{Key: "eligibility.legal_person"}
	case p.Type == kyc.ForeignPerson || (p.Nationality != "" && !strings.EqualFold(p.Nationality, "IR")):
		return &flow.Error{Key: "eligibility.foreign_national"}
	case p.Type != kyc.NaturalPerson:
		// An unknown type is not a natural person as far as anyone can tell.
		return &flow.Error{Key: "eligibility.legal_person", Err: fmt.Errorf("person type %q", p.Type)}
	}
	age, err := AgeOn(p.BirthDate, now)
	if err != nil {
		return &flow.Error{Key: "eligibility.birth_date_invalid", Err: err}
	}
	if age < c.cfg.MinAge {
		return &flow.Error{Key: "eligibility.under_18", Args: []string{"min", fmt.Sprint(c.cfg.MinAge)}}
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
		return &flow.Error{Key: "eligibility.unavailable", Err: fmt.Errorf("verification history: %w", err)}
	}
	if done {
		return &flow.Error{Key: "eligibility.already_verified"}
	}
	return nil
}

// CheckIP applies the IP rule to one address: inside an allow-listed network, or in an
// allowed country by the database.
func (c *Checker) CheckIP(ip netip.Addr) error {
	return IPRule{Geo: c.geo, Allow: c.allow, Countries: c.countries}.Check(ip)
}

// IPRule is the IP rule on its own, shared with the intake server.
type IPRule struct {
	Geo       *geoip.DB
	Allow     []netip.Prefix
	Countries map[string]bool // ISO codes; nil means {"IR"}
}

// Check returns nil when ip is allowed.
func (r IPRule) Check(ip netip.Addr) error {
	if !ip.IsValid() {
		return &flow.Error{Key: "eligibility.ip_unknown"}
	}
	ip = ip.Unmap()
	for _, p := range r.Allow {
		if p.Contains(ip) {
			return nil
		}
	}
	if r.Geo == nil {
		return &flow.Error{Key: "eligibility.ip_unknown", Err: fmt.Errorf("no geoip database")}
	}
	cc, err := r.Geo.Country(ip)
	if err != nil {
		return &flow.Error{Key: "eligibility.ip_unknown", Err: err}
	}
	countries := r.Countries
	if countries == nil {
		countries = map[string]bool{"IR": true}
	}
	if !countries[cc] {
		return &flow.Error{Key: "eligibility.ip_outside_iran", Err: fmt.Errorf("country %q", cc)}
	}
	return nil
}
