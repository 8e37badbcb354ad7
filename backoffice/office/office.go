// Package office assembles and starts the back office's server from one Config: the intake's
// database and keys under a data folder, the kiosks' and the admin's tokens, the SMS provider
// that tells applicants their bourse code, the geo-IP database and allow-list of the IP rule, and
// the TLS proxies whose X-Forwarded-For is believed. Three callers start it the same way:
// bin/ehraz-backoffice (backoffice/main.go), `ehrazctl intake serve`, and the kiosk's wiring,
// which runs it in-process as the embedded demo back office.
package office

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ehraz/ehraz/backoffice/console"
	"github.com/ehraz/ehraz/backoffice/database"
	"github.com/ehraz/ehraz/backoffice/fleet"
	"github.com/ehraz/ehraz/backoffice/intake"
	"github.com/ehraz/ehraz/backoffice/review"
	"github.com/ehraz/ehraz/domain/eligibility"
	"github.com/ehraz/ehraz/services/geoip"
	"github.com/ehraz/ehraz/services/secrets"
	"github.com/ehraz/ehraz/services/sms"
)

// Config is the back office's configuration (its TOML file; see Load for flags and the
// environment). Secrets are never in it: the *_file settings name files holding them, created
// with random contents when missing, and the SMS gateway's key may come from EHRAZ_SMS_API_KEY.
// Empty fields take the defaults in brackets; Defaults holds the program's starting values.
type Config struct {
	// Addr is where the intake listens ["127.0.0.1:8790"]. Put a TLS proxy in front of it when it
	// leaves loopback.
	Addr string `toml:"addr"`
	// DataDir holds the database and the keys folder ["var"].
	DataDir string `toml:"data_dir"`
	// Engine is the database engine: "sqlite" (the embedded default, one file: DB) or
	// "postgres" (a fleet: several back-office processes share one PostgreSQL database, which
	// holds the dossiers and their sealed media) ["sqlite"].
	Engine string `toml:"engine"`
	// DB is the SQLite database [<data_dir>/intake.db].
	DB string `toml:"db"`
	// PostgresDSNFile holds the PostgreSQL connection string (it carries a password, so it is
	// never in this file); EHRAZ_BACKOFFICE_PG_DSN wins.
	PostgresDSNFile string `toml:"postgres_dsn_file"`
	// KeysDir holds the token and key files below [<data_dir>/keys].
	KeysDir string `toml:"keys_dir"`
	// TokenFile authenticates kiosks [<keys_dir>/intake.token]; AdminTokenFile the back office's
	// own commands [<keys_dir>/intake-admin.token]; DataKeyFile seals stored dossiers and keys
	// the national-code hashes [<keys_dir>/intake-data.key].
	TokenFile      string `toml:"token_file"`
	AdminTokenFile string `toml:"admin_token_file"`
	DataKeyFile    string `toml:"data_key_file"`
	// GeoIP is the MMDB country database of the IP rule; "" (or a missing file, with a
	// warning) accepts only the Allow networks.
	GeoIP string `toml:"geoip"`
	// Allow lists networks accepted whatever the database says (CIDRs or bare addresses).
	Allow []string `toml:"allow"`
	// TrustedProxies are the TLS proxies in front of the server whose X-Forwarded-For is believed.
	TrustedProxies []string `toml:"trusted_proxies"`
	// SMS is the provider of the bourse-code notice.
	SMS SMS `toml:"sms"`
	// Limits bound the server's connections and uploads; zero fields take the defaults
	// (DefaultLimits).
	Limits Limits `toml:"limits"`
	// MediaKeyFile holds the kiosks' transport key, which opens their dossiers' media in the
	// console and verifies their amendments [<keys_dir>/transport.key]. It is never created
	// here: the key comes from the kiosks (the embedded demo shares its keys folder).
	MediaKeyFile string `toml:"media_key_file"`
	// FontsDir holds Vazirmatn for the console ["assets/fonts"].
	FontsDir string `toml:"fonts_dir"`
	// Console configures the review console, served under /console/.
	Console Console `toml:"console"`
	// Retention is how long dossiers and their media are kept ([retention] rejected_media,
	// keep; durations like "720h"); the purge runs at start and every hour.
	Retention review.Retention `toml:"retention"`
	// TLS serves HTTPS with a certificate from the back office's own CA (<keys_dir>/ca.*),
	// which kiosks pin at enrollment, and accepts their client certificates [false: plain HTTP,
	// for loopback or behind a TLS proxy].
	TLS bool `toml:"tls"`
	// KioskAddr, when set, is a second listener for the kiosks only: always TLS with the CA's
	// certificate (client certificates verified), while Addr may stay plain HTTP for the console
	// on loopback (the embedded demo uses it so the reviewer's browser meets no certificate
	// warning).
	KioskAddr string `toml:"kiosk_addr"`
	// Hostnames are the names and addresses the server certificate covers beside loopback.
	Hostnames []string `toml:"hostnames"`
	// RequireMTLS refuses the kiosks' shared bearer token: every kiosk must present its own
	// certificate (enrolled with ehrazctl kiosk enroll) [false].
	RequireMTLS bool `toml:"require_mtls"`
	// LoopbackOnly refuses an Addr beyond loopback (the kiosk's embedded demo).
	LoopbackOnly bool `toml:"-"`
}

// Console configures the review console ([console] in TOML, durations written "15m").
type Console struct {
	// FourEyes makes a supervisor confirm every rejection and every approval against a failed
	// check [false].
	FourEyes bool `toml:"four_eyes"`
	// Idle ends a reviewer's session after this long without a request [15m].
	Idle time.Duration `toml:"idle"`
	// SLA marks dossiers waiting longer as late in the queue [48h].
	SLA time.Duration `toml:"sla"`
	// FirstUser and FirstRole name the account created when the console has none; its
	// password is printed once at that start ["admin", "admin"].
	FirstUser string `toml:"first_user"`
	FirstRole string `toml:"first_role"`
}

// Limits bound what one connection and the dossier uploads may hold ([limits] in TOML,
// durations written "15m").
type Limits struct {
	// ReadHeaderTimeout bounds reading a request's headers [10s].
	ReadHeaderTimeout time.Duration `toml:"read_header_timeout"`
	// RequestTimeout bounds reading a whole request and writing its answer (the server's
	// ReadTimeout and WriteTimeout) [15m].
	RequestTimeout time.Duration `toml:"request_timeout"`
	// IdleTimeout closes a keep-alive connection idle between requests [2m].
	IdleTimeout time.Duration `toml:"idle_timeout"`
	// MaxDossierBytes bounds one dossier's body: larger gets 413 [intake.MaxDossierBytes, 129 MiB].
	MaxDossierBytes int64 `toml:"max_dossier_bytes"`
	// MaxUploads bounds the dossiers read at the same time: more get 503 with Retry-After
	// [intake.DefaultMaxUploads, 4].
	MaxUploads int `toml:"max_uploads"`
}

// DefaultLimits are the limits of an unset Limits. A kiosk on a slow branch uplink needs
// minutes for the largest dossier (129 MiB at 3 Mbit/s is about 6 minutes; an ordinary 4 MB
// one takes seconds), so reading a request and writing its answer may take 15 minutes; a
// connection idle between requests is closed after 2 minutes (the kiosks' outbox polls every
// few seconds when it has work and opens a new connection otherwise).
func DefaultLimits() Limits {
	return Limits{ReadHeaderTimeout: 10 * time.Second, RequestTimeout: 15 * time.Minute, IdleTimeout: 2 * time.Minute,
		MaxDossierBytes: intake.MaxDossierBytes, MaxUploads: intake.DefaultMaxUploads}
}

func (l Limits) resolved() Limits {
	d := DefaultLimits()
	if l.ReadHeaderTimeout <= 0 {
		l.ReadHeaderTimeout = d.ReadHeaderTimeout
	}
	if l.RequestTimeout <= 0 {
		l.RequestTimeout = d.RequestTimeout
	}
	if l.IdleTimeout <= 0 {
		l.IdleTimeout = d.IdleTimeout
	}
	if l.MaxDossierBytes <= 0 {
		l.MaxDossierBytes = d.MaxDossierBytes
	}
	if l.MaxUploads <= 0 {
		l.MaxUploads = d.MaxUploads
	}
	return l
}

// SMS configures the provider of the bourse-code notice.
type SMS struct {
	// Provider is "console" (the message is only kept in memory and logged) or "gateway" ["console"].
	Provider   string `toml:"provider"`
	BaseURL    string `toml:"base_url"`     // gateway only
	APIKeyFile string `toml:"api_key_file"` // gateway only; env EHRAZ_SMS_API_KEY wins
	// Template is the gateway template of the notice ["ehraz-bourse-code"].
	Template sms.Template `toml:"template"`
}

// EnvPostgresDSN is the environment variable holding the PostgreSQL connection string.
const EnvPostgresDSN = "EHRAZ_BACKOFFICE_PG_DSN"

// DefaultAddr is where the back office listens unless told otherwise.
const DefaultAddr = "127.0.0.1:8790"

// Defaults is the configuration bin/ehraz-backoffice and `ehrazctl intake serve` start from:
// loopback, ./var, the geo-IP database `make setup` fetches, loopback allowed, console SMS.
func Defaults() Config {
	return Config{
		Addr:    DefaultAddr,
		DataDir: "var",
		GeoIP:   filepath.Join(".cache", "geoip", "geo-whois-asn-country.mmdb"),
		Allow:   []string{"127.0.0.0/8", "::1/128"},
		SMS:     SMS{Provider: "console"},
	}
}

// resolved fills the derived paths.
func (c Config) resolved() Config {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.Addr, DefaultAddr)
	def(&c.DataDir, "var")
	def(&c.Engine, "sqlite")
	def(&c.DB, filepath.Join(c.DataDir, "intake.db"))
	def(&c.KeysDir, filepath.Join(c.DataDir, "keys"))
	def(&c.TokenFile, filepath.Join(c.KeysDir, "intake.token"))
	def(&c.AdminTokenFile, filepath.Join(c.KeysDir, "intake-admin.token"))
	def(&c.DataKeyFile, filepath.Join(c.KeysDir, "intake-data.key"))
	def(&c.MediaKeyFile, filepath.Join(c.KeysDir, "transport.key"))
	def(&c.FontsDir, filepath.Join("assets", "fonts"))
	def(&c.Console.FirstUser, "admin")
	def(&c.Console.FirstRole, string(review.RoleAdmin))
	c.Limits = c.Limits.resolved()
	return c
}

// Deps are what a caller that already has them hands over instead of the Config's settings.
type Deps struct {
	// SMS sends the bourse-code notice; nil builds the provider of Config.SMS.
	SMS sms.Sender
	// Geo is the country lookup of the IP rule; nil opens Config.GeoIP (when set). The caller
	// keeps ownership of what it passes.
	Geo eligibility.CountryLookup
	// Warn receives what an operator should know but does not stop the server (no geo-IP
	// database, plain HTTP beyond loopback); nil drops it.
	Warn func(msg string)
	// Now is the intake's clock [time.Now].
	Now func() time.Time
}

// Office is a running back office.
type Office struct {
	// URL is the intake's base URL, e.g. "http://127.0.0.1:8790".
	URL string
	// Token is the kiosks' bearer token; AdminToken the admin endpoints'.
	Token      string
	AdminToken string
	// Config is the configuration as resolved (every path filled in).
	Config Config
	// Intake is the intake's handler (for tests and in-process callers).
	Intake *intake.Server
	// Console is the SMS provider when it is the console one built here (nil otherwise).
	Console *sms.Console
	// KioskURL is the kiosks' TLS listener ("" without KioskAddr).
	KioskURL string
	// Fleet is the registry of enrolled kiosks; CAFingerprint its CA's SHA-256, which kiosks pin.
	Fleet         *fleet.Registry
	CAFingerprint string
	// Review is the review console; ConsoleURL its address. FirstPassword is the password of
	// the account created at this start because the console had none ("" otherwise): shown
	// once, never stored in clear.
	Review        *console.Console
	ConsoleURL    string
	FirstPassword string

	hs       *http.Server
	db       *database.DB
	geo      *geoip.DB // owned: opened here
	served   chan struct{}
	serveErr error
	stopOnce sync.Once
	stopErr  error
}

// Start opens the database (creating it and the missing keys and tokens), builds the intake
// and serves it on cfg.Addr. It serves until ctx ends (then it shuts down as Shutdown does),
// Shutdown or Close is called, or serving fails (Done).
func Start(ctx context.Context, cfg Config, d Deps) (_ *Office, err error) {
	cfg = cfg.resolved()
	warn := d.Warn
	if warn == nil {
		warn = func(string) {}
	}
	var closers []func() error
	defer func() {
		if err != nil {
			for i := len(closers) - 1; i >= 0; i-- {
				closers[i]()
			}
		}
	}()
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("back office address %q: %w", cfg.Addr, err)
	}
	loopback := host == "localhost"
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsLoopback() {
		loopback = true
	}
	if cfg.LoopbackOnly && !loopback {
		return nil, fmt.Errorf("back office address %q: only loopback addresses are allowed", cfg.Addr)
	}
	allow, err := eligibility.Prefixes(cfg.Allow)
	if err != nil {
		return nil, fmt.Errorf("back office allow-list: %w", err)
	}
	trusted, err := eligibility.Prefixes(cfg.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("back office trusted proxies: %w", err)
	}
	o := &Office{Config: cfg, served: make(chan struct{})}
	rule := eligibility.IPRule{Geo: d.Geo, Allow: allow}
	if d.Geo == nil && cfg.GeoIP != "" {
		if g, err := geoip.Open(cfg.GeoIP); err == nil {
			o.geo, rule.Geo = g, g
			closers = append(closers, g.Close)
		} else {
			warn(fmt.Sprintf("no geoip database, only the allow-list is accepted: %v", err))
		}
	}
	sender := d.SMS
	if sender == nil {
		if sender, o.Console, err = sms.New(cfg.SMS.Provider, cfg.SMS.BaseURL, cfg.SMS.APIKeyFile); err != nil {
			return nil, err
		}
	}
	dataKey, err := secrets.LoadOrCreateKey(cfg.DataKeyFile)
	if err != nil {
		return nil, err
	}
	if o.Token, err = secrets.LoadOrCreateToken(cfg.TokenFile); err != nil {
		return nil, err
	}
	if o.AdminToken, err = secrets.LoadOrCreateToken(cfg.AdminTokenFile); err != nil {
		return nil, err
	}
	source := cfg.DB
	switch cfg.Engine {
	case database.SQLite:
		if err := os.MkdirAll(filepath.Dir(cfg.DB), 0o700); err != nil {
			return nil, fmt.Errorf("intake folder: %w", err)
		}
	case database.Postgres:
		if source, err = secrets.Secret(EnvPostgresDSN, cfg.PostgresDSNFile); err != nil || source == "" {
			return nil, fmt.Errorf("back office: engine postgres needs %s or postgres_dsn_file: %v", EnvPostgresDSN, err)
		}
	}
	if o.db, err = database.Open(ctx, cfg.Engine, source); err != nil {
		return nil, err
	}
	closers = append(closers, o.db.Close)
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	ca, err := fleet.LoadOrCreateCA(cfg.KeysDir, now())
	if err != nil {
		return nil, err
	}
	o.Fleet, o.CAFingerprint = fleet.NewRegistry(o.db, ca, dataKey, now), ca.Fingerprint()
	mediaKey, err := secrets.LoadKey(cfg.MediaKeyFile)
	if err != nil {
		warn(fmt.Sprintf("no shared transport key (%v): media and amendments of kiosks not enrolled (token kiosks) cannot be opened; enrolled kiosks deliver their own", err))
	}
	o.Intake, err = intake.New(intake.Config{Token: o.Token, AdminToken: o.AdminToken, DataKey: dataKey, MediaKey: mediaKey, SMS: sender,
		BourseTemplate: cfg.SMS.Template, IPRule: rule, TrustedProxies: trusted, Now: d.Now, FourEyes: cfg.Console.FourEyes,
		Identify: o.identify, MediaKeyFor: o.Fleet.MediaKey, RequireMTLS: cfg.RequireMTLS,
		MaxBody: cfg.Limits.MaxDossierBytes, MaxUploads: cfg.Limits.MaxUploads}, o.db)
	if err != nil {
		return nil, err
	}
	o.Review, err = console.New(o.db, o.Intake.Review(), console.Config{MediaKey: mediaKey, Fleet: o.Fleet, FontsDir: cfg.FontsDir,
		Idle: cfg.Console.Idle, SLA: cfg.Console.SLA, TrustedProxies: trusted, Now: d.Now, Log: warn})
	if err != nil {
		return nil, err
	}
	if o.FirstPassword, err = console.Bootstrap(ctx, o.db, cfg.Console.FirstUser, review.Role(cfg.Console.FirstRole), now()); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(console.Prefix, o.Review)
	enrollment := o.Fleet.Handler()
	mux.Handle("/v1/enroll", enrollment)
	mux.Handle("/v1/enroll/", enrollment)
	mux.Handle("/v1/renew", enrollment)
	mux.Handle("/", o.Intake)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("intake listen %s: %w", cfg.Addr, err)
	}
	scheme := "http"
	if cfg.TLS {
		tc, err := ca.ServerTLS(cfg.Hostnames, now())
		if err != nil {
			ln.Close()
			return nil, err
		}
		ln, scheme = tls.NewListener(ln, tc), "https"
	} else if !loopback {
		warn("serving plain HTTP beyond loopback; put a TLS proxy in front")
	}
	o.URL = scheme + "://" + ln.Addr().String()
	o.ConsoleURL = o.URL + console.Prefix
	var kln net.Listener
	if cfg.KioskAddr != "" {
		tc, err := ca.ServerTLS(cfg.Hostnames, now())
		if err == nil {
			kln, err = net.Listen("tcp", cfg.KioskAddr)
		}
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("kiosk listener %s: %w", cfg.KioskAddr, err)
		}
		kln = tls.NewListener(kln, tc)
		o.KioskURL = "https://" + kln.Addr().String()
	}
	o.hs = newHTTPServer(mux, cfg.Limits)
	if kln != nil {
		go o.hs.Serve(kln) // ends with the server (Shutdown or Close close every listener)
	}
	go func() {
		o.serveErr = o.hs.Serve(ln)
		close(o.served)
	}()
	go o.purgeEvery(ctx, cfg.Retention, now, warn)
	go func() {
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
			defer cancel()
			o.Shutdown(sctx)
		case <-o.served:
		}
	}()
	return o, nil
}

// identify names a kiosk by its certificate; a registry that cannot be read is the intake's
// "unavailable" (503), not a refusal.
func (o *Office) identify(r *http.Request) (string, error) {
	id, err := o.Fleet.Identify(r)
	if errors.Is(err, fleet.ErrUnavailable) {
		return "", fmt.Errorf("%w: %v", intake.ErrIdentifyUnavailable, err)
	}
	return id, err
}

// purgeEvery applies the retention policy now and every hour until the server stops.
func (o *Office) purgeEvery(ctx context.Context, pol review.Retention, now func() time.Time, warn func(string)) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if rep, err := o.Intake.Review().Purge(ctx, now(), pol); err != nil {
			if ctx.Err() == nil {
				warn(fmt.Sprintf("retention purge: %v", err))
			}
		} else if rep.MediaPurged+rep.Purged > 0 {
			warn(fmt.Sprintf("retention purge: media of %d rejected dossiers removed, %d dossiers reduced to tombstones", rep.MediaPurged, rep.Purged))
		}
		select {
		case <-ctx.Done():
			return
		case <-o.served:
			return
		case <-t.C:
		}
	}
}

// ShutdownGrace is how long requests in flight may take to finish once ctx ends.
const ShutdownGrace = 10 * time.Second

// Done is closed when the server stops serving, after Shutdown or Close or on a failure (Err).
func (o *Office) Done() <-chan struct{} { return o.served }

// Err is why serving stopped: nil after Shutdown or Close, else the listener's failure. Valid
// once Done is closed.
func (o *Office) Err() error {
	if errors.Is(o.serveErr, http.ErrServerClosed) {
		return nil
	}
	return o.serveErr
}

// Shutdown stops accepting, lets requests in flight finish until ctx ends (then drops them),
// and closes the database. Calling it (or Close) again returns the first result.
func (o *Office) Shutdown(ctx context.Context) error {
	return o.stop(func() error {
		if err := o.hs.Shutdown(ctx); err != nil {
			return errors.Join(err, o.hs.Close())
		}
		return nil
	})
}

// Close stops the server at once, dropping requests in flight, and closes the database.
func (o *Office) Close() error { return o.stop(o.hs.Close) }

func (o *Office) stop(halt func() error) error {
	o.stopOnce.Do(func() {
		err := halt()
		<-o.served
		o.stopErr = errors.Join(err, o.Err(), o.db.Close())
		if o.geo != nil {
			o.stopErr = errors.Join(o.stopErr, o.geo.Close())
		}
	})
	return o.stopErr
}

// Serve starts the back office, calls ready (when not nil) once it listens, and serves until ctx
// ends, then shuts down gracefully (ShutdownGrace). It returns an error only when the server
// could not start or stopped by itself.
func Serve(ctx context.Context, cfg Config, d Deps, ready func(*Office)) error {
	o, err := Start(ctx, cfg, d)
	if err != nil {
		return err
	}
	if ready != nil {
		ready(o)
	}
	select {
	case <-ctx.Done():
	case <-o.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownGrace)
	defer cancel()
	if err := o.Shutdown(sctx); err != nil {
		return fmt.Errorf("back office: %w", err)
	}
	return nil
}

func newHTTPServer(h http.Handler, l Limits) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: l.ReadHeaderTimeout, ReadTimeout: l.RequestTimeout,
		WriteTimeout: l.RequestTimeout, IdleTimeout: l.IdleTimeout}
}
