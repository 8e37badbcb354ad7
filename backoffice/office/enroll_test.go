package office_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ehraz/ehraz/backoffice/fleet"
	"github.com/ehraz/ehraz/backoffice/office"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/services/enroll"
)

// A kiosk joins the fleet end to end over real TLS: enrollment with the pinned CA fingerprint,
// an admin's approval with the kiosk's code, dossiers over mutual TLS with the kiosk id taken
// from the certificate, renewal before expiry, and revocation refusing the kiosk at once.
func TestEnrollAndMutualTLS(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	cfg := testConfig(t)
	cfg.TLS, cfg.RequireMTLS = true, true
	// The back office runs on the real clock (TLS verifies certificates on it); the kiosk's
	// clock moves to make its renewal due.
	o := startOffice(t, ctx, cfg, office.Deps{})
	if !strings.HasPrefix(o.URL, "https://") || len(o.CAFingerprint) != 64 {
		t.Fatalf("url %s fingerprint %q", o.URL, o.CAFingerprint)
	}
	files := enroll.FilesIn(t.TempDir())
	key, err := enroll.NewKey(files.Key)
	if err != nil {
		t.Fatal(err)
	}
	csr, _ := enroll.CSR(key, "kiosk-tabriz-1")
	code, _ := enroll.NewCode()
	mediaKey := bytes.Repeat([]byte{9}, 32)
	// A wrong fingerprint: the kiosk refuses to talk (someone in the middle).
	if err := enroll.Submit(ctx, o.URL, strings.Repeat("ab", 32), enroll.Request{KioskID: "kiosk-tabriz-1", CSR: csr, Code: code, MediaKey: mediaKey}); err == nil {
		t.Fatal("enrolled with a back office whose CA is not the pinned one")
	}
	if err := enroll.Submit(ctx, o.URL, o.CAFingerprint, enroll.Request{KioskID: "kiosk-tabriz-1", CSR: csr, Code: code, MediaKey: mediaKey}); err != nil {
		t.Fatal(err)
	}
	if st, err := enroll.Fetch(ctx, o.URL, o.CAFingerprint, "kiosk-tabriz-1"); err != nil || st.State != enroll.Pending || st.Cert != "" {
		t.Fatalf("before approval: %+v %v", st, err)
	}
	if err := o.Fleet.Approve(ctx, "kiosk-tabriz-1", "00000000", "root"); !errors.Is(err, fleet.ErrWrongCode) && code != "00000000" {
		t.Fatalf("wrong code: %v", err)
	}
	if err := o.Fleet.Approve(ctx, "kiosk-tabriz-1", code, "root"); err != nil {
		t.Fatal(err)
	}
	st, err := enroll.Fetch(ctx, o.URL, o.CAFingerprint, "kiosk-tabriz-1")
	if err != nil || st.State != enroll.Active {
		t.Fatalf("after approval: %+v %v", st, err)
	}
	if err := enroll.Save(files, st, key, "kiosk-tabriz-1"); err != nil {
		t.Fatal(err)
	}
	if got := o.Fleet.MediaKey(ctx, "kiosk-tabriz-1"); !bytes.Equal(got, mediaKey) {
		t.Error("the media key delivered at enrollment is not the one stored")
	}
	id, err := enroll.Open(files, clock)
	if err != nil {
		t.Fatal(err)
	}
	hc, err := id.Client()
	if err != nil {
		t.Fatal(err)
	}
	post := func(hc *http.Client, key, kiosk, nc string, bearer string) int {
		body, _ := json.Marshal(dossier.Dossier{Version: dossier.Version, SessionID: "s-" + key, KioskID: kiosk, Mode: dossier.ModeKiosk,
			Applicant: dossier.Applicant{Person: kyc.Person{NationalCode: kyc.NationalCode(nc)}, Mobile: "09121234567"}})
		req, _ := http.NewRequest(http.MethodPost, o.URL+"/v1/dossiers", bytes.NewReader(body))
		req.Header.Set("Idempotency-Key", key)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := post(hc, "key-mtls-0001", "kiosk-tabriz-1", "0015260186", ""); c != http.StatusCreated {
		t.Fatalf("dossier over mutual TLS: %d", c)
	}
	if c := post(hc, "key-mtls-0002", "kiosk-shiraz-9", "0084575948", ""); c != http.StatusForbidden {
		t.Errorf("a body naming another kiosk: %d, want 403", c)
	}
	// The shared token is refused when mutual TLS is required.
	plain, _ := enroll.Open(files, clock)
	phc, _ := plain.Client()
	phc.Transport.(*http.Transport).TLSClientConfig.GetClientCertificate = nil
	if c := post(phc, "key-mtls-0003", "kiosk-tabriz-1", "0084575948", o.Token); c != http.StatusUnauthorized {
		t.Errorf("bearer token without a certificate: %d, want 401", c)
	}
	// Renewal: not due now; due 70 days on, then the new certificate works.
	if did, err := id.RenewIfDue(ctx, o.URL, "kiosk-tabriz-1"); did || err != nil {
		t.Fatalf("renewal not due: %v %v", did, err)
	}
	first, _ := os.ReadFile(files.Cert)
	mu.Lock()
	now = now.Add(70 * 24 * time.Hour)
	mu.Unlock()
	if did, err := id.RenewIfDue(ctx, o.URL, "kiosk-tabriz-1"); !did || err != nil {
		t.Fatalf("renewal due: %v %v", did, err)
	}
	if second, _ := os.ReadFile(files.Cert); bytes.Equal(second, first) {
		t.Error("the certificate file did not change at renewal")
	}
	hc2, _ := id.Client()
	if c := post(hc2, "key-mtls-0004", "kiosk-tabriz-1", "1111111111", ""); c != http.StatusCreated {
		t.Fatalf("after renewal: %d", c)
	}
	// Revoked: refused at once, with a fresh connection or the same one.
	if err := o.Fleet.Revoke(ctx, "kiosk-tabriz-1", "root"); err != nil {
		t.Fatal(err)
	}
	if c := post(hc2, "key-mtls-0005", "kiosk-tabriz-1", "2222222222", ""); c != http.StatusUnauthorized {
		t.Errorf("revoked kiosk: %d, want 401", c)
	}
	// A revoked kiosk may ask again; it needs a new approval.
	code2, _ := enroll.NewCode()
	if err := enroll.Submit(ctx, o.URL, o.CAFingerprint, enroll.Request{KioskID: "kiosk-tabriz-1", CSR: csr, Code: code2, MediaKey: mediaKey}); err != nil {
		t.Fatal(err)
	}
	if st, _ := enroll.Fetch(ctx, o.URL, o.CAFingerprint, "kiosk-tabriz-1"); st.State != enroll.Pending {
		t.Errorf("re-enrolment: %+v", st)
	}
}

// Bad enrollment requests are refused with a reason and store nothing.
func TestEnrollRefusals(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	cfg.TLS = true
	o := startOffice(t, ctx, cfg, office.Deps{})
	key, _ := enroll.NewKey(filepath.Join(t.TempDir(), "k"))
	csr, _ := enroll.CSR(key, "kiosk-a1")
	good := enroll.Request{KioskID: "kiosk-a1", CSR: csr, Code: "12345678", MediaKey: bytes.Repeat([]byte{1}, 32)}
	for name, mod := range map[string]func(*enroll.Request){
		"bad id":          func(r *enroll.Request) { r.KioskID = "Kiosk A" },
		"short code":      func(r *enroll.Request) { r.Code = "1234" },
		"short media key": func(r *enroll.Request) { r.MediaKey = []byte{1} },
		"csr for another": func(r *enroll.Request) { r.KioskID = "kiosk-b2" },
		"csr garbage": func(r *enroll.Request) {
			r.CSR = "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"
		},
	} {
		req := good
		mod(&req)
		if err := enroll.Submit(ctx, o.URL, o.CAFingerprint, req); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if list, _ := o.Fleet.List(ctx); len(list) != 0 {
		t.Errorf("refused requests stored: %+v", list)
	}
	// Five wrong codes end the request.
	if err := enroll.Submit(ctx, o.URL, o.CAFingerprint, good); err != nil {
		t.Fatal(err)
	}
	var last error
	for range fleet.MaxCodeAttempts {
		last = o.Fleet.Approve(ctx, "kiosk-a1", "87654321", "root")
	}
	if !errors.Is(last, fleet.ErrTooMany) {
		t.Fatalf("after %d wrong codes: %v", fleet.MaxCodeAttempts, last)
	}
	if err := o.Fleet.Approve(ctx, "kiosk-a1", "12345678", "root"); !errors.Is(err, fleet.ErrState) {
		t.Errorf("the right code after the request was revoked: %v", err)
	}
}
