package netaddr

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	cases := []struct {
		name, remote, xff, want string
	}{
		{"direct client", "2.176.0.1:5555", "", "2.176.0.1"},
		{"header from an untrusted peer is ignored", "8.8.8.8:5555", "2.176.0.1", "8.8.8.8"},
		{"through a trusted proxy", "10.0.0.5:443", "2.176.0.1", "2.176.0.1"},
		{"spoofed first hop ignored", "10.0.0.5:443", "2.176.0.1, 8.8.8.8", "8.8.8.8"},
		{"two trusted proxies", "10.0.0.5:443", "5.160.0.1, 10.0.0.9", "5.160.0.1"},
		{"malformed chain", "10.0.0.5:443", "not-an-ip", ""},
		{"IPv6 peer", "[2a01:5ec0::1]:443", "", "2a01:5ec0::1"},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		got := ClientIP(r, trusted)
		if (tc.want == "" && got.IsValid()) || (tc.want != "" && got.String() != tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, got, tc.want)
		}
	}
}
