// Package geoip answers "which country is this IP address in" from a MaxMind-format (MMDB)
// country database, read with github.com/oschwald/maxminddb-golang. A *DB is the
// eligibility.CountryLookup the IP rule asks; the allow-lists of networks that count as inside
// whatever the database says (e.g. the brokerage's own ranges) are the rule's (eligibility.Prefixes).
//
// The project's set-up fetches the database through the npm registry (no other source is
// reachable): @ip-location-db/geo-whois-asn-country-mmdb, whose data merges RIR whois, ASN and
// geofeed records (CC BY 4.0, attribution to the NRO; package CC0). A brokerage may point the
// kiosk at any other MMDB country database (GeoLite2-Country, DB-IP): both record shapes,
// "country_code" and "country.iso_code", are read.
package geoip

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"
)

// DB is an open country database.
type DB struct {
	r *maxminddb.Reader
}

// Open opens the MMDB file at path.
func Open(path string) (*DB, error) {
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open geoip database %s: %w", path, err)
	}
	return &DB{r: r}, nil
}

// Close releases the file.
func (d *DB) Close() error { return d.r.Close() }

// Built is when the database was built (its data date).
func (d *DB) Built() time.Time { return d.r.Metadata.BuildTime() }

// Type is the database's declared type, e.g. "geo-whois-asn-country" or "GeoLite2-Country".
func (d *DB) Type() string { return d.r.Metadata.DatabaseType }

// cgnat is the shared address space of RFC 6598, which IsPrivate does not cover.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

type record struct {
	CountryCode string `maxminddb:"country_code"`
	Country     struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
}

// Country returns the ISO 3166-1 alpha-2 code of ip's country, "" when the database has none.
//
// Private, loopback, link-local, shared (CGNAT) and other non-public addresses have no
// country, whatever the file says: the npm build of the database places some of them (e.g.
// 192.168.1.1) in a country by mistake, and a local network must be trusted only through an
// explicit allow-list.
func (d *DB) Country(ip netip.Addr) (string, error) {
	if d == nil {
		return "", errors.New("geoip: no database")
	}
	ip = ip.Unmap()
	if !ip.IsValid() || !ip.IsGlobalUnicast() || ip.IsPrivate() || cgnat.Contains(ip) {
		return "", nil
	}
	var rec record
	if err := d.r.Lookup(ip).Decode(&rec); err != nil {
		return "", fmt.Errorf("geoip lookup: %w", err)
	}
	if rec.CountryCode != "" {
		return strings.ToUpper(rec.CountryCode), nil
	}
	return strings.ToUpper(rec.Country.ISOCode), nil
}
