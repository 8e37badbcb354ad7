// Command ehraz-backoffice is the brokerage's back office: the intake server kiosks deliver
// their sealed dossiers to, the review console where each dossier is decided, the kiosks'
// enrollment and certificate authority, and the recording of the bourse code CSDI issues, which
// tells the applicant by SMS. It runs on the brokerage's machine, one per brokerage, and imports nothing of the
// kiosk.
//
//	ehraz-backoffice [--config FILE] [--addr 127.0.0.1:8790] [--data var] [flags]
//
// Configuration: defaults, then the TOML file (--config or EHRAZ_BACKOFFICE_CONFIG), then
// EHRAZ_BACKOFFICE_ADDR / EHRAZ_BACKOFFICE_DATA_DIR, then flags (-h lists them). The kiosks'
// and the admin's tokens and the data key are created under <data>/keys on first start. It
// stops gracefully on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/ehraz/ehraz/backoffice/office"
)

func main() {
	os.Exit(run())
}

func run() int {
	if len(os.Args) > 1 && slices.Contains(office.FaceCommands, os.Args[1]) {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return office.FaceCommand(ctx, "ehraz-backoffice", os.Args[1], os.Args[2:], os.Stdout, os.Stderr)
	}
	cfg, err := office.Load("ehraz-backoffice", os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "ehraz-backoffice:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	warn := func(msg string) { fmt.Fprintln(os.Stderr, "ehraz-backoffice: warning:", msg) }
	err = office.Serve(ctx, cfg, office.Deps{Warn: warn}, func(o *office.Office) {
		fmt.Printf("ehraz-backoffice: intake listening on %s (engine %s, keys in %s)\n", o.URL, o.Config.Engine, o.Config.KeysDir)
		fmt.Printf("ehraz-backoffice: CA fingerprint for kiosk enrollment: %s\n", o.CAFingerprint)
		fmt.Printf("ehraz-backoffice: review console %s\n", o.ConsoleURL)
		if o.FirstPassword != "" {
			if err := office.AnnounceFirstPassword(os.Stdout, office.IsTerminal(os.Stdout), "ehraz-backoffice", o.Config.KeysDir, o.Config.Console.FirstUser, o.FirstPassword); err != nil {
				warn(err.Error())
			}
		}
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ehraz-backoffice:", err)
		return 1
	}
	fmt.Println("ehraz-backoffice: stopped")
	return 0
}
