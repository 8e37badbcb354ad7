// Package detect is the kiosk's supervised host for detector plugins, which it treats as untrusted
// vendor code. It discovers plugins from a folder of manifests (see Manifest), starts only the
// binaries a manifest names, only when the manifest is signed by a trusted key (Config.TrustedKeys)
// and the binary's SHA-256 matches it (a refusal is loud, naming the plugin), and runs a copy of
// exactly the bytes it verified inside a sandbox (SandboxConfig; Host.Sandbox reports what this
// machine enforces). It talks to them over gRPC with AutoMTLS, puts a deadline on every call,
// restarts a crashed plugin with back-off and keeps per-plugin health for the operator screen.
//
// API (all methods are safe for concurrent use and never block past the configured deadline):
//
//	h, err := detect.Open(ctx, detect.Config{Dir: "bin/plugins"})
//	defer h.Close()
//	h.CheckSelfie(ctx, req)    // sdk.FaceDetector
//	h.MatchFaces(ctx, req)     // sdk.FaceDetector
//	h.CheckSignature(ctx, req) // sdk.SignatureDetector
//	h.CheckLiveness(ctx, req)  // sdk.LivenessDetector
//	h.AnalyzeFrame(ctx, req)   // sdk.FrameAnalyzer, routed by req.Purpose
//	h.Health()                 // []Health for the operator screen
//
// A crashed, hung, missing or misbehaving plugin never yields a pass and never an error: the
// check methods always return a Verdict (error nil) whose Outcome is CouldNotVerify with a
// reason key (verdict.plugin.unavailable, verdict.plugin.timeout, verdict.plugin.missing,
// verdict.plugin.invalid_answer, verdict.plugin.error, verdict.plugin.cancelled). Only
// AnalyzeFrame returns an error, since preview hints are best effort. Callers must still call the
// host off Fyne's UI goroutine: a call may take up to the deadline.
package detect

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/transport"
)

// Reason keys of verdicts the host makes itself (locales: verdict.plugin.*).
const (
	ReasonUnavailable   = "verdict.plugin.unavailable"
	ReasonTimeout       = "verdict.plugin.timeout"
	ReasonMissing       = "verdict.plugin.missing"
	ReasonInvalidAnswer = "verdict.plugin.invalid_answer"
	ReasonError         = "verdict.plugin.error"
	ReasonCancelled     = "verdict.plugin.cancelled"
)

// Config tunes the host; zero values take the defaults shown.
type Config struct {
	Dir             string        // folder of manifests and binaries, e.g. "bin/plugins"
	CallTimeout     time.Duration // deadline of every call but CheckLiveness (default 10s)
	LivenessTimeout time.Duration // deadline of CheckLiveness (default 60s)
	StartTimeout    time.Duration // plugin start + handshake (default 10s)
	MinBackoff      time.Duration // first restart delay after a crash (default 200ms)
	MaxBackoff      time.Duration // restart delay cap (default 30s)
	// Logger receives the host's and the plugins' stderr logs (default: hclog to stderr, warn).
	Logger hclog.Logger
	// Sandbox confines every plugin process (see SandboxConfig; Host.Sandbox says what is
	// enforced on this machine).
	Sandbox SandboxConfig
	// TrustedKeys verify plugin manifests: with RequireSignature (or any key given) a plugin
	// whose manifest is unsigned, signed by another key or altered is refused. Without either,
	// SHA-256 pins alone are checked and the "signature" guard is reported not enforced.
	TrustedKeys      []ed25519.PublicKey
	RequireSignature bool
}

func (c *Config) defaults() {
	if c.CallTimeout <= 0 {
		c.CallTimeout = 10 * time.Second
	}
	if c.LivenessTimeout <= 0 {
		c.LivenessTimeout = 60 * time.Second
	}
	if c.StartTimeout <= 0 {
		c.StartTimeout = 10 * time.Second
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 200 * time.Millisecond
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = hclog.New(&hclog.LoggerOptions{Name: "detect", Output: os.Stderr, Level: hclog.Warn})
	}
}

// State is a plugin's health state.
type State string

const (
	StateUp         State = "up"
	StateDown       State = "down"       // refused or failed to start; see LastError
	StateRestarting State = "restarting" // crashed or killed after a timeout; restarts after back-off
)

// Health is one plugin's status for the operator screen.
type Health struct {
	Name        string
	Kinds       []sdk.Kind
	Info        sdk.Info // as the plugin reported it at start; zero if it never started
	State       State
	LastError   string
	Restarts    int
	LastLatency time.Duration
	PID         int // 0 when not running
}

// ErrChecksum marks a binary whose SHA-256 differs from its manifest.
var ErrChecksum = errors.New("checksum mismatch")

// Host supervises the plugins of one folder. Create it with Open.
type Host struct {
	cfg     Config
	box     *sandbox
	plugins []*supervised
	stop    chan struct{}
	threads chan struct{} // closed after the plugins are stopped: ends their start threads
	wg      sync.WaitGroup
}

// Open reads the manifests in cfg.Dir and starts every plugin. A plugin that is refused (bad
// checksum) or fails to start does not stop the others: it stays down with LastError set and
// is reported in the returned error too, so the caller can log it; h is usable either way.
// Open fails without a Host only when the manifests cannot be read.
func Open(ctx context.Context, cfg Config) (*Host, error) {
	cfg.defaults()
	ms, err := LoadManifests(cfg.Dir)
	if err != nil {
		return nil, err
	}
	box, err := newSandbox(ctx, cfg.Sandbox, cfg.Dir)
	if err != nil {
		return nil, err
	}
	cfg.RequireSignature = cfg.RequireSignature || len(cfg.TrustedKeys) > 0
	switch {
	case cfg.RequireSignature && len(cfg.TrustedKeys) == 0:
		box.add("signature", true, "signed manifests required but no trusted key could be read: every plugin is refused")
	case cfg.RequireSignature:
		ids := make([]string, len(cfg.TrustedKeys))
		for i, k := range cfg.TrustedKeys {
			ids[i] = KeyID(k)
		}
		box.add("signature", true, "manifests must be signed (Ed25519) by key "+strings.Join(ids, ", "))
	default:
		box.add("signature", false, "no trusted plugin keys configured: binaries are pinned by SHA-256 only, manifests not signed")
	}
	if un := box.status.Unenforced(); len(un) > 0 {
		cfg.Logger.Error("detector plugin sandbox INCOMPLETE: plugins run with less confinement than configured",
			"not_enforced", SandboxStatus{Guards: un}.String())
	} else {
		cfg.Logger.Info("detector plugin sandbox", "status", box.status.String())
	}
	h := &Host{cfg: cfg, box: box, stop: make(chan struct{}), threads: make(chan struct{})}
	var errs []error
	for _, m := range ms {
		s := &supervised{m: m, path: filepath.Join(cfg.Dir, m.Binary), cfg: &h.cfg, box: box, state: StateDown,
			thread: newLockedThread(h.threads)}
		h.plugins = append(h.plugins, s)
		if err := s.start(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	h.wg.Add(1)
	go h.watch()
	return h, errors.Join(errs...)
}

// watch restarts crashed plugins once their back-off has passed, so health recovers without
// waiting for the next call.
func (h *Host) watch() {
	defer h.wg.Done()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
			for _, s := range h.plugins {
				s.mu.Lock()
				due := s.state == StateRestarting && time.Now().After(s.nextStart)
				s.mu.Unlock()
				if due {
					ctx, cancel := context.WithTimeout(context.Background(), h.cfg.StartTimeout)
					_, _ = s.remote(ctx)
					cancel()
				}
			}
		}
	}
}

// Close stops every plugin process.
func (h *Host) Close() error {
	close(h.stop)
	h.wg.Wait()
	for _, s := range h.plugins {
		s.mu.Lock()
		if s.client != nil {
			s.client.Kill()
			s.client = nil
		}
		s.state = StateDown
		s.mu.Unlock()
	}
	close(h.threads)
	h.box.close()
	return nil
}

// Text is a plugin's own text for key in lang (a reason or hint key the kiosk's catalog lacks),
// from the verified texts of the plugins that are up; false when none has it.
func (h *Host) Text(lang, key string) (string, bool) {
	for _, s := range h.plugins {
		s.mu.Lock()
		t, ok := s.texts[lang][key]
		s.mu.Unlock()
		if ok {
			return t, true
		}
	}
	return "", false
}

// Sandbox reports what the host enforces on its plugins on this machine, for operator mode.
func (h *Host) Sandbox() SandboxStatus {
	return SandboxStatus{Guards: slices.Clone(h.box.status.Guards)}
}

// Health reports every plugin, sorted by name.
func (h *Host) Health() []Health {
	out := make([]Health, 0, len(h.plugins))
	for _, s := range h.plugins {
		out = append(out, s.health())
	}
	return out
}

// pick returns the first up-or-recoverable plugin of kind that declares method, preferring
// plugins that are up.
func (h *Host) pick(kind sdk.Kind, method string) *supervised {
	var fallback *supervised
	for _, s := range h.plugins {
		if !slices.Contains(s.m.Kinds, kind) {
			continue
		}
		s.mu.Lock()
		st, caps := s.state, s.info.Capabilities
		s.mu.Unlock()
		if st == StateUp && slices.Contains(caps, method) {
			return s
		}
		if fallback == nil && (st != StateUp || slices.Contains(caps, method)) {
			fallback = s
		}
	}
	return fallback
}

func (h *Host) check(ctx context.Context, kind sdk.Kind, method string, timeout time.Duration,
	fn func(context.Context, *transport.Remote) (sdk.Verdict, error)) (sdk.Verdict, error) {
	s := h.pick(kind, method)
	if s == nil {
		return sdk.CouldNotVerifyVerdict(ReasonMissing), nil
	}
	var v sdk.Verdict
	reason := s.do(ctx, timeout, func(ctx context.Context, r *transport.Remote) error {
		var err error
		v, err = fn(ctx, r)
		return err
	})
	if reason != "" {
		v = sdk.CouldNotVerifyVerdict(reason)
	} else {
		v = sanitize(v)
	}
	v.Provenance = s.provenance()
	return v, nil
}

// sanitize makes sure nothing passes by default: an unspecified or unknown outcome becomes
// CouldNotVerify, and a verdict without a reason gets one.
func sanitize(v sdk.Verdict) sdk.Verdict {
	if eff := v.Outcome.Effective(); eff != v.Outcome || v.Outcome == sdk.OutcomeUnspecified {
		v.Outcome = sdk.CouldNotVerify
		v.Reasons = append([]string{ReasonInvalidAnswer}, v.Reasons...)
	}
	if len(v.Reasons) == 0 && v.Outcome != sdk.Pass {
		v.Reasons = []string{ReasonInvalidAnswer}
	}
	return v
}

// CheckSelfie implements sdk.FaceDetector.
func (h *Host) CheckSelfie(ctx context.Context, req sdk.SelfieRequest) (sdk.Verdict, error) {
	return h.check(ctx, sdk.KindFace, "CheckSelfie", h.cfg.CallTimeout, func(ctx context.Context, r *transport.Remote) (sdk.Verdict, error) {
		return r.CheckSelfie(ctx, req)
	})
}

// MatchFaces implements sdk.FaceDetector.
func (h *Host) MatchFaces(ctx context.Context, req sdk.MatchRequest) (sdk.Verdict, error) {
	return h.check(ctx, sdk.KindFace, "MatchFaces", h.cfg.CallTimeout, func(ctx context.Context, r *transport.Remote) (sdk.Verdict, error) {
		return r.MatchFaces(ctx, req)
	})
}

// CheckSignature implements sdk.SignatureDetector.
func (h *Host) CheckSignature(ctx context.Context, req sdk.SignatureRequest) (sdk.Verdict, error) {
	return h.check(ctx, sdk.KindSignature, "CheckSignature", h.cfg.CallTimeout, func(ctx context.Context, r *transport.Remote) (sdk.Verdict, error) {
		return r.CheckSignature(ctx, req)
	})
}

// CheckLiveness implements sdk.LivenessDetector (deadline: Config.LivenessTimeout).
func (h *Host) CheckLiveness(ctx context.Context, req sdk.LivenessRequest) (sdk.Verdict, error) {
	return h.check(ctx, sdk.KindLiveness, "CheckLiveness", h.cfg.LivenessTimeout, func(ctx context.Context, r *transport.Remote) (sdk.Verdict, error) {
		return r.CheckLiveness(ctx, req)
	})
}

// AnalyzeFrame implements sdk.FrameAnalyzer, routing by purpose: selfie → face plugin, video →
// liveness plugin (face plugin if none), signature → signature plugin. The error carries a
// reason key (ReasonMissing, ReasonTimeout …) as text; hints are best effort.
func (h *Host) AnalyzeFrame(ctx context.Context, req sdk.FrameRequest) (sdk.FrameAnalysis, error) {
	var s *supervised
	switch req.Purpose {
	case sdk.PurposeSignature:
		s = h.pick(sdk.KindSignature, "AnalyzeFrame")
	case sdk.PurposeVideo:
		if s = h.pick(sdk.KindLiveness, "AnalyzeFrame"); s == nil {
			s = h.pick(sdk.KindFace, "AnalyzeFrame")
		}
	default:
		s = h.pick(sdk.KindFace, "AnalyzeFrame")
	}
	if s == nil {
		return sdk.FrameAnalysis{}, errors.New(ReasonMissing)
	}
	var a sdk.FrameAnalysis
	reason := s.do(ctx, h.cfg.CallTimeout, func(ctx context.Context, r *transport.Remote) error {
		var err error
		a, err = r.AnalyzeFrame(ctx, req)
		return err
	})
	if reason != "" {
		return sdk.FrameAnalysis{}, errors.New(reason)
	}
	return a, nil
}

// supervised is one plugin process and its health.
type supervised struct {
	m      Manifest
	path   string
	cfg    *Config
	box    *sandbox
	thread *lockedThread // starts the process: see lockedThread

	mu          sync.Mutex
	client      *plugin.Client
	rem         *transport.Remote
	info        sdk.Info
	texts       Texts // its own verified texts, from its last start
	starting    bool
	state       State
	lastErr     string
	restarts    int
	started     int
	lastLatency time.Duration
	backoff     time.Duration
	nextStart   time.Time
}

// provenance is what the host knows of the plugin: its manifest, and the version it reported at
// its last start.
func (s *supervised) provenance() sdk.Provenance {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := sdk.Provenance{Plugin: s.m.Name, Version: s.info.Version, SHA256: s.m.SHA256}
	if s.cfg.RequireSignature {
		p.Signer = s.m.Signer // verified before the plugin started; unverified otherwise
	}
	return p
}

func (s *supervised) health() Health {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := Health{Name: s.m.Name, Kinds: s.m.Kinds, Info: s.info, State: s.state, LastError: s.lastErr,
		Restarts: s.restarts, LastLatency: s.lastLatency}
	if s.client != nil && !s.client.Exited() {
		if rc := s.client.ReattachConfig(); rc != nil {
			h.PID = rc.Pid
		}
	}
	return h
}

// verify reads the binary once and compares the SHA-256 of those bytes with the manifest; the
// host runs a copy of exactly these bytes (sandbox.prepare), so nothing swapped in after the
// check is executed.
func (s *supervised) verify() ([]byte, error) {
	if s.cfg.RequireSignature {
		if err := s.m.VerifySignature(s.cfg.TrustedKeys); err != nil {
			return nil, fmt.Errorf("plugin %q REFUSED: %w", s.m.Name, err)
		}
	}
	want, err := hex.DecodeString(s.m.SHA256)
	if err != nil {
		return nil, fmt.Errorf("plugin %q: manifest sha256 is not hex: %w", s.m.Name, err)
	}
	bin, err := os.ReadFile(s.path)
	if err != nil {
		return nil, fmt.Errorf("plugin %q: read binary: %w", s.m.Name, err)
	}
	if got := sha256.Sum256(bin); !slices.Equal(got[:], want) {
		return nil, fmt.Errorf("plugin %q REFUSED: binary %s %w (manifest sha256 %s, file sha256 %s)",
			s.m.Name, s.path, ErrChecksum, s.m.SHA256, hex.EncodeToString(got[:]))
	}
	return bin, nil
}

// start launches the process without holding s.mu, so Health never waits on a slow start;
// concurrent callers meanwhile get "unavailable".
func (s *supervised) start(ctx context.Context) error {
	s.mu.Lock()
	if s.starting {
		s.mu.Unlock()
		return fmt.Errorf("plugin %q is starting", s.m.Name)
	}
	s.starting = true
	s.mu.Unlock()
	c, rem, info, texts, err := s.launch(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.starting = false
	if err != nil {
		s.state, s.lastErr = StateDown, err.Error()
		if s.started > 0 {
			s.state = StateRestarting
		}
		s.bumpBackoffLocked()
		s.cfg.Logger.Error("detector plugin not started", "plugin", s.m.Name, "error", err)
		return err
	}
	s.client, s.rem, s.info, s.texts, s.state = c, rem, info, texts, StateUp
	if s.started > 0 {
		s.restarts++
	}
	s.started++
	return nil
}

// launch verifies, starts and handshakes one process; it touches only immutable fields.
func (s *supervised) launch(ctx context.Context) (*plugin.Client, *transport.Remote, sdk.Info, Texts, error) {
	fail := func(c *plugin.Client, err error) (*plugin.Client, *transport.Remote, sdk.Info, Texts, error) {
		if c != nil {
			c.Kill()
		}
		return nil, nil, sdk.Info{}, nil, err
	}
	bin, err := s.verify()
	if err != nil {
		return fail(nil, err)
	}
	texts, err := loadTexts(filepath.Dir(s.path), s.m)
	if err != nil {
		return fail(nil, err)
	}
	if _, serr := os.Stat(TextsDir(filepath.Dir(s.path), s.m.Name)); texts == nil && serr == nil {
		s.cfg.Logger.Warn("plugin texts ignored: its manifest does not cover them (sign it again)", "plugin", s.m.Name)
	}
	exe, tmp, err := s.box.prepare(s.m.Name, s.m.Binary, bin)
	if err != nil {
		return fail(nil, err)
	}
	cmd, err := s.box.command(s.m.Name, exe, tmp)
	if err != nil {
		return fail(nil, err)
	}
	cc := transport.ClientConfig(cmd, s.cfg.Logger.Named(s.m.Name))
	cc.SkipHostEnv = true // the plugin's environment is exactly sandbox.envFor
	cc.StartTimeout = s.cfg.StartTimeout
	c := plugin.NewClient(cc)
	var rpc plugin.ClientProtocol
	// The fork happens in Client (it starts the process): on the plugin's own thread.
	if terr := s.thread.run(func() { rpc, err = c.Client() }); terr != nil {
		err = terr
	}
	if err != nil {
		return fail(c, fmt.Errorf("plugin %q: start %s: %w", s.m.Name, s.path, err))
	}
	if v := c.NegotiatedVersion(); v != sdk.ProtocolVersion {
		return fail(c, fmt.Errorf("plugin %q: speaks protocol v%d, host wants v%d", s.m.Name, v, sdk.ProtocolVersion))
	}
	raw, err := rpc.Dispense(transport.PluginName)
	if err != nil {
		return fail(c, fmt.Errorf("plugin %q: dispense: %w", s.m.Name, err))
	}
	rem, ok := raw.(*transport.Remote)
	if !ok {
		return fail(c, fmt.Errorf("plugin %q: unexpected client type %T", s.m.Name, raw))
	}
	ictx, cancel := context.WithTimeout(ctx, s.cfg.CallTimeout)
	info, err := rem.Info(ictx)
	cancel()
	if err != nil {
		return fail(c, fmt.Errorf("plugin %q: Info: %w", s.m.Name, err))
	}
	if err := s.m.admits(info); err != nil {
		return fail(c, err)
	}
	return c, rem, info, texts, nil
}

// admits checks the plugin's own account against what its manifest grants.
func (m Manifest) admits(info sdk.Info) error {
	if m.Version != "" && info.Version != m.Version {
		return fmt.Errorf("plugin %q REFUSED: reports version %q, its manifest says %q", m.Name, info.Version, m.Version)
	}
	if len(m.Capabilities) > 0 {
		for _, c := range info.Capabilities {
			if !slices.Contains(m.Capabilities, c) {
				return fmt.Errorf("plugin %q REFUSED: claims capability %s, which its manifest does not grant", m.Name, c)
			}
		}
	}
	return nil
}

// remote returns a live client, restarting the process when its back-off has passed.
func (s *supervised) remote(ctx context.Context) (*transport.Remote, error) {
	s.mu.Lock()
	if s.client != nil && !s.client.Exited() && s.state == StateUp {
		defer s.mu.Unlock()
		return s.rem, nil
	}
	if s.client != nil {
		s.crashedLocked(errors.New("plugin process exited"))
	}
	if time.Now().Before(s.nextStart) {
		s.mu.Unlock()
		return nil, fmt.Errorf("plugin %q restarting", s.m.Name)
	}
	s.mu.Unlock()
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rem == nil {
		return nil, fmt.Errorf("plugin %q not running", s.m.Name)
	}
	return s.rem, nil
}

func (s *supervised) bumpBackoffLocked() {
	if s.backoff == 0 {
		s.backoff = s.cfg.MinBackoff
	} else if s.backoff *= 2; s.backoff > s.cfg.MaxBackoff {
		s.backoff = s.cfg.MaxBackoff
	}
	s.nextStart = time.Now().Add(s.backoff)
}

// crashedLocked records a dead or killed process and schedules its restart.
func (s *supervised) crashedLocked(cause error) {
	if c := s.client; c != nil {
		// Kill may wait seconds for a graceful exit; never hold s.mu (and Health) that long.
		go c.Kill()
		s.client, s.rem = nil, nil
	}
	s.state, s.lastErr = StateRestarting, cause.Error()
	s.bumpBackoffLocked()
	s.cfg.Logger.Warn("detector plugin down, restarting after back-off", "plugin", s.m.Name, "error", cause, "backoff", s.backoff)
}

// do runs one call with a deadline and returns "" or the reason key of the failure.
func (s *supervised) do(ctx context.Context, timeout time.Duration, fn func(context.Context, *transport.Remote) error) string {
	if ctx.Err() != nil {
		return ReasonCancelled
	}
	rem, err := s.remote(ctx)
	if err != nil {
		return ReasonUnavailable
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t0 := time.Now()
	err = fn(cctx, rem)
	lat := time.Since(t0)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastLatency = lat
	if err == nil {
		s.backoff = 0
		return ""
	}
	switch {
	case ctx.Err() != nil:
		return ReasonCancelled
	case cctx.Err() == context.DeadlineExceeded || status.Code(err) == codes.DeadlineExceeded:
		// A hung plugin keeps its goroutines busy forever; kill it so it comes back clean.
		if s.rem == rem {
			s.crashedLocked(fmt.Errorf("call exceeded deadline %s", timeout))
		}
		return ReasonTimeout
	case s.client == nil || s.client.Exited() || status.Code(err) == codes.Unavailable:
		if s.rem == rem {
			s.crashedLocked(fmt.Errorf("plugin process lost: %w", err))
		}
		return ReasonUnavailable
	default:
		s.lastErr = err.Error()
		return ReasonError
	}
}
