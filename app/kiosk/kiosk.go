// Package kiosk assembles the kiosk's back end from configuration — the SQLite store, the
// external services (or their simulators), the detector plugin host and the ten-step flow — so
// the GUI main and the tests that kill a real kiosk process build exactly the same thing.
package kiosk

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ehraz/ehraz/app/config"
	"github.com/ehraz/ehraz/app/detect"
	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/outbox"
	"github.com/ehraz/ehraz/app/store"
)

// Kiosk is the assembled back end. Close releases everything Open started, in reverse order.
type Kiosk struct {
	Config   config.Config
	Store    *store.Store
	Services *Services
	// Plugins is the started plugin host (nil with Options.PluginsInBackground: use Detectors).
	Plugins *detect.Host
	// Detectors is the plugin host as the flow and the screens use it, also while it starts.
	Detectors *Plugins
	Flow      *flow.Machine

	closers      []func() error
	startPlugins func() // with Options.PluginsInBackground
}

// StartPlugins starts the plugin host in the background when Open was asked to leave it for
// later (Options.PluginsInBackground: the kiosk calls it once its first screen is up, so the
// plugins' start-up does not compete with the window's). Calling it again, or without that
// option, does nothing.
func (k *Kiosk) StartPlugins() {
	if k.startPlugins != nil {
		k.startPlugins()
	}
}

// Options carries what does not belong in the configuration file.
type Options struct {
	// Warn receives non-fatal start-up problems (a plugin refused or down); nil ignores them.
	// The kiosk still starts: the affected checks answer "could not verify".
	Warn func(error)
	// PluginsInBackground makes Open leave the plugin host for Kiosk.StartPlugins (the kiosk
	// shows its window first); Kiosk.Plugins then stays nil and Kiosk.Detectors waits for the
	// host. PluginsReady, when set, hears when it has started (nil) or failed.
	PluginsInBackground bool
	PluginsReady        func(error)
	// Camera is the camera's own check (a capture.Measured), recorded with every selfie and
	// video; nil records none (the embedded demo and the tests).
	Camera flow.CameraCheck
}

// Open builds the back end. Plugins that fail to start do not stop the kiosk (their checks give
// "could not verify" and the operator sees them down); everything else is required.
func Open(ctx context.Context, cfg config.Config, o Options) (_ *Kiosk, err error) {
	k := &Kiosk{Config: cfg}
	defer func() {
		if err != nil {
			k.Close()
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("kiosk: data folder %s: %w", cfg.DataDir, err)
	}

	st, err := store.Open(ctx, StoreOptions(cfg))
	if err != nil {
		return nil, fmt.Errorf("kiosk: open store: %w", err)
	}
	k.Store = st
	k.closers = append(k.closers, st.Close)

	svc, err := StartServices(ctx, cfg.Services, ServiceDeps{
		DB: st.DB(), Source: DossierSource(st), KioskID: cfg.KioskID, Mode: cfg.Mode, DataDir: cfg.DataDir, Shared: cfg.Shared,
	})
	if err != nil {
		return nil, fmt.Errorf("kiosk: start services: %w", err)
	}
	k.Services = svc
	k.closers = append(k.closers, svc.Close)

	k.Detectors = newPlugins()
	if o.PluginsInBackground {
		// The window comes first: StartPlugins starts them once it is up, and a check asked for
		// meanwhile waits for them (Plugins).
		pctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		k.startPlugins = sync.OnceFunc(func() {
			go func() {
				defer close(done)
				host, err := openPlugins(pctx, cfg, o)
				k.Detectors.set(host, err)
				if o.PluginsReady != nil {
					o.PluginsReady(err)
				}
			}()
		})
		k.closers = append(k.closers, func() error {
			cancel()
			k.startPlugins() // a kiosk closed before it started them: nothing left to wait for
			<-done
			if h, ok := k.Detectors.Host(); ok {
				return h.Close()
			}
			return nil
		})
	} else {
		host, err := openPlugins(ctx, cfg, o)
		if err != nil {
			return nil, err
		}
		k.Plugins = host
		k.Detectors.set(host, nil)
		k.closers = append(k.closers, host.Close)
	}

	m, err := flow.New(flow.Deps{
		Store: st, OTP: svc.OTP, Sejam: svc.Sejam, Registry: svc.Registry, Eligibility: svc.Eligibility,
		Detectors: k.Detectors, Dossier: svc.Outbox, Locks: st, Camera: o.Camera,
	}, flow.Config{
		IdleTimeout:     cfg.Session.IdleTimeout.Duration,
		PersonLockFor:   cfg.Session.PersonLock.Duration,
		Mode:            cfg.Mode,
		DressCodeReview: cfg.Session.DressCodeReview,
		FacePolicy:      flow.FacePolicy{PassFMR: cfg.Face.PassFMR, FailFMR: cfg.Face.FailFMR, FusedPassFMR: cfg.Face.FusedPassFMR},
		// A locked session can be resumed by an operator while its data is kept.
		UnlockWithin: cfg.Session.RetainFinished.Duration,
	})
	if err != nil {
		return nil, fmt.Errorf("kiosk: flow: %w", err)
	}
	k.Flow = m

	// Retention: finished and abandoned sessions are purged on schedule while the kiosk runs.
	k.background(ctx, func(ctx context.Context) {
		st.PurgeEvery(ctx, time.Hour, cfg.Session.RetainFinished.Duration, cfg.Session.RetainAbandoned.Duration,
			func(_ store.PurgeReport, err error) {
				// A purge cut short by Close is not a problem to report.
				if err != nil && o.Warn != nil && ctx.Err() == nil {
					o.Warn(fmt.Errorf("kiosk: retention purge: %w", err))
				}
			})
	})

	// Submissions whose dossier never reached the outbox (queueing failed, or the kiosk died
	// between committing the submission and queueing it) are queued now and then every few
	// minutes, so an accepted applicant is never left unsent.
	if err := k.Requeue(ctx); err != nil && o.Warn != nil {
		o.Warn(err)
	}
	k.background(ctx, func(ctx context.Context) {
		t := time.NewTicker(requeueEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := k.Requeue(ctx); err != nil && o.Warn != nil && ctx.Err() == nil {
					o.Warn(err)
				}
			}
		}
	})
	return k, nil
}

// requeueEvery is how often the kiosk looks for submitted sessions missing from the outbox.
const requeueEvery = 5 * time.Minute

// Requeue queues the dossier of every submitted session that has none in the outbox; the error
// joins those it could not queue.
func (k *Kiosk) Requeue(ctx context.Context) error {
	ids, err := k.Unqueued(ctx)
	if err != nil {
		return fmt.Errorf("kiosk: requeue: %w", err)
	}
	var errs []error
	for _, id := range ids {
		if err := k.Services.Outbox.Enqueue(ctx, id); err != nil {
			errs = append(errs, fmt.Errorf("kiosk: requeue a submitted session: %w", err))
		}
	}
	return errors.Join(errs...)
}

// Unqueued lists the submitted sessions (store) that have no dossier in the outbox.
func (k *Kiosk) Unqueued(ctx context.Context) ([]string, error) {
	return Unqueued(ctx, k.Store, k.Services.Outbox)
}

// Unqueued lists the sessions st says were submitted that ob has no dossier for.
func Unqueued(ctx context.Context, st *store.Store, ob *outbox.Outbox) ([]string, error) {
	ids, err := st.Submitted(ctx)
	if err != nil {
		return nil, err
	}
	return ob.Missing(ctx, ids)
}

// background runs loop in its own goroutine until Close, which cancels loop's context and waits
// for it to return.
func (k *Kiosk) background(ctx context.Context, loop func(context.Context)) {
	ctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		loop(ctx)
	}()
	k.closers = append(k.closers, func() error { stop(); <-done; return nil })
}

// Close stops what Open started.
func (k *Kiosk) Close() error {
	var errs []error
	for i := len(k.closers) - 1; i >= 0; i-- {
		errs = append(errs, k.closers[i]())
	}
	k.closers = nil
	return errors.Join(errs...)
}

// trustedPluginKeys reads [plugins] trusted_keys; a bare file name is in <data_dir>/keys. Keys
// that cannot be read are reported and left out: with none left every plugin is refused.
func trustedPluginKeys(cfg config.Config) ([]ed25519.PublicKey, error) {
	var keys []ed25519.PublicKey
	var errs []error
	for _, name := range cfg.Plugins.TrustedKeys {
		path := name
		if filepath.Base(name) == name {
			path = filepath.Join(cfg.Path("keys"), name)
		}
		k, err := detect.LoadPublicKey(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("trusted key not read (`make build` makes the development key): %w", err))
			continue
		}
		keys = append(keys, k)
	}
	return keys, errors.Join(errs...)
}

// pluginDir resolves a relative plugin folder against the working directory first and then
// against the executable's folder's parent (bin/ehraz → bin/plugins), so the kiosk finds its
// plugins whether started by `make run` or from elsewhere.
func pluginDir(dir string) string {
	if dir == "" || filepath.IsAbs(dir) {
		return dir
	}
	if _, err := os.Stat(dir); err == nil {
		return dir
	}
	if exe, err := os.Executable(); err == nil {
		alt := filepath.Join(filepath.Dir(exe), "..", dir)
		if _, err := os.Stat(alt); err == nil {
			return alt
		}
	}
	return dir
}

// openPlugins starts the plugin host. Plugins that fail to start do not stop it (Warn hears of
// them); only a host that cannot run at all is an error.
func openPlugins(ctx context.Context, cfg config.Config, o Options) (*detect.Host, error) {
	keys, keyErr := trustedPluginKeys(cfg)
	host, err := detect.Open(ctx, detect.Config{Dir: pluginDir(cfg.Plugins.Dir), CallTimeout: cfg.Plugins.CallTimeout.Duration,
		TrustedKeys: keys, RequireSignature: len(cfg.Plugins.TrustedKeys) > 0,
		Sandbox: detect.SandboxConfig{Lang: cfg.Language, User: cfg.Plugins.SandboxUser,
			UIDs: cfg.Plugins.SandboxUIDs, Filesystem: cfg.Plugins.SandboxFilesystem}})
	if host == nil {
		return nil, fmt.Errorf("kiosk: plugins: %w", err)
	}
	if o.Warn != nil {
		if keyErr != nil {
			o.Warn(fmt.Errorf("kiosk: plugins: %w", keyErr))
		}
		if err != nil {
			o.Warn(fmt.Errorf("kiosk: some plugins did not start: %w", err))
		}
		for _, g := range host.Sandbox().Unenforced() {
			o.Warn(fmt.Errorf("kiosk: plugin sandbox: %s NOT ENFORCED: %s", g.Name, g.Detail))
		}
	}
	return host, nil
}
