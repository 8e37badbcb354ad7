package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/backoffice/intake"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/domain/eligibility"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/services/sms"
)

// fuzzRoutes are the API's endpoints; a fuzz input picks one by number.
var fuzzRoutes = []struct {
	method, path string // path "" is the status path of the input's key
	admin        bool
}{
	{http.MethodPost, "/v1/dossiers", false},
	{http.MethodPost, "/v1/verified", false},
	{http.MethodPost, "/v1/admin/bourse-code", true},
	{http.MethodGet, "", false},
	{http.MethodGet, "/v1/admin/dossiers", true},
}

var fuzzKey = regexp.MustCompile(`^[A-Za-z0-9_-]{8,128}$`)

// fuzzState is what the server holds: the dossier every input starts from, plus any the input
// had accepted.
type fuzzState struct {
	keys     map[string]bool // idempotency keys answered 201
	sessions map[string]bool
	ncs      map[string]bool // national codes of accepted dossiers
}

// Every input starts from a database holding one accepted dossier, so that an input's answer
// (and coverage) does not depend on the inputs run before it.
const (
	knownKey     = "key-00001"
	knownSession = "session-1"
	knownNC      = "0021590834"
)

// wellFormed is the least a dossier must be for the intake to store it.
func wellFormed(body []byte) (dossier.Dossier, bool) {
	var d dossier.Dossier
	if json.Unmarshal(body, &d) != nil {
		return d, false
	}
	ok := d.Version == dossier.Version && d.SessionID != "" && d.Applicant.Person.NationalCode != "" && (d.Mode == "kiosk" || d.Mode == "online")
	return d, ok
}

// firstJSON decodes the first JSON value of a small request body, as the handlers read them.
func firstJSON(body []byte, v any) bool {
	return json.NewDecoder(io.LimitReader(bytes.NewReader(body), 4096)).Decode(v) == nil
}

func fuzzDossier(tb testing.TB, session, nc, mode, clientIP string) []byte {
	tb.Helper()
	b, err := json.Marshal(dossier.Dossier{Version: dossier.Version, SessionID: session, KioskID: "kiosk-1", Mode: mode, ClientIP: clientIP,
		Applicant: dossier.Applicant{Person: kyc.Person{NationalCode: kyc.NationalCode(nc), Mobile: "09121234567"}, Mobile: "09121234567"}})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// FuzzIntakeAPI sends arbitrary bodies, keys, tokens and X-Forwarded-For chains to every endpoint
// of a server holding one accepted dossier (knownKey). Whatever arrives: no panic, no 5xx (the
// 5xx answers are for a failing database only), no 2xx without the right token, JSON answers
// that parse; a dossier is only accepted (201) when well formed, under a valid new key, for a new
// national code, and is then stored as sent; a duplicate (200) only repeats an accepted key;
// "verified", status and bourse code only answer 2xx for what was accepted; the admin list shows
// every accepted dossier. Run longer with go test -run '^$' -fuzz FuzzIntakeAPI ./backoffice/intake.
func FuzzIntakeAPI(f *testing.F) {
	kiosk := fuzzDossier(f, knownSession, knownNC, "kiosk", "")
	for _, s := range []struct {
		route, auth uint8
		key, xff    string
		body        []byte
	}{
		{0, 0, knownKey, "", []byte("not json")}, // duplicate: the first answer again
		{0, 0, "key-00002", "", fuzzDossier(f, "session-2", "0041860918", "online", "2.176.0.1")},
		{0, 0, "key-00003", "2.176.0.1", kiosk}, // same national code: already verified
		{0, 0, "key-00004", "10.0.0.1, 2.176.0.1", fuzzDossier(f, "session-4", "0041860918", "kiosk", "")},
		{0, 0, "key-00005", "", fuzzDossier(f, "s", "x", "kiosk", "")}, // trusted peer, no forwarded chain
		{0, 0, "key-00006", "1.1.1.1, nonsense", fuzzDossier(f, "s", "y", "kiosk", "")},
		{0, 0, "key-00007", "", fuzzDossier(f, "s", "z", "online", "not an ip")},
		{0, 0, "short", "2.176.0.1", kiosk},
		{0, 1, "key-00008", "2.176.0.1", kiosk},
		{0, 0, "key-00009", "", []byte(`{"version":1,"sessionId":"s","mode":"kiosk","applicant":{"person":{"NationalCode":"n"}},"checks":"x"}`)},
		{0, 0, "key-00010", "", []byte(`{"version":2}`)},
		{1, 0, "", "", []byte(`{"nationalCode":"` + knownNC + `"}`)},
		{1, 0, "", "", []byte(`{"nationalCode":"0041860918"} trailing`)},
		{1, 0, "", "", []byte(`{"nationalCode":""}`)},
		{2, 0, "", "", []byte(`{"idempotencyKey":"` + knownKey + `","code":"ابج۱۲۳۴۵"}`)},
		{2, 0, "", "", []byte(`{"sessionId":"` + knownSession + `","code":"ابج 12345"}`)},
		{2, 0, "", "", []byte(`{"sessionId":"none","code":"ابج12345"}`)},
		{2, 0, "", "", []byte(`{"idempotencyKey":"` + knownKey + `","code":"123"}`)},
		{3, 0, knownKey, "", nil},
		{3, 0, "../x", "", nil},
		{3, 2, knownKey, "", nil},
		{4, 0, "", "", nil},
		{4, 1, "admin-token", "", nil},
	} {
		f.Add(s.route, s.auth, s.key, s.xff, s.body)
	}

	db, err := intake.OpenDB(filepath.Join(f.TempDir(), "intake.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	srv, err := intake.New(intake.Config{Token: "kiosk-token", AdminToken: "admin-token", DataKey: dataKey, SMS: sms.NewConsole(4),
		IPRule:         eligibility.IPRule{Allow: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}},
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}, // httptest's peer address
		MaxBody:        1 << 16}, db)
	if err != nil {
		f.Fatal(err)
	}
	reset := func(t *testing.T) *fuzzState {
		if _, err := db.Exec(`DELETE FROM amendments; DELETE FROM dossier_events; DELETE FROM dossiers`); err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/v1/dossiers", bytes.NewReader(kiosk))
		req.Header.Set("Authorization", "Bearer kiosk-token")
		req.Header.Set("Idempotency-Key", knownKey)
		req.Header.Set("X-Forwarded-For", "2.176.0.1")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			t.Fatalf("known dossier: %d %s", rec.Code, rec.Body)
		}
		return &fuzzState{keys: map[string]bool{knownKey: true}, sessions: map[string]bool{knownSession: true}, ncs: map[string]bool{knownNC: true}}
	}

	f.Fuzz(func(t *testing.T, route, auth uint8, key, xff string, body []byte) {
		st := reset(t)
		rt := fuzzRoutes[int(route)%len(fuzzRoutes)]
		path := rt.path
		if path == "" {
			path = "/v1/dossiers/" + url.PathEscape(key) + "/status"
		}
		req := httptest.NewRequest(rt.method, path, bytes.NewReader(body))
		token := map[bool]string{false: "kiosk-token", true: "admin-token"}[rt.admin]
		authorized := auth%3 == 0
		switch auth % 3 {
		case 0:
			req.Header.Set("Authorization", "Bearer "+token)
		case 1:
			req.Header.Set("Authorization", "Bearer "+key) // any other token
			authorized = key == token
		}
		req.Header.Set("Idempotency-Key", key)
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)

		code, out := rec.Code, rec.Body.Bytes()
		var answer map[string]any
		isJSON := strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json")
		if isJSON && json.Unmarshal(out, &answer) != nil {
			t.Fatalf("%s %s: %d with a JSON type but body %q", rt.method, path, code, out)
		}
		if code >= 500 {
			t.Fatalf("%s %s: %d %s", rt.method, path, code, out)
		}
		ok := code >= 200 && code < 300
		if !ok {
			if !authorized && rt.path != "" && code != http.StatusUnauthorized {
				t.Fatalf("%s %s without the token: %d, want 401", rt.method, path, code)
			}
			return
		}
		if !authorized || !isJSON {
			t.Fatalf("%s %s: %d (authorized %v, JSON %v) %s", rt.method, path, code, authorized, isJSON, out)
		}
		switch route := int(route) % len(fuzzRoutes); {
		case route == 0 && code == http.StatusOK: // duplicate delivery
			if !st.keys[key] || answer["duplicate"] != true {
				t.Fatalf("duplicate answer %s for key %q never accepted", out, key)
			}
		case route == 0:
			d, good := wellFormed(body)
			if code != http.StatusCreated || !good || !fuzzKey.MatchString(key) || st.keys[key] || st.ncs[string(d.Applicant.Person.NationalCode)] {
				t.Fatalf("dossier accepted: %d %s for key %q body %q", code, out, key, body)
			}
			stored, err := srv.Dossier(context.Background(), key)
			if err != nil || stored.SessionID != d.SessionID || stored.Applicant.Person.NationalCode != d.Applicant.Person.NationalCode {
				t.Fatalf("accepted dossier stored as %+v (%v)", stored, err)
			}
			st.keys[key], st.sessions[d.SessionID], st.ncs[string(d.Applicant.Person.NationalCode)] = true, true, true
		case route == 1:
			var in struct {
				NationalCode string `json:"nationalCode"`
			}
			if !firstJSON(body, &in) || in.NationalCode == "" || answer["verified"] != st.ncs[in.NationalCode] {
				t.Fatalf("verified answered %s for %q", out, body)
			}
		case route == 2:
			var in struct {
				IdempotencyKey string `json:"idempotencyKey"`
				SessionID      string `json:"sessionId"`
				Code           string `json:"code"`
			}
			known := firstJSON(body, &in) && (st.keys[in.IdempotencyKey] || in.IdempotencyKey == "" && st.sessions[in.SessionID])
			if !known || !intake.BourseCodePattern.MatchString(intake.NormalizeBourseCode(in.Code)) {
				t.Fatalf("bourse code recorded: %s for %q", out, body)
			}
		case route == 3:
			if !st.keys[key] {
				t.Fatalf("status %s for key %q never accepted", out, key)
			}
		case route == 4:
			list, _ := answer["dossiers"].([]any)
			if len(list) != min(len(st.keys), 500) {
				t.Fatalf("admin list shows %d dossiers, %d accepted", len(list), len(st.keys))
			}
		}
	})
}
