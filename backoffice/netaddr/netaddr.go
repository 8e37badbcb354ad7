// Package netaddr tells the back office who is on the other end of a request: the applicant's or
// kiosk's address as the IP rule (domain/eligibility) needs it, believing X-Forwarded-For only
// from the TLS proxies it is told to trust.
package netaddr

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP returns the applicant's address for the IP rule: the connection's peer,
// or — only when that peer is one of the trusted reverse proxies — the right-most address in
// X-Forwarded-For that is not itself a trusted proxy. Trusting the header from anyone else
// would let a client outside Iran claim an Iranian address.
func ClientIP(r *http.Request, trusted []netip.Prefix) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	peer = peer.Unmap()
	if !inAny(peer, trusted) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{} // a malformed chain proves nothing
		}
		a = a.Unmap()
		if !inAny(a, trusted) {
			return a
		}
	}
	return peer
}

func inAny(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Trusted reports whether a is one of the trusted proxies: an address ClientIP returns only when
// no client address was forwarded.
func Trusted(a netip.Addr, trusted []netip.Prefix) bool {
	return a.IsValid() && inAny(a.Unmap(), trusted)
}
