package intake_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/domain/eligibility"
)

// countries is a geo-IP stand-in: the country of a few documentation addresses.
type countries map[netip.Addr]string

func (c countries) Country(a netip.Addr) (string, error) {
	if cc, ok := c[a]; ok {
		return cc, nil
	}
	return "", errors.New("not in the database")
}

var (
	inIran   = netip.MustParseAddr("2.176.0.1")
	abroad   = netip.MustParseAddr("8.8.8.8")
	proxy    = netip.MustParsePrefix("127.0.0.1/32")
	geoTable = countries{inIran: "IR", abroad: "US"}
)

// An online dossier is judged by the address it was sent from — through the trusted proxies —
// never by the address its body claims (issue 18: the body's empty clientIp refused every online
// dossier, and behind a local proxy everything looked like 127.0.0.1 and passed).
func TestOnlineDossierJudgedBySender(t *testing.T) {
	for i, tc := range []struct {
		name       string
		remote     string // the connection's peer
		xff        string
		claimed    string // the clientIp written in the body
		proxies    bool
		wantStatus int
	}{
		{"sent from Iran, body empty", "2.176.0.1:4000", "", "", false, http.StatusCreated},
		{"sent from abroad, body claims Iran", "8.8.8.8:4000", "", "2.176.0.1", false, http.StatusForbidden},
		{"through the proxy from Iran", "127.0.0.1:4000", "2.176.0.1", "", true, http.StatusCreated},
		{"through the proxy from abroad", "127.0.0.1:4000", "8.8.8.8", "2.176.0.1", true, http.StatusForbidden},
		{"proxy forwarded no address", "127.0.0.1:4000", "", "2.176.0.1", true, http.StatusForbidden},
		{"forged header from abroad", "8.8.8.8:4000", "2.176.0.1", "", true, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rig := newIntake(t, eligibility.IPRule{Geo: geoTable}, func(c *intakeConfig) {
				if tc.proxies {
					c.TrustedProxies = []netip.Prefix{proxy}
				}
			})
			nc := []string{"0015260186", "0021590834", "0041860918", "0137574916", "0122319486", "0499370899"}[i]
			body := mustJSON(t, dossier.Dossier{Version: dossier.Version, SessionID: "online-" + nc, KioskID: "web", Mode: dossier.ModeOnline,
				ClientIP: tc.claimed, Applicant: applicant(nc), StartedAt: time.Now().Add(-5 * time.Minute), AcceptedAt: time.Now(), SubmittedAt: time.Now()})
			req := httptest.NewRequest(http.MethodPost, "/v1/dossiers", body)
			req.RemoteAddr = tc.remote
			req.Header.Set("Authorization", "Bearer kiosk-token")
			req.Header.Set("Idempotency-Key", "key-online-"+nc)
			if tc.xff != "" {
				req.Header.Set("X-Forwarded-For", tc.xff)
			}
			rec := httptest.NewRecorder()
			rig.srv.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Errorf("status %d %s, want %d", rec.Code, rec.Body, tc.wantStatus)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) *bytes.Reader {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b)
}
