package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"github.com/ehraz/ehraz/services/enroll"
	"github.com/ehraz/ehraz/services/secrets"
)

// kioskCommand joins this kiosk to its brokerage's back office.
func kioskCommand() command {
	return command{
		name:    "kiosk",
		summary: "fleet identity: kiosk enroll --backoffice URL --fingerprint SHA256 | kiosk status",
		run: func(ctx context.Context, e *env, args []string) int {
			if len(args) == 0 || (args[0] != "enroll" && args[0] != "status") {
				fmt.Fprintln(e.stderr, "usage: ehrazctl kiosk enroll --backoffice https://HOST:8790 --fingerprint CA-SHA256 [--config F] [--wait 30m] | ehrazctl kiosk status")
				return exitUsage
			}
			fs := flag.NewFlagSet("kiosk "+args[0], flag.ContinueOnError)
			fs.SetOutput(e.stderr)
			sf := addStoreFlags(fs)
			url := fs.String("backoffice", "", "the back office's address (https://…), as its admin gives it")
			fp := fs.String("fingerprint", "", "the back office CA's SHA-256 fingerprint, from its start-up line or the console's kiosks page")
			wait := fs.Duration("wait", 30*time.Minute, "how long to wait for the admin's approval")
			if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
				return exitUsage
			}
			cfg, err := sf.load()
			if err != nil {
				fmt.Fprintln(e.stderr, "ehrazctl kiosk:", err)
				return exitInvalid
			}
			keys := cfg.Services.KeysDir
			if keys == "" {
				keys = cfg.Path("keys")
			}
			files := enroll.FilesIn(keys)
			if args[0] == "status" {
				id, err := enroll.Open(files, nil)
				if err != nil {
					fmt.Fprintln(e.stdout, e.cat.T(e.lang, "fleet.cli.not_enrolled"))
					return exitInvalid
				}
				exp, err := id.Expiry()
				if err != nil {
					fmt.Fprintln(e.stderr, "ehrazctl kiosk:", err)
					return exitInvalid
				}
				fmt.Fprintln(e.stdout, e.cat.T(e.lang, "fleet.cli.enrolled", "kiosk", cfg.KioskID, "until", exp.UTC().Format(time.DateOnly)))
				return exitOK
			}
			if *url == "" || *fp == "" {
				fmt.Fprintln(e.stderr, "ehrazctl kiosk enroll: --backoffice and --fingerprint are required")
				return exitUsage
			}
			return kioskEnroll(ctx, e, files, keys, cfg.KioskID, cfg.Services.Intake.TransportKeyFile, *url, *fp, *wait)
		},
	}
}

func kioskEnroll(ctx context.Context, e *env, files enroll.Files, keys, kioskID, transportFile, url, fp string, wait time.Duration) int {
	fail := func(err error) int {
		fmt.Fprintln(e.stderr, "ehrazctl kiosk enroll:", err)
		return exitInvalid
	}
	if !enroll.KioskIDPattern.MatchString(kioskID) {
		return fail(fmt.Errorf("kiosk_id %q: lower-case letters, digits and dashes (set kiosk_id in the kiosk's configuration)", kioskID))
	}
	if transportFile == "" {
		transportFile = filepath.Join(keys, "transport.key")
	}
	media, err := secrets.LoadOrCreateKey(transportFile)
	if err != nil {
		return fail(err)
	}
	key, req, err := enroll.Prepare(files.Key, kioskID, media)
	if err != nil {
		return fail(err)
	}
	if err := enroll.Submit(ctx, url, fp, req); err != nil {
		return fail(err)
	}
	code := req.Code
	fmt.Fprintln(e.stdout, e.cat.T(e.lang, "fleet.cli.code", "kiosk", kioskID, "code", code[:4]+" "+code[4:]))
	deadline := time.Now().Add(wait)
	for {
		st, err := enroll.Fetch(ctx, url, fp, kioskID)
		if err != nil {
			return fail(err)
		}
		switch st.State {
		case enroll.Active:
			if err := enroll.Save(files, st, key, kioskID); err != nil {
				return fail(err)
			}
			fmt.Fprintln(e.stdout, e.cat.T(e.lang, "fleet.cli.done", "kiosk", kioskID))
			return exitOK
		case enroll.Revoked, enroll.Unknown:
			fmt.Fprintln(e.stderr, e.cat.T(e.lang, "fleet.cli.refused"))
			return exitInvalid
		}
		if time.Now().After(deadline) {
			fmt.Fprintln(e.stderr, e.cat.T(e.lang, "fleet.cli.timeout"))
			return exitInvalid
		}
		select {
		case <-ctx.Done():
			return exitInvalid
		case <-time.After(3 * time.Second):
		}
	}
}
