package geoip

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/ehraz/ehraz/services/servicetest"
)

// TestDBPath finds the database that `make setup` installs, or skips.
func testDB(t *testing.T) *DB {
	t.Helper()
	path := os.Getenv("EHRAZ_GEOIP_DB")
	if path == "" {
		root, err := servicetest.ModuleRoot()
		if err != nil {
			t.Skip(err)
		}
		path = filepath.Join(root, ".cache", "geoip", "geo-whois-asn-country.mmdb")
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("geoip database not installed (run `make setup` or set EHRAZ_GEOIP_DB): %v", err)
	}
	d, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestCountry(t *testing.T) {
	d := testDB(t)
	t.Logf("database %s built %s", d.Type(), d.Built().Format("2006-01-02"))
	cases := []struct{ ip, want string }{
		// RIPE allocations to Iranian operators (TCI, MCI, Irancell, Shatel).
		{"2.176.0.1", "IR"},
		{"5.160.0.1", "IR"},
		{"185.2.12.1", "IR"},
		{"2a01:5ec0::1", "IR"},
		{"::ffff:2.176.0.1", "IR"},
		{"8.8.8.8", "US"},
		{"1.1.1.1", ""}, // anycast: the database may say US/AU; checked below as "not IR"
		{"127.0.0.1", ""},
		{"192.168.1.1", ""}, // the file says AU: private ranges must have no country
		{"10.1.2.3", ""},
		{"100.64.1.1", ""},
		{"fe80::1", ""},
	}
	for _, tc := range cases {
		got, err := d.Country(netip.MustParseAddr(tc.ip))
		if err != nil {
			t.Fatalf("%s: %v", tc.ip, err)
		}
		if tc.ip == "1.1.1.1" {
			if got == "IR" {
				t.Errorf("1.1.1.1 placed in Iran")
			}
			continue
		}
		if got != tc.want {
			t.Errorf("%s: country %q, want %q", tc.ip, got, tc.want)
		}
	}
}
