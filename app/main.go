// Command ehraz is the kiosk: it only wires configuration, locales, the camera, the flow and the
// Fyne UI together; every decision lives in a package with tests.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"fyne.io/fyne/v2/app"

	"github.com/ehraz/ehraz/app/config"
	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/ui"
	"github.com/ehraz/ehraz/capture"
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
	fontDir := os.Getenv("EHRAZ_FONTS")
	if fontDir == "" {
		fontDir = "assets/fonts"
	}
	screenshots := os.Getenv("EHRAZ_SCREENSHOTS")

	// TODO(store, services, detect, capture, flow): wire store.Open(cfg.Path(...)), the
	// services/simulators, the plugin host (Analyzer + Health), a capture source from cfg.Camera
	// and flow.NewMachine(...) here once those packages provide constructors.
	var (
		driver flow.Driver
		camera capture.Source
	)

	a := app.NewWithID("ir.ehraz.kiosk")
	u := ui.New(a, ui.Options{
		Lang:        cfg.Language,
		Catalog:     cat,
		Flow:        driver,
		Camera:      camera,
		PINHash:     cfg.Operator.PINHash,
		IdleWarning: cfg.Session.IdleWarning.Duration,
		Kiosk:       cfg.Mode == "kiosk",
	})
	if err := u.UseTheme(fontDir); err != nil {
		return err
	}
	if screenshots != "" {
		if err := u.RunTour(screenshots); err != nil {
			return err
		}
		u.ShowAndRun()
		return nil
	}
	if driver == nil {
		return fmt.Errorf("the session flow is not available in this build")
	}
	if err := u.Start(context.Background()); err != nil {
		return fmt.Errorf("start session: %w", err)
	}
	u.ShowAndRun()
	return nil
}
