// Package services wires the kiosk's external services from configuration: the SMS provider,
// our OTP, the SEJAM/Shahkar and civil-registry clients (pointed at the in-process simulator
// for demos), geo-IP, eligibility and the dossier outbox (with an optional in-process reference
// intake for demos). The kiosk main calls Start and hands the ports to the flow; a brokerage
// goes live by changing only this configuration.
package services

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/outbox"
	"github.com/ehraz/ehraz/backoffice/intake"
	"github.com/ehraz/ehraz/domain/eligibility"
	"github.com/ehraz/ehraz/services/geoip"
	"github.com/ehraz/ehraz/services/otp"
	"github.com/ehraz/ehraz/services/registry"
	"github.com/ehraz/ehraz/services/sejam"
	"github.com/ehraz/ehraz/services/simulator"
	"github.com/ehraz/ehraz/services/sms"
)

// Config is the [services] section. Secrets are never in it: each *_file names a file holding
// the secret (or the matching EHRAZ_* environment variable overrides it).
type Config struct {
	// KeysDir holds the generated demo keys (otp.key, outbox.key, transport.key) ["<data_dir>/keys"].
	KeysDir string `toml:"keys_dir"`

	SMS struct {
		// Provider is "console" (demo: the code shows on the operator screen) or "gateway".
		Provider   string       `toml:"provider"`
		BaseURL    string       `toml:"base_url"`     // gateway only
		APIKeyFile string       `toml:"api_key_file"` // gateway only; env EHRAZ_SMS_API_KEY
		Template   sms.Template `toml:"template"`     // OTP template name at the gateway
	} `toml:"sms"`

	OTP otp.Config `toml:"otp"`

	Simulator struct {
		// Enabled starts the SEJAM/Shahkar/registry simulator in-process and points the clients
		// at it (demo). Off when going live.
		Enabled  bool   `toml:"enabled"`
		Addr     string `toml:"addr"`      // loopback ["127.0.0.1:8787"]
		Seed     string `toml:"seed"`      // identities file [embedded seed]
		PhotoDir string `toml:"photo_dir"` // [$SHARED/testdata/faces]
	} `toml:"simulator"`

	Sejam struct {
		BaseURL        string `toml:"base_url"`
		Username       string `toml:"username"`
		PasswordFile   string `toml:"password_file"` // env EHRAZ_SEJAM_PASSWORD
		ShahkarURL     string `toml:"shahkar_url"`
		ShahkarKeyFile string `toml:"shahkar_key_file"` // env EHRAZ_SHAHKAR_KEY
	} `toml:"sejam"`

	Registry struct {
		BaseURL    string `toml:"base_url"`
		APIKeyFile string `toml:"api_key_file"` // env EHRAZ_REGISTRY_KEY
	} `toml:"registry"`

	GeoIP struct {
		DB string `toml:"db"` // MMDB country file [".cache/geoip/geo-whois-asn-country.mmdb"]
	} `toml:"geoip"`

	Eligibility eligibility.Config `toml:"eligibility"`

	Intake struct {
		URL              string `toml:"url"`                // the brokerage's intake
		TokenFile        string `toml:"token_file"`         // env EHRAZ_INTAKE_TOKEN
		TransportKeyFile string `toml:"transport_key_file"` // shared with the intake [<keys_dir>/transport.key]
		// Embedded starts the reference intake in-process on Addr with its database at DB (demo).
		Embedded       bool   `toml:"embedded"`
		Addr           string `toml:"addr"` // ["127.0.0.1:8790"]
		DB             string `toml:"db"`   // [<data_dir>/intake.db]
		AdminTokenFile string `toml:"admin_token_file"`
	} `toml:"intake"`
}

// Demo returns the configuration `make run` uses: console SMS, simulators and intake in-process.
func Demo() Config {
	var c Config
	c.SMS.Provider = "console"
	c.Simulator.Enabled = true
	c.Intake.Embedded = true
	c.Eligibility.InBranch = true // a demo kiosk stands on loopback, not on the internet
	return c
}

// Deps is what the kiosk main already has.
type Deps struct {
	DB      *sql.DB       // the kiosk store's database (migrations 01NN applied)
	Source  outbox.Source // finished sessions, from the store
	KioskID string
	Mode    string // "kiosk" or "online"
	DataDir string
	Shared  string // the shared folder, for demo photos ($SHARED)
}

// Services are the ports for the flow plus what the operator screen and main need.
type Services struct {
	OTP         flow.OTP
	Sejam       flow.Sejam
	Registry    flow.Registry
	Eligibility flow.Eligibility
	Outbox      *outbox.Outbox // flow.Dossier; also Status for the final screen
	// Console is the demo SMS provider (nil with a gateway): the operator screen may read it.
	Console *sms.Console
	// SimulatorURL and IntakeURL are set when those run in-process.
	SimulatorURL string
	IntakeURL    string

	closers []func() error
}

// Close stops what Start started.
func (s *Services) Close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	return errors.Join(errs...)
}

// Start builds every service. The outbox's delivery loop runs until ctx ends.
func Start(ctx context.Context, cfg Config, d Deps) (_ *Services, err error) {
	s := &Services{}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if cfg.KeysDir == "" {
		cfg.KeysDir = filepath.Join(d.DataDir, "keys")
	}

	sender, console, err := NewSender(cfg.SMS.Provider, cfg.SMS.BaseURL, cfg.SMS.APIKeyFile)
	if err != nil {
		return nil, err
	}
	s.Console = console

	otpKey, err := LoadOrCreateKey(filepath.Join(cfg.KeysDir, "otp.key"))
	if err != nil {
		return nil, err
	}
	ocfg := cfg.OTP
	ocfg.KioskID = d.KioskID
	if cfg.SMS.Template != "" {
		ocfg.Template = cfg.SMS.Template
	}
	if s.OTP, err = otp.New(d.DB, sender, otpKey, ocfg, nil); err != nil {
		return nil, err
	}

	sj, rg := cfg.Sejam, cfg.Registry
	var sejamPass, shahkarKey, registryKey string
	if cfg.Simulator.Enabled {
		url, closeSim, err := startSimulator(ctx, cfg, sender, console != nil, d.Shared)
		if err != nil {
			return nil, err
		}
		s.closers = append(s.closers, closeSim)
		s.SimulatorURL = url
		sj.BaseURL, sj.ShahkarURL, rg.BaseURL = url+"/sejam/v1", url+"/shahkar/v1", url+"/registry/v1"
		sj.Username, sejamPass, shahkarKey, registryKey = "ehraz", "ehraz-demo", "ehraz-demo-key", "ehraz-demo-key"
	} else {
		if sejamPass, err = Secret("EHRAZ_SEJAM_PASSWORD", sj.PasswordFile); err != nil {
			return nil, err
		}
		if shahkarKey, err = Secret("EHRAZ_SHAHKAR_KEY", sj.ShahkarKeyFile); err != nil {
			return nil, err
		}
		if registryKey, err = Secret("EHRAZ_REGISTRY_KEY", rg.APIKeyFile); err != nil {
			return nil, err
		}
	}
	if s.Sejam, err = sejam.New(sejam.Config{BaseURL: sj.BaseURL, Username: sj.Username, Password: sejamPass,
		ShahkarURL: sj.ShahkarURL, ShahkarKey: shahkarKey}); err != nil {
		return nil, err
	}
	if s.Registry, err = registry.New(registry.Config{BaseURL: rg.BaseURL, APIKey: registryKey}); err != nil {
		return nil, err
	}

	// The database is needed only where the IP rule applies; elsewhere a missing file is fine.
	var geo *geoip.DB
	path := cfg.GeoIP.DB
	if path == "" {
		path = filepath.Join(".cache", "geoip", "geo-whois-asn-country.mmdb")
	}
	if g, gerr := geoip.Open(path); gerr == nil {
		geo = g
		s.closers = append(s.closers, g.Close)
	} else if d.Mode == "online" || !cfg.Eligibility.InBranch {
		return nil, fmt.Errorf("services: the IP rule applies but %w", gerr)
	}

	storeKey, err := LoadOrCreateKey(filepath.Join(cfg.KeysDir, "outbox.key"))
	if err != nil {
		return nil, err
	}
	tkPath := cfg.Intake.TransportKeyFile
	if tkPath == "" {
		tkPath = filepath.Join(cfg.KeysDir, "transport.key")
	}
	transportKey, err := LoadOrCreateKey(tkPath)
	if err != nil {
		return nil, err
	}
	intakeURL, token := cfg.Intake.URL, ""
	if cfg.Intake.Embedded {
		url, tok, closeIntake, err := startIntake(ctx, cfg, d.DataDir, sender, geo)
		if err != nil {
			return nil, err
		}
		s.closers = append(s.closers, closeIntake)
		intakeURL, token, s.IntakeURL = url, tok, url
	} else if token, err = Secret("EHRAZ_INTAKE_TOKEN", cfg.Intake.TokenFile); err != nil {
		return nil, err
	}
	ob, err := outbox.New(d.DB, d.Source, outbox.Config{IntakeURL: intakeURL, Token: token, KioskID: d.KioskID, Mode: d.Mode,
		StoreKey: storeKey, TransportKey: transportKey})
	if err != nil {
		return nil, err
	}
	s.Outbox = ob
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { ob.Run(runCtx); close(done) }()
	s.closers = append(s.closers, func() error { stop(); <-done; return nil })

	ecfg := cfg.Eligibility
	ecfg.Mode = d.Mode
	if s.Eligibility, err = eligibility.New(ecfg, geo, ob); err != nil {
		return nil, err
	}
	return s, nil
}

// NewSender builds the SMS provider: "console" (returned also as *sms.Console) or "gateway".
func NewSender(provider, baseURL, apiKeyFile string) (sms.Sender, *sms.Console, error) {
	switch provider {
	case "", "console":
		c := sms.NewConsole(50)
		return c, c, nil
	case "gateway":
		key, err := Secret("EHRAZ_SMS_API_KEY", apiKeyFile)
		if err != nil {
			return nil, nil, err
		}
		g, err := sms.NewGateway(sms.GatewayConfig{BaseURL: baseURL, APIKey: key})
		if err != nil {
			return nil, nil, err
		}
		return g, nil, nil
	}
	return nil, nil, fmt.Errorf("services: sms provider %q: want console or gateway", provider)
}

func startSimulator(ctx context.Context, cfg Config, sender sms.Sender, reveal bool, shared string) (string, func() error, error) {
	ids, err := simulator.DefaultSeed()
	if cfg.Simulator.Seed != "" {
		ids, err = simulator.LoadSeed(cfg.Simulator.Seed)
	}
	if err != nil {
		return "", nil, err
	}
	photos := cfg.Simulator.PhotoDir
	if photos == "" && shared != "" {
		photos = filepath.Join(shared, "testdata", "faces")
	}
	srv, err := simulator.New(simulator.Config{SMS: sender, RevealCodes: reveal, PhotoDir: photos}, ids)
	if err != nil {
		return "", nil, err
	}
	addr := cfg.Simulator.Addr
	if addr == "" {
		addr = "127.0.0.1:8787"
	}
	run, err := simulator.Start(ctx, addr, srv)
	if err != nil {
		return "", nil, err
	}
	return run.URL, run.Close, nil
}

func startIntake(ctx context.Context, cfg Config, dataDir string, sender sms.Sender, geo *geoip.DB) (string, string, func() error, error) {
	dbPath := cfg.Intake.DB
	if dbPath == "" {
		dbPath = filepath.Join(dataDir, "intake.db")
	}
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
		return "", "", nil, fmt.Errorf("intake folder: %w", err)
	}
	db, err := intake.OpenDB(dbPath)
	if err != nil {
		return "", "", nil, err
	}
	keys := cfg.KeysDir
	dataKey, err := LoadOrCreateKey(filepath.Join(keys, "intake-data.key"))
	if err != nil {
		db.Close()
		return "", "", nil, err
	}
	token, err := LoadOrCreateToken(filepath.Join(keys, "intake.token"))
	if err != nil {
		db.Close()
		return "", "", nil, err
	}
	admin, err := LoadOrCreateToken(filepath.Join(keys, "intake-admin.token"))
	if err != nil {
		db.Close()
		return "", "", nil, err
	}
	rule := eligibility.IPRule{Geo: geo, Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	srv, err := intake.New(intake.Config{Token: token, AdminToken: admin, DataKey: dataKey, SMS: sender, IPRule: rule}, db)
	if err != nil {
		db.Close()
		return "", "", nil, err
	}
	addr := cfg.Intake.Addr
	if addr == "" {
		addr = "127.0.0.1:8790"
	}
	run, err := simulator.Start(ctx, addr, srv)
	if err != nil {
		db.Close()
		return "", "", nil, err
	}
	return run.URL, token, func() error { err := run.Close(); return errors.Join(err, db.Close()) }, nil
}

// Secret reads a secret from the environment variable env, else from file.
func Secret(env, file string) (string, error) {
	if v := os.Getenv(env); v != "" {
		return v, nil
	}
	if file == "" {
		return "", fmt.Errorf("secret missing: set %s or configure its file", env)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read secret %s: %w", file, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// LoadOrCreateKey returns the 32-byte key stored hex-encoded at path, creating it (mode 0600)
// from crypto/rand when missing.
func LoadOrCreateKey(path string) ([]byte, error) {
	s, err := loadOrCreate(path, 32)
	if err != nil {
		return nil, err
	}
	k, err := hex.DecodeString(s)
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("key %s: want 64 hex digits", path)
	}
	return k, nil
}

// LoadOrCreateToken returns the token stored at path, creating a random one when missing.
func LoadOrCreateToken(path string) (string, error) { return loadOrCreate(path, 24) }

func loadOrCreate(path string, n int) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("keys folder: %w", err)
	}
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate %s: %w", path, err)
	}
	s := hex.EncodeToString(b)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another process made it first
			return loadOrCreate(path, n)
		}
		return "", fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return s, f.Close()
}
