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
	"syscall"
	"time"

	"fyne.io/fyne/v2/app"

	"github.com/ehraz/ehraz/app/config"
	"github.com/ehraz/ehraz/app/kiosk"
	"github.com/ehraz/ehraz/app/pin"
	"github.com/ehraz/ehraz/app/ui"
	"github.com/ehraz/ehraz/capture"
	"github.com/ehraz/ehraz/capture/cvcam"
	"github.com/ehraz/ehraz/locales"
)

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

	k, err := kiosk.Open(ctx, cfg, kiosk.Options{Warn: func(err error) { fmt.Fprintln(os.Stderr, "ehraz:", err) },
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

	a := app.NewWithID("ir.ehraz.kiosk")
	superviseUI(ctx, a, func(err error) { fmt.Fprintln(os.Stderr, "ehraz: systemd notify:", err) })
	u := ui.New(a, ui.Options{
		Lang:        cfg.Language,
		Catalog:     cat,
		Flow:        k.Flow,
		Camera:      cam,
		Analyzer:    k.Plugins,
		Sessions:    operatorSessions{st: k.Store, ob: k.Services.Outbox, now: time.Now},
		Tracker:     tracker{k.Services.Tracker},
		PluginText:  k.Plugins.Text,
		Health:      pluginHealth{host: k.Plugins},
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
		if err := u.RunTour(dir); err != nil {
			return err
		}
		u.ShowAndRun()
		return nil
	}
	if err := u.Start(ctx); err != nil {
		return fmt.Errorf("start session: %w", err)
	}
	u.ShowAndRun()
	return nil
}
