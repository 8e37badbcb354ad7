package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ehraz/ehraz/backoffice/console"
	"github.com/ehraz/ehraz/backoffice/review"
)

// client is one browser-less reviewer: a cookie jar and the CSRF token of its last page.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
	csrf string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, hc: &http.Client{Jar: jar}}
}

func (c *client) get(path string) (int, string) {
	c.t.Helper()
	resp, err := c.hc.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindStringSubmatch(string(b)); m != nil {
		c.csrf = m[1]
	}
	return resp.StatusCode, string(b)
}

func (c *client) post(path string, form url.Values) (int, string) {
	c.t.Helper()
	resp, err := c.hc.PostForm(c.base+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindStringSubmatch(string(b)); m != nil {
		c.csrf = m[1]
	}
	return resp.StatusCode, string(b)
}

func (c *client) login(user, pass string) (int, string) {
	c.t.Helper()
	c.get("/console/login")
	return c.post("/console/login", url.Values{"csrf": {c.csrf}, "username": {user}, "password": {pass}})
}

func TestPasswordHash(t *testing.T) {
	h, err := console.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$") || !console.CheckPassword(h, "correct horse") || console.CheckPassword(h, "correct hors") {
		t.Fatalf("hash %q does not check as it should", h)
	}
	for _, bad := range []string{"", "$argon2id$", "$bcrypt$x$y$z$w", strings.Replace(h, "m=19456", "m=999999999", 1)} {
		if console.CheckPassword(bad, "correct horse") {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

func TestSecurityHeadersAndLogin(t *testing.T) { each(t, testSecurityHeadersAndLogin) }

func testSecurityHeadersAndLogin(t *testing.T, engine string) {
	r := newRig(t, engine, false)
	c := newClient(t, r.URL)
	resp, err := http.Get(r.URL + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || resp.Header.Get("X-Frame-Options") != "DENY" ||
		resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers: %v", resp.Header)
	}
	// Not signed in: every page sends to the sign-in page.
	if code, body := c.get("/console/queue"); code != http.StatusOK || !strings.Contains(body, `id="login-form"`) {
		t.Fatalf("queue without a session: %d", code)
	}
	// The sign-in form's own CSRF token is required.
	if code, _ := c.post("/console/login", url.Values{"username": {"maryam"}, "password": {r.accounts["maryam"]}}); code != http.StatusForbidden {
		t.Errorf("sign-in without its token: %d", code)
	}
	if code, body := c.login("maryam", "wrong"); code != http.StatusUnauthorized || !strings.Contains(body, "نام کاربری یا گذرواژه درست نیست") {
		t.Errorf("wrong password: %d", code)
	}
	if code, body := c.login("maryam", r.accounts["maryam"]); code != http.StatusOK || !strings.Contains(body, `dir="rtl"`) || !strings.Contains(body, "صف پرونده‌ها") {
		t.Fatalf("sign-in: %d %s", code, body[:min(len(body), 300)])
	}
	for _, sc := range c.hc.Jar.Cookies(mustURL(r.URL + "/console/")) {
		if sc.Name == "ehraz_console" && len(sc.Value) < 40 {
			t.Errorf("session token too short: %d", len(sc.Value))
		}
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestLoginRateLimit(t *testing.T) { each(t, testLoginRateLimit) }

func testLoginRateLimit(t *testing.T, engine string) {
	r := newRig(t, engine, false)
	c := newClient(t, r.URL)
	for i := range 5 {
		if code, _ := c.login("sara", "guess"+string(rune('a'+i))); code != http.StatusUnauthorized {
			t.Fatalf("try %d: %d", i, code)
		}
	}
	// Blocked now, even with the right password, for the rest of the window.
	if code, body := c.login("sara", r.accounts["sara"]); code != http.StatusTooManyRequests || !strings.Contains(body, "تلاش‌های ناموفق زیاد") {
		t.Fatalf("sixth try with the right password: %d", code)
	}
	r.advance(16 * time.Minute)
	if code, body := c.login("sara", r.accounts["sara"]); code != http.StatusOK || !strings.Contains(body, `id="queue"`) && !strings.Contains(body, "queue-empty") {
		t.Fatalf("after the window: %d", code)
	}
}

func TestCSRFRolesAndExpiry(t *testing.T) { each(t, testCSRFRolesAndExpiry) }

func testCSRFRolesAndExpiry(t *testing.T, engine string) {
	ctx := context.Background()
	r := newRig(t, engine, false)
	first, _ := r.seed(t)
	c := newClient(t, r.URL)
	c.login("maryam", r.accounts["maryam"])
	if code, body := c.get("/console/dossiers/1"); code != http.StatusOK || !strings.Contains(body, `id="decide-approve"`) {
		t.Fatalf("dossier page: %d", code)
	} else if !strings.Contains(body, "face 0.1.0 · abababababab") || !strings.Contains(body, "e48345e5") {
		t.Error("the dossier page does not name the plugin, version, binary hash and signer of a verdict")
	} else if !regexp.MustCompile(`(?s)id="challenge".*۳.*۱.*۴.*۳.*۱.*outcome-fail">۲`).MatchString(body) {
		t.Error("the dossier page does not show the numbers asked (3 1 4) and read (3 1 2, the last wrong)")
	}
	form := url.Values{"version": {"1"}, "action": {"approve"}, "reason": {"review.reason.verified_manually"}}
	// Without the token, or with another session's, the decision is refused and nothing changes.
	if code, body := c.post("/console/dossiers/1/decide", form); code != http.StatusForbidden || !strings.Contains(body, "این فرم منقضی یا نامعتبر است") {
		t.Errorf("decide without CSRF: %d", code)
	}
	form.Set("csrf", "forged-token-value")
	if code, _ := c.post("/console/dossiers/1/decide", form); code != http.StatusForbidden {
		t.Errorf("decide with a forged token: %d", code)
	}
	if cs, _ := r.rv.Get(ctx, first); cs.Status != review.PendingReview {
		t.Fatalf("a refused form changed the dossier: %s", cs.Status)
	}
	// A reviewer cannot read the supervisor's report or manage accounts.
	if code, _ := c.get("/console/report"); code != http.StatusForbidden {
		t.Errorf("reviewer reads the report: %d", code)
	}
	if code, _ := c.post("/console/accounts", url.Values{"csrf": {c.csrf}, "username": {"eve"}, "role": {"admin"}}); code != http.StatusForbidden {
		t.Errorf("reviewer adds an account: %d", code)
	}
	// A stale version (someone else decided first) is told, and nothing changes.
	c.get("/console/dossiers/1")
	form.Set("csrf", c.csrf)
	form.Set("version", "7")
	if code, body := c.post("/console/dossiers/1/decide", form); code != http.StatusConflict || !strings.Contains(body, "کس دیگری همین حالا") {
		t.Errorf("stale decision: %d", code)
	}
	// A malformed bourse code on a pending dossier: refused by state first.
	if code, _ := c.post("/console/dossiers/1/bourse-code", url.Values{"csrf": {c.csrf}, "code": {"abc"}}); code != http.StatusBadRequest && code != http.StatusConflict {
		t.Errorf("bourse code on a pending dossier: %d", code)
	}
	// Idle past the limit: back to sign-in, told why.
	r.advance(16 * time.Minute)
	if code, body := c.get("/console/queue"); code != http.StatusOK || !strings.Contains(body, "نشست شما به دلیل بی‌کاری پایان یافت") {
		t.Errorf("after idling: %d", code)
	}
	// The admin manages accounts; the new password is shown once.
	a := newClient(t, r.URL)
	a.login("root", r.accounts["root"])
	a.get("/console/accounts")
	if code, body := a.post("/console/accounts", url.Values{"csrf": {a.csrf}, "username": {"neda"}, "display": {"ندا"}, "role": {"reviewer"}}); code != http.StatusCreated || !strings.Contains(body, `id="new-password"`) {
		t.Errorf("admin adds an account: %d", code)
	}
	if code, _ := a.post("/console/accounts", url.Values{"csrf": {a.csrf}, "username": {"neda"}, "role": {"reviewer"}}); code != http.StatusConflict {
		t.Errorf("same user name again: %d", code)
	}
	if code, _ := a.post("/console/dossiers/1/decide", url.Values{"csrf": {a.csrf}, "version": {"1"}, "action": {"approve"}, "reason": {"review.reason.verified_manually"}}); code != http.StatusForbidden {
		t.Errorf("an admin decides: %d", code)
	}
}
