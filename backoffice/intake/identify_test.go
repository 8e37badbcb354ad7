package intake_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/backoffice/intake"
)

// A kiosk presenting a certificate is identified by it: a refused kiosk gets 401, a registry
// that cannot be read 503 with Retry-After (the kiosk retries, not "refused"), and under
// RequireMTLS the shared token alone is refused.
func TestKioskIdentification(t *testing.T) {
	var identify func(*http.Request) (string, error)
	r := newIntake(t, loopback(), func(c *intake.Config) {
		c.Identify = func(req *http.Request) (string, error) { return identify(req) }
		c.RequireMTLS = true
	})
	post := func(withCert bool, token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/v1/verified", strings.NewReader(`{"nationalCode":"0015260186"}`))
		if withCert {
			req.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{{}}}
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		r.srv.ServeHTTP(rec, req)
		return rec
	}
	identify = func(*http.Request) (string, error) { return "kiosk-1", nil }
	if rec := post(true, ""); rec.Code != http.StatusOK {
		t.Errorf("identified kiosk: %d", rec.Code)
	}
	identify = func(*http.Request) (string, error) { return "", errors.New("kiosk revoked") }
	if rec := post(true, ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("refused kiosk: %d", rec.Code)
	}
	identify = func(*http.Request) (string, error) {
		return "", fmt.Errorf("%w: connection refused", intake.ErrIdentifyUnavailable)
	}
	if rec := post(true, ""); rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("registry down: %d %v", rec.Code, rec.Header())
	}
	if rec := post(false, "kiosk-token"); rec.Code != http.StatusUnauthorized {
		t.Errorf("shared token under require_mtls: %d", rec.Code)
	}
}
