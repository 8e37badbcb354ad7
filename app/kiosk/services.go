package kiosk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/ehraz/ehraz/app/config"
	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/outbox"
	"github.com/ehraz/ehraz/backoffice/office"
	"github.com/ehraz/ehraz/domain/eligibility"
	"github.com/ehraz/ehraz/services/enroll"
	"github.com/ehraz/ehraz/services/geoip"
	"github.com/ehraz/ehraz/services/otp"
	"github.com/ehraz/ehraz/services/registry"
	"github.com/ehraz/ehraz/services/secrets"
	"github.com/ehraz/ehraz/services/sejam"
	"github.com/ehraz/ehraz/services/simulator"
	"github.com/ehraz/ehraz/services/sms"
)

// The kiosk's external services, wired from configuration: the SMS provider, our OTP, the
// SEJAM/Shahkar and civil-registry clients (pointed at the in-process simulator for demos),
// geo-IP, eligibility and the dossier outbox (with an optional in-process reference intake for
// demos). A brokerage goes live by changing only this configuration.

// ServiceDeps is what the services need from the rest of the kiosk.
type ServiceDeps struct {
	DB      *sql.DB       // the kiosk store's database (the OTP and outbox migrations applied)
	Source  outbox.Source // finished sessions, from the store (DossierSource)
	KioskID string
	Mode    string // "kiosk" or "online"
	DataDir string
	Shared  string // the shared folder (config.Config.Shared), for the simulator's photos
}

// Services are the ports for the flow plus what the operator screen and main need.
type Services struct {
	OTP         flow.OTP
	Sejam       flow.Sejam
	Registry    flow.Registry
	Eligibility flow.Eligibility
	Outbox      *outbox.Outbox // flow.Dossier; also Status for the final screen
	// Tracker answers "track my request" at the welcome screen.
	Tracker *Tracker
	// Console is the demo SMS provider (nil with a gateway): the operator screen may read it.
	Console *sms.Console
	// SimulatorURL and IntakeURL are set when those run in-process.
	SimulatorURL string
	IntakeURL    string
	// ConsoleURL is the embedded back office's review console; ConsolePassword the password of
	// its demo account ("demo", a supervisor), set only at the start that created it (shown once).
	ConsoleURL      string
	ConsolePassword string

	closers []func() error
}

// Close stops what StartServices started.
func (s *Services) Close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	return errors.Join(errs...)
}

// StartServices builds every service. The outbox's delivery loop runs until ctx ends.
func StartServices(ctx context.Context, cfg config.Services, d ServiceDeps) (_ *Services, err error) {
	s := &Services{}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if cfg.KeysDir == "" {
		cfg.KeysDir = filepath.Join(d.DataDir, "keys")
	}

	sender, console, err := sms.New(cfg.SMS.Provider, cfg.SMS.BaseURL, cfg.SMS.APIKeyFile)
	if err != nil {
		return nil, err
	}
	s.Console = console

	otpKey, err := secrets.LoadOrCreateKey(filepath.Join(cfg.KeysDir, "otp.key"))
	if err != nil {
		return nil, err
	}
	if s.OTP, err = otp.New(d.DB, sender, otpKey, otpConfig(cfg, d.KioskID), nil); err != nil {
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
		if sejamPass, err = secrets.Secret("EHRAZ_SEJAM_PASSWORD", sj.PasswordFile); err != nil {
			return nil, err
		}
		if shahkarKey, err = secrets.Secret("EHRAZ_SHAHKAR_KEY", sj.ShahkarKeyFile); err != nil {
			return nil, err
		}
		if registryKey, err = secrets.Secret("EHRAZ_REGISTRY_KEY", rg.APIKeyFile); err != nil {
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
	var geo eligibility.CountryLookup // stays a nil interface when the file does not open
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

	storeKey, err := secrets.LoadOrCreateKey(filepath.Join(cfg.KeysDir, "outbox.key"))
	if err != nil {
		return nil, err
	}
	tkPath := cfg.Intake.TransportKeyFile
	if tkPath == "" {
		tkPath = filepath.Join(cfg.KeysDir, "transport.key")
	}
	transportKey, err := secrets.LoadOrCreateKey(tkPath)
	if err != nil {
		return nil, err
	}
	intakeURL, token := cfg.Intake.URL, ""
	var hc *http.Client
	if cfg.Intake.Embedded {
		run, err := startIntake(ctx, cfg, d.DataDir, sender, geo, s)
		if err != nil {
			return nil, err
		}
		s.closers = append(s.closers, run.Close)
		// The demo kiosk is enrolled with the embedded back office at its first start (the
		// approval is given in-process) and delivers over mutual TLS like any fleet kiosk.
		id, err := enrollEmbedded(ctx, run, enroll.FilesIn(cfg.KeysDir), d.KioskID, transportKey)
		if err != nil {
			return nil, err
		}
		if hc, err = id.Client(); err != nil {
			return nil, err
		}
		intakeURL, token, s.IntakeURL = run.KioskURL, run.Token, run.URL
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { renewLoop(runCtx, id, run.KioskURL, d.KioskID); close(done) }()
		s.closers = append(s.closers, func() error { stop(); <-done; return nil })
	}
	// An enrolled kiosk (ehrazctl kiosk enroll) talks to its back office over mutual TLS with
	// its own certificate, renewed before it expires; otherwise the shared token.
	if !cfg.Intake.Embedded {
		if id, ierr := enroll.Open(enroll.FilesIn(cfg.KeysDir), nil); ierr == nil {
			if hc, err = id.Client(); err != nil {
				return nil, err
			}
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { renewLoop(runCtx, id, intakeURL, d.KioskID); close(done) }()
			s.closers = append(s.closers, func() error { stop(); <-done; return nil })
			token, _ = secrets.Secret("EHRAZ_INTAKE_TOKEN", cfg.Intake.TokenFile) // optional beside a certificate
		} else if token, err = secrets.Secret("EHRAZ_INTAKE_TOKEN", cfg.Intake.TokenFile); err != nil {
			return nil, fmt.Errorf("%w (or enroll this kiosk: ehrazctl kiosk enroll)", err)
		}
	}
	ob, err := outbox.New(d.DB, d.Source, outbox.Config{IntakeURL: intakeURL, Token: token, KioskID: d.KioskID, Mode: d.Mode,
		StoreKey: storeKey, TransportKey: transportKey, HTTP: hc})
	if err != nil {
		return nil, err
	}
	s.Outbox = ob
	s.Tracker = NewTracker(s.OTP, hc, intakeURL, token, nil)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { ob.Run(runCtx); close(done) }()
	s.closers = append(s.closers, func() error { stop(); <-done; return nil })

	ecfg := eligibilityConfig(cfg.Eligibility)
	ecfg.Mode = d.Mode
	if s.Eligibility, err = eligibility.New(ecfg, geo, ob); err != nil {
		return nil, err
	}
	return s, nil
}

// renewLoop renews the kiosk's certificate when it is due, checking every hour; a failure is
// tried again at the next check (the certificate stays valid for weeks after renewal is due).
func renewLoop(ctx context.Context, id *enroll.Identity, url, kioskID string) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if renewed, err := id.RenewIfDue(ctx, url, kioskID); err != nil {
			fmt.Fprintln(os.Stderr, "ehraz: kiosk certificate renewal failed, retrying in an hour:", err)
		} else if renewed {
			fmt.Println("ehraz: kiosk certificate renewed")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// otpConfig is the OTP service's configuration: [services.otp], this kiosk's rate-limit bucket
// and the gateway template of [services.sms] when one is set.
func otpConfig(cfg config.Services, kioskID string) otp.Config {
	c := cfg.OTP
	o := otp.Config{KioskID: kioskID, Template: sms.Template(c.Template), Digits: c.Digits, TTL: c.TTL,
		MaxAttempts: c.MaxAttempts, ResendAfter: c.ResendAfter, Window: c.Window, PerNumber: c.PerNumber, PerKiosk: c.PerKiosk}
	if cfg.SMS.Template != "" {
		o.Template = sms.Template(cfg.SMS.Template)
	}
	return o
}

// eligibilityConfig is the eligibility rules' configuration from [services.eligibility].
func eligibilityConfig(c config.Eligibility) eligibility.Config {
	return eligibility.Config{InBranch: c.InBranch, PublicIP: c.PublicIP, AllowCountries: c.AllowCountries,
		AllowNetworks: c.AllowNetworks, MinAge: c.MinAge}
}

func startSimulator(ctx context.Context, cfg config.Services, sender sms.Sender, reveal bool, shared string) (string, func() error, error) {
	ids, err := simulator.DefaultSeed()
	if cfg.Simulator.Seed != "" {
		ids, err = simulator.LoadSeed(cfg.Simulator.Seed)
	}
	if err != nil {
		return "", nil, err
	}
	photos := cfg.Simulator.PhotoDir
	if photos == "" && shared != "" {
		photos = filepath.Join(shared, filepath.FromSlash(config.SharedSubdir))
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

func startIntake(ctx context.Context, cfg config.Services, dataDir string, sender sms.Sender, geo eligibility.CountryLookup, s *Services) (*office.Office, error) {
	oc := office.Defaults()
	oc.Addr, oc.DataDir, oc.DB, oc.KeysDir, oc.GeoIP, oc.LoopbackOnly = cfg.Intake.Addr, dataDir, cfg.Intake.DB, cfg.KeysDir, "", true
	// Kiosks (this one) on their own TLS listener; the console stays plain HTTP on loopback.
	oc.KioskAddr = "127.0.0.1:0"
	// The demo's first console account can review, confirm and read the report.
	oc.Console.FirstUser, oc.Console.FirstRole = "demo", "supervisor"
	if tk := cfg.Intake.TransportKeyFile; tk != "" {
		oc.MediaKeyFile = tk
	}
	run, err := office.Start(ctx, oc, office.Deps{SMS: sender, Geo: geo})
	if err != nil {
		return nil, err
	}
	s.ConsoleURL, s.ConsolePassword = run.ConsoleURL, run.FirstPassword
	fmt.Printf("ehraz: review console %s\n", run.ConsoleURL)
	if run.FirstPassword != "" {
		if err := office.AnnounceFirstPassword(os.Stdout, office.IsTerminal(os.Stdout), "ehraz", run.Config.KeysDir, run.Config.Console.FirstUser, run.FirstPassword); err != nil {
			return nil, err
		}
	}
	return run, nil
}

// enrollEmbedded gives this kiosk its certificate from the embedded back office: on the first
// start (or when the files do not belong to this back office's CA any more) it makes the key and
// request, files them and approves them in-process with the code it made; later starts reuse the
// files.
func enrollEmbedded(ctx context.Context, run *office.Office, files enroll.Files, kioskID string, transportKey []byte) (*enroll.Identity, error) {
	if st, err := run.Fleet.Status(ctx, kioskID); err == nil && st.State == enroll.Active {
		if id, err := enroll.Open(files, nil); err == nil && id.TrustsCA(run.Fleet.CA().PEM) {
			return id, nil
		}
		// The files are gone or from another back office: enroll again.
		if err := run.Fleet.Revoke(ctx, kioskID, "embedded-demo"); err != nil {
			return nil, fmt.Errorf("kiosk: re-enroll with the embedded back office: %w", err)
		}
	}
	key, req, err := enroll.Prepare(files.Key, kioskID, transportKey)
	if err != nil {
		return nil, err
	}
	if err := run.Fleet.Request(ctx, req); err != nil {
		return nil, fmt.Errorf("kiosk: enroll with the embedded back office: %w", err)
	}
	if err := run.Fleet.Approve(ctx, kioskID, req.Code, "embedded-demo"); err != nil {
		return nil, fmt.Errorf("kiosk: enroll with the embedded back office: %w", err)
	}
	st, err := run.Fleet.Status(ctx, kioskID)
	if err != nil {
		return nil, err
	}
	if err := enroll.Save(files, st, key, kioskID); err != nil {
		return nil, err
	}
	return enroll.Open(files, nil)
}
