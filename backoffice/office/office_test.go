package office_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ehraz/ehraz/backoffice/intake"
	"github.com/ehraz/ehraz/backoffice/office"
	"github.com/ehraz/ehraz/backoffice/review"
	"github.com/ehraz/ehraz/domain/dossier"
	"github.com/ehraz/ehraz/domain/kyc"
	"github.com/ehraz/ehraz/services/sms"
)

func TestLoadDefaults(t *testing.T) {
	t.Setenv(office.EnvConfig, "")
	t.Setenv(office.EnvAddr, "")
	t.Setenv(office.EnvDataDir, "")
	cfg, err := office.Load("test", nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, office.Defaults()) {
		t.Errorf("no flags, no file: %+v, want the defaults %+v", cfg, office.Defaults())
	}
}

// Defaults < TOML file < environment < flags.
func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "backoffice.toml")
	toml := `addr = "127.0.0.1:9001"
data_dir = "/srv/office"
geoip = "/srv/geo.mmdb"
allow = ["5.160.0.0/14"]
trusted_proxies = ["10.0.0.0/8"]

[sms]
provider = "gateway"
base_url = "https://sms.example"
api_key_file = "/srv/sms.key"
template = "bourse"
`
	if err := os.WriteFile(file, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(office.EnvConfig, file)
	t.Setenv(office.EnvAddr, "")
	t.Setenv(office.EnvDataDir, "/env/data")
	cfg, err := office.Load("test", []string{"--allow", "127.0.0.0/8, ::1/128", "--sms", "console"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := office.Config{Addr: "127.0.0.1:9001", DataDir: "/env/data", GeoIP: "/srv/geo.mmdb",
		Allow: []string{"127.0.0.0/8", "::1/128"}, TrustedProxies: []string{"10.0.0.0/8"},
		SMS: office.SMS{Provider: "console", BaseURL: "https://sms.example", APIKeyFile: "/srv/sms.key", Template: sms.Template("bourse")}}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got  %+v\nwant %+v", cfg, want)
	}
	// The flag names the file too, and wins over the environment's.
	t.Setenv(office.EnvAddr, "127.0.0.1:9002")
	cfg, err = office.Load("test", []string{"--config", file, "--addr", "127.0.0.1:9003"}, io.Discard)
	if err != nil || cfg.Addr != "127.0.0.1:9003" || cfg.GeoIP != "/srv/geo.mmdb" {
		t.Errorf("flag over env over file: %+v %v", cfg, err)
	}
	cfg, _ = office.Load("test", []string{"--config", file}, io.Discard)
	if cfg.Addr != "127.0.0.1:9002" {
		t.Errorf("env over file: addr %q", cfg.Addr)
	}
}

func TestLoadRefuses(t *testing.T) {
	t.Setenv(office.EnvConfig, "")
	bad := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(bad, []byte("adress = \"x\"\n"), 0o600)
	for name, args := range map[string][]string{
		"unknown flag":      {"--nope"},
		"stray argument":    {"serve"},
		"unknown setting":   {"--config", bad},
		"missing file":      {"--config", filepath.Join(t.TempDir(), "none.toml")},
		"help is not a run": {"-h"},
	} {
		if _, err := office.Load("test", args, io.Discard); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := office.Load("test", []string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
}

func startOffice(t *testing.T, ctx context.Context, cfg office.Config, d office.Deps) *office.Office {
	t.Helper()
	o, err := office.Start(ctx, cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

func testConfig(t *testing.T) office.Config {
	cfg := office.Defaults()
	cfg.Addr, cfg.DataDir, cfg.GeoIP = "127.0.0.1:0", t.TempDir(), ""
	return cfg
}

// Start creates the database, keys and tokens under the data folder, serves the intake, and
// starts again on the same folder with the same tokens.
func TestStartServesAndKeepsItsKeys(t *testing.T) {
	cfg := testConfig(t)
	o := startOffice(t, context.Background(), cfg, office.Deps{})
	if o.Token == "" || o.AdminToken == "" || o.Token == o.AdminToken || o.Console == nil {
		t.Fatalf("tokens %q %q, console %v", o.Token, o.AdminToken, o.Console)
	}
	for _, f := range []string{"intake.db", "keys/intake.token", "keys/intake-admin.token", "keys/intake-data.key"} {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	resp, err := http.Get(o.URL + "/health")
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("health: %v %v", resp, err)
	}
	resp.Body.Close()
	if list, err := intake.List(context.Background(), o.URL, o.AdminToken); err != nil || len(list) != 0 {
		t.Errorf("admin list on a new office: %v %v", list, err)
	}
	if err := o.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := o.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	again := startOffice(t, context.Background(), cfg, office.Deps{})
	if again.Token != o.Token || again.AdminToken != o.AdminToken {
		t.Error("tokens changed across a restart")
	}
}

func TestStartRefuses(t *testing.T) {
	for name, edit := range map[string]func(*office.Config){
		"beyond loopback when told not to": func(c *office.Config) { c.Addr, c.LoopbackOnly = "0.0.0.0:0", true },
		"bad allow-list":                   func(c *office.Config) { c.Allow = []string{"not-a-network"} },
		"bad trusted proxy":                func(c *office.Config) { c.TrustedProxies = []string{"10.0.0.0/99"} },
		"unknown sms provider":             func(c *office.Config) { c.SMS.Provider = "pigeon" },
		"address without port":             func(c *office.Config) { c.Addr = "127.0.0.1" },
	} {
		cfg := testConfig(t)
		edit(&cfg)
		if o, err := office.Start(context.Background(), cfg, office.Deps{}); err == nil {
			o.Close()
			t.Errorf("%s: started", name)
		}
	}
}

// A missing geo-IP database is a warning, not a failure: only the allow-list is accepted.
func TestMissingGeoIPWarns(t *testing.T) {
	cfg := testConfig(t)
	cfg.GeoIP = filepath.Join(t.TempDir(), "none.mmdb")
	var warned []string
	startOffice(t, context.Background(), cfg, office.Deps{Warn: func(m string) { warned = append(warned, m) }})
	if len(warned) != 2 || !strings.Contains(warned[0], "geoip") || !strings.Contains(warned[1], "transport key") {
		t.Errorf("warnings %q (want the geo-IP one and the missing transport key's)", warned)
	}
}

// Serve stops when its context ends, letting a request in flight finish.
func TestServeStopsGracefully(t *testing.T) {
	cfg := testConfig(t)
	ctx, cancel := context.WithCancel(context.Background())
	up := make(chan *office.Office, 1)
	done := make(chan error, 1)
	go func() { done <- office.Serve(ctx, cfg, office.Deps{}, func(o *office.Office) { up <- o }) }()
	var o *office.Office
	select {
	case o = <-up:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	// A slow client: the body of a dossier still arriving when the stop comes.
	pr, pw := io.Pipe()
	answered := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, o.URL+"/v1/verified", pr)
		req.Header.Set("Authorization", "Bearer "+o.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	pw.Write([]byte(`{"nationalCode":`))
	time.Sleep(100 * time.Millisecond) // the request is in flight
	cancel()
	time.Sleep(100 * time.Millisecond)
	pw.Write([]byte(`"0015260186"}`))
	pw.Close()
	if code := <-answered; code != http.StatusOK {
		t.Errorf("request in flight at shutdown answered %d, want 200", code)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(office.ShutdownGrace):
		t.Fatal("serve did not return after its context ended")
	}
	if _, err := http.Get(o.URL + "/health"); err == nil {
		t.Error("still answering after shutdown")
	}
}

// The embedded demo passes the kiosk's own SMS provider: a dossier delivered with the kiosks'
// token, approved by a reviewer, then its bourse code recorded with the admin's, sends the notice
// through it. Before the approval the code is refused.
func TestDepsSMSIsUsed(t *testing.T) {
	ctx := context.Background()
	con := sms.NewConsole(5)
	o := startOffice(t, ctx, testConfig(t), office.Deps{SMS: con})
	if o.Console != nil {
		t.Error("built a console provider although one was given")
	}
	body, _ := json.Marshal(dossier.Dossier{Version: dossier.Version, SessionID: "s1", KioskID: "k1", Mode: dossier.ModeKiosk,
		Applicant: dossier.Applicant{Person: kyc.Person{NationalCode: "0015260186"}, Mobile: "09121234567"}})
	req, _ := http.NewRequest(http.MethodPost, o.URL+"/v1/dossiers", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+o.Token)
	req.Header.Set("Idempotency-Key", "key-000001")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("deliver: %v %v", resp, err)
	}
	resp.Body.Close()
	if err := intake.RecordBourseCode(ctx, o.URL, o.AdminToken, "s1", "ابج12345"); err == nil || !strings.Contains(err.Error(), "review.error.transition") {
		t.Fatalf("bourse code before any decision: %v, want review.error.transition", err)
	}
	if _, ok := con.Last("09121234567"); ok {
		t.Fatal("an SMS went out for a dossier nobody approved")
	}
	rv := o.Intake.Review()
	id, err := rv.IDByKey(ctx, "", "s1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rv.Decide(ctx, review.Decision{DossierID: id, Version: 1, Actor: review.Actor{Name: "maryam", Role: review.RoleReviewer},
		Action: review.Approve, Reason: "review.reason.verified_manually"}); err != nil {
		t.Fatal(err)
	}
	if err := intake.RecordBourseCode(ctx, o.URL, o.AdminToken, "s1", "ابج12345"); err != nil {
		t.Fatal(err)
	}
	if m, ok := con.Last("09121234567"); !ok || m.Message.Tokens[0] != "ابج12345" {
		t.Errorf("notice through the given provider: %+v %v", m, ok)
	}
}
