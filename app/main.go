// Command ehraz is the kiosk: it only wires configuration, locales, the back end (store,
// services, plugins, flow — package kiosk), the camera and the Fyne UI together; every decision
// lives in a package with tests.
package main

import (
	"context"
	"flag"
	"fmt"
	"fyne.io/fyne/v2"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"fyne.io/fyne/v2/app"

	"github.com/ehraz/ehraz/app/config"
	"github.com/ehraz/ehraz/app/kiosk"
	"github.com/ehraz/ehraz/app/pin"
	"github.com/ehraz/ehraz/app/ui"
	"github.com/ehraz/ehraz/app/voice"
	"github.com/ehraz/ehraz/app/voice/otoplay"
	"github.com/ehraz/ehraz/capture"
	"github.com/ehraz/ehraz/capture/cvcam"
	"github.com/ehraz/ehraz/locales"
)

// processStart is when main began: the start-up figures in the log are measured from it.
var processStart = time.Now()

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "ehraz:", err)
		os.Exit(1)
	}
}

func run() error {
	cfgPath := flag.String("config", "", "TOML configuration file (defaults are embedded)")
	flag.Parse()
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	cat, err := locales.Load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// The camera first: the flow records its own check (device identity, frame statistics) with
	// every selfie and video.
	policy, err := capture.NewPolicy(cfg.Camera.Allow, cfg.Camera.Deny)
	if err != nil {
		return fmt.Errorf("config [camera]: %w", err)
	}
	src, err := cvcam.Open(ctx, capture.Config{Source: cfg.Camera.Source, Device: cfg.Camera.Device, File: cfg.Camera.File,
		Width: cfg.Camera.Width, Height: cfg.Camera.Height, FPS: float64(cfg.Camera.FPS), FaceDir: cfg.Faces(), Policy: policy,
		Refused: func(d capture.DeviceCheck) {
			fmt.Fprintf(os.Stderr, "ehraz: camera refused: %s (%s)\n", d.Identity, d.Rule)
		}})
	if err != nil {
		return fmt.Errorf("camera: %w", err)
	}
	cam := capture.Measure(src)
	defer cam.Close()
	fmt.Fprintf(os.Stderr, "ehraz: camera %s (%s) %dx%d\n", cam.Info().Kind, cam.Info().Name, cam.Info().Width, cam.Info().Height)
	if d := cam.Info().Device; d != nil {
		fmt.Fprintf(os.Stderr, "ehraz: camera %s allowed=%v %s\n", d.Identity, d.Allowed, d.Rule)
	}

	k, err := kiosk.Open(ctx, cfg, kiosk.Options{PluginsInBackground: true, PluginsReady: pluginsReady,
		Warn:   func(err error) { fmt.Fprintln(os.Stderr, "ehraz:", err) },
		Camera: cam})
	if err != nil {
		return err
	}
	defer k.Close()

	pinHash, err := pin.Operator(cfg.Operator.PINHash, cfg.Path("keys"), os.Stdout)
	if err != nil {
		return err
	}

	lockout, err := pin.LoadLockout(cfg.Path("keys"), time.Now())
	if err != nil {
		// A damaged count keeps the login locked for a while (see pin.LoadLockout), never open.
		fmt.Fprintln(os.Stderr, "ehraz: operator lockout:", err)
	}

	if cfg.Shared == "" {
		fmt.Fprintln(os.Stderr, "ehraz: no shared data folder (set EHRAZ_SHARED): demo photos and registry photos are absent")
	} else {
		fmt.Fprintf(os.Stderr, "ehraz: shared data %s\n", cfg.Shared)
	}

	// Voice guidance: prompts from bin/voice (`make voice`) or EHRAZ_VOICE (a brokerage's
	// recordings); without a sound card it stays silent and says so here and in operator mode.
	speaker := otoplay.Open(voice.NewLibrary(voiceDir()), "")
	if ok, detail := speaker.Health(cfg.Language); !ok {
		fmt.Fprintln(os.Stderr, "ehraz: voice guide silent:", detail)
	}

	a := app.NewWithID("ir.ehraz.kiosk")
	superviseUI(ctx, a, func(err error) { fmt.Fprintln(os.Stderr, "ehraz: systemd notify:", err) })
	u := ui.New(a, ui.Options{
		Lang:        cfg.Language,
		Catalog:     cat,
		Flow:        k.Flow,
		Camera:      cam,
		Analyzer:    k.Detectors,
		Sessions:    operatorSessions{st: k.Store, ob: k.Services.Outbox, flow: k.Flow, now: time.Now},
		Outbox:      outboxQueue{k.Services.Outbox},
		Voice:       speaker,
		Tracker:     tracker{k.Services.Tracker},
		PluginText:  k.Detectors.Text,
		Health:      pluginHealth{p: k.Detectors},
		PINHash:     pinHash,
		Operators:   func() (pin.Operators, error) { return pin.LoadOperators(cfg.Path("keys")) },
		Lockout:     lockout,
		IdleWarning: cfg.Session.IdleWarning.Duration,
		MinAge:      cfg.Services.Eligibility.MinAge,
		Contacts: map[string]ui.Contact{
			"fa": {Name: cfg.Brokerage.Name, Address: cfg.Brokerage.Address, Phone: cfg.Brokerage.Phone, Hours: cfg.Brokerage.Hours},
			"en": {Name: cfg.Brokerage.NameEn, Address: cfg.Brokerage.AddressEn, Phone: cfg.Brokerage.Phone, Hours: cfg.Brokerage.HoursEn},
		},
		Kiosk: cfg.Mode == "kiosk" && os.Getenv("EHRAZ_WINDOWED") == "",
	})
	if err := u.UseTheme(cfg.Fonts); err != nil {
		return err
	}
	// SIGINT/SIGTERM (systemd stopping the unit): stop the UI's work and quit the app, so
	// ShowAndRun returns and the deferred closes run (store, plugins, services).
	go func() { <-ctx.Done(); u.Close(); fyne.Do(a.Quit) }()
	if dir := os.Getenv("EHRAZ_SCREENSHOTS"); dir != "" {
		k.StartPlugins() // the health column shows them
		if err := u.RunTour(dir); err != nil {
			return err
		}
		u.ShowAndRun()
		return nil
	}
	if err := u.Start(ctx); err != nil {
		return fmt.Errorf("start session: %w", err)
	}
	logFirstScreen(k.StartPlugins)
	u.ShowAndRun()
	return nil
}

// logFirstScreen logs how long after the process started the first screen was up (the first
// call the window's event loop runs comes right after it showed the window with its content),
// then runs then (the plugins' start, which would otherwise compete with the window's).
func logFirstScreen(then func()) {
	go fyne.Do(func() {
		fmt.Fprintf(os.Stderr, "ehraz: first screen %d ms after start\n", time.Since(processStart).Milliseconds())
		then()
	})
}

// pluginsReady logs when the plugins, started beside the window, are up.
func pluginsReady(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "ehraz: plugins did not start (%d ms after start): %v\n", time.Since(processStart).Milliseconds(), err)
		return
	}
	fmt.Fprintf(os.Stderr, "ehraz: plugins ready %d ms after start\n", time.Since(processStart).Milliseconds())
}

// voiceDir is the prompt folder: EHRAZ_VOICE, else bin/voice beside the executable (where
// `make voice` renders it).
func voiceDir() string {
	if d := os.Getenv("EHRAZ_VOICE"); d != "" {
		return d
	}
	if exe, err := os.Executable(); err == nil {
		return filepath.Join(filepath.Dir(exe), "voice")
	}
	return filepath.Join("bin", "voice")
}
