package kiosk_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ehraz/ehraz/app/config"
	"github.com/ehraz/ehraz/app/kiosk"
	"github.com/ehraz/ehraz/app/outbox"
	"github.com/ehraz/ehraz/app/store"
	"github.com/ehraz/ehraz/backoffice/intake"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/services/servicetest"
)

type oneSession struct{ s outbox.Session }

// openServicesDB is a kiosk database with the OTP and outbox tables, made as the kiosk makes it.
func openServicesDB(t *testing.T) *sql.DB {
	t.Helper()
	t.Setenv(store.KeyEnv, "")
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	st, err := store.Open(context.Background(), kiosk.StoreOptions(cfg))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st.DB()
}

func (o oneSession) FinishedSession(context.Context, string) (outbox.Session, error) { return o.s, nil }

// TestDemoJourney walks a seeded identity through every service the way the flow does, with
// the simulator and the intake in-process, and ends with the bourse code as the final status.
func TestDemoJourney(t *testing.T) {
	shared := servicetest.Shared(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	cfg := config.DemoServices()
	cfg.Simulator.Addr, cfg.Intake.Addr = "127.0.0.1:0", "127.0.0.1:0"
	src := &oneSession{}
	db := openServicesDB(t)
	svc, err := kiosk.StartServices(ctx, cfg, kiosk.ServiceDeps{DB: db, Source: src, KioskID: "kiosk-t", Mode: "kiosk", DataDir: dir, Shared: shared})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()

	// Steps 1–2: our OTP.
	st, err := svc.OTP.Send(ctx, "sess", "09121234567")
	if err != nil || st.DemoCode == "" {
		t.Fatalf("OTP send: %+v %v", st, err)
	}
	if _, err := svc.OTP.Verify(ctx, "sess", st.DemoCode); err != nil {
		t.Fatal(err)
	}
	// Steps 3–4: SEJAM.
	sst, err := svc.Sejam.RequestOTP(ctx, "0015260186", "1402000001", "09121234567")
	if err != nil || sst.DemoCode == "" {
		t.Fatalf("SEJAM OTP: %+v %v", sst, err)
	}
	p, err := svc.Sejam.Profile(ctx, "0015260186", sst.DemoCode)
	if err != nil {
		t.Fatal(err)
	}
	// Step 5: registry + eligibility.
	rec, err := svc.Registry.VerifyCard(ctx, p.NationalCode, p.BirthDate, "1G23456789")
	if err != nil || len(rec.Photo.Data) == 0 {
		t.Fatalf("registry: %v (photo %d bytes)", err, len(rec.Photo.Data))
	}
	if err := svc.Eligibility.Check(ctx, p, time.Now()); err != nil {
		t.Fatalf("eligibility: %v", err)
	}
	// Commitments accepted: the dossier leaves.
	src.s = outbox.Session{SessionID: "sess", Mode: "kiosk", Applicant: dossier.Applicant{Person: p, Mobile: "09121234567", CardSerial: "1G23456789", CardKind: rec.Kind},
		Media: []outbox.PlainMedia{{Name: "registry.photo", Format: rec.Photo.Format, Data: rec.Photo.Data}}}
	if err := svc.Outbox.Enqueue(ctx, "sess"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		e, _, err := svc.Outbox.Entry(ctx, "sess")
		if err != nil {
			t.Fatal(err)
		}
		if e.State == "delivered" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not delivered: %+v", e)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The same person cannot verify remotely again.
	if err := svc.Eligibility.Check(ctx, p, time.Now()); err == nil || !strings.Contains(err.Error(), "eligibility.already_verified") {
		t.Errorf("second verification: %v", err)
	}
	admin, err := os.ReadFile(filepath.Join(dir, "keys", "intake-admin.token"))
	if err != nil {
		t.Fatal(err)
	}
	// A reviewer approves it in the embedded back office's console (the demo account printed
	// at start), then CSDI's code is recorded and the applicant told.
	if svc.ConsolePassword == "" || svc.ConsoleURL == "" {
		t.Fatalf("no demo console account: %q %q", svc.ConsoleURL, svc.ConsolePassword)
	}
	// The demo kiosk was enrolled with the embedded back office at start and delivered over
	// mutual TLS: its key, certificate and the back office's CA are in its keys folder.
	for _, f := range []string{"kiosk-tls.key", "kiosk-tls.crt", "backoffice-ca.crt"} {
		if _, err := os.Stat(filepath.Join(dir, "keys", f)); err != nil {
			t.Errorf("demo enrollment: %s: %v", f, err)
		}
	}
	approveInConsole(t, svc.ConsoleURL, "demo", svc.ConsolePassword, "sess")
	if err := intake.RecordBourseCode(ctx, svc.IntakeURL, strings.TrimSpace(string(admin)), "sess", "سپا۱۲۳۴۵"); err != nil {
		t.Fatal(err)
	}
	fs, err := svc.Outbox.Status(ctx, "sess")
	if err != nil || fs.Key != "intake.status.bourse_code_issued" || fs.BourseCode != "سپا12345" {
		t.Fatalf("final status %+v %v", fs, err)
	}
	if m, ok := svc.Console.Last("09121234567"); !ok || m.Message.Tokens[0] != "سپا12345" {
		t.Errorf("bourse-code SMS %+v", m)
	}
}

// The kiosk's simulator finds the registry photos in the shared folder the configuration
// resolved, with no SHARED/EHRAZ_SHARED in the environment: `./bin/ehraz` started outside
// `make run` used to show the demo face but get no reference photo (flow.match.no_reference).
func TestOpenHandsTheSharedFolderToTheSimulator(t *testing.T) {
	shared := servicetest.Shared(t)
	t.Setenv("EHRAZ_SHARED", "")
	t.Setenv("SHARED", "")
	t.Setenv(store.KeyEnv, "")
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Shared = shared
	cfg.Plugins.Dir = filepath.Join(cfg.DataDir, "no-plugins")
	if err := os.MkdirAll(cfg.Plugins.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg.Services.Simulator.Addr, cfg.Services.Intake.Addr = "127.0.0.1:0", "127.0.0.1:0"
	k, err := kiosk.Open(ctx, cfg, kiosk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	rec, err := k.Services.Registry.VerifyCard(ctx, "0015260186", "1370/05/12", "1G23456789")
	if err != nil || len(rec.Photo.Data) == 0 {
		t.Fatalf("registry: %v (photo %d bytes), want the seeded reference photo", err, len(rec.Photo.Data))
	}
}

// approveInConsole signs in to the review console as user and approves the dossier of the
// session through its forms, as a reviewer's browser would (cookies, CSRF tokens, redirects).
func approveInConsole(t *testing.T, consoleURL, user, pass, session string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	token := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	get := func(u string) string {
		resp, err := hc.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", u, resp.StatusCode)
		}
		return string(b)
	}
	post := func(u string, form url.Values) string {
		resp, err := hc.PostForm(u, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %d", u, resp.StatusCode)
		}
		return string(b)
	}
	base := strings.TrimSuffix(consoleURL, "/console/")
	m := token.FindStringSubmatch(get(consoleURL + "login"))
	if m == nil {
		t.Fatal("no sign-in form")
	}
	post(consoleURL+"login", url.Values{"csrf": {m[1]}, "username": {user}, "password": {pass}})
	queue := get(consoleURL + "queue?status=")
	link := regexp.MustCompile(`href="(/console/dossiers/\d+)" class="open-dossier" data-session="` + regexp.QuoteMeta(session) + `"`).FindStringSubmatch(queue)
	if link == nil {
		t.Fatalf("dossier of %s not in the console's queue", session)
	}
	page := get(base + link[1])
	m = token.FindStringSubmatch(page)
	v := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)
	if m == nil || v == nil || !strings.Contains(page, `id="decide-approve"`) {
		t.Fatalf("dossier page has no decision form")
	}
	after := post(base+link[1]+"/decide", url.Values{"csrf": {m[1]}, "version": {v[1]}, "action": {"approve"}, "reason": {"review.reason.verified_manually"}})
	if !strings.Contains(after, `data-status="approved"`) {
		t.Fatalf("not approved after the decision")
	}
}
