package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/ehraz/ehraz/backoffice/intake"
	"github.com/ehraz/ehraz/backoffice/office"
	"github.com/ehraz/ehraz/services/secrets"
)

// intakeCommand runs the back office's intake server, or lists or records a bourse code at one.
func intakeCommand() command {
	return command{
		name:    "intake",
		summary: "back office intake: intake serve | intake list | intake bourse-code SESSION CODE",
		run: func(ctx context.Context, e *env, args []string) int {
			if len(args) == 0 {
				fmt.Fprintln(e.stderr, "usage: ehrazctl intake serve [flags] | ehrazctl intake bourse-code [--url U] [--admin-token-file F] SESSION CODE")
				return exitUsage
			}
			switch args[0] {
			case "serve":
				return intakeServe(ctx, e, args[1:])
			case "bourse-code":
				return intakeBourseCode(ctx, e, args[1:])
			case "list":
				return intakeList(ctx, e, args[1:])
			}
			fmt.Fprintf(e.stderr, "ehrazctl intake: unknown subcommand %q\n", args[0])
			return exitUsage
		},
	}
}

// intakeServe runs the back office's server (the same as bin/ehraz-backoffice, with the same
// flags) until interrupted.
func intakeServe(ctx context.Context, e *env, args []string) int {
	cfg, err := office.Load("intake serve", args, e.stderr)
	if err != nil {
		return exitUsage
	}
	warn := func(msg string) { fmt.Fprintln(e.stderr, "ehrazctl intake: warning:", msg) }
	err = office.Serve(ctx, cfg, office.Deps{Warn: warn}, func(o *office.Office) {
		fmt.Fprintf(e.stdout, "intake listening on %s (database %s, tokens in %s)\n", o.URL, o.Config.DB, o.Config.KeysDir)
	})
	if err != nil {
		fmt.Fprintln(e.stderr, "ehrazctl intake:", err)
		return exitInvalid
	}
	return exitOK
}

func intakeBourseCode(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("intake bourse-code", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	url := fs.String("url", "http://127.0.0.1:8790", "intake base URL")
	tokenFile := fs.String("admin-token-file", filepath.Join("var", "keys", "intake-admin.token"), "file holding the admin token (or EHRAZ_INTAKE_ADMIN_TOKEN)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() != 2 {
		fmt.Fprintln(e.stderr, "usage: ehrazctl intake bourse-code [--url U] [--admin-token-file F] SESSION CODE")
		return exitUsage
	}
	token, err := secrets.Secret("EHRAZ_INTAKE_ADMIN_TOKEN", *tokenFile)
	if err != nil {
		fmt.Fprintln(e.stderr, "ehrazctl intake:", err)
		return exitInvalid
	}
	code := intake.NormalizeBourseCode(fs.Arg(1))
	if !intake.BourseCodePattern.MatchString(code) {
		fmt.Fprintln(e.stderr, e.cat.T(e.lang, "intake.bourse_code_invalid"))
		return exitInvalid
	}
	if err := intake.RecordBourseCode(ctx, *url, token, fs.Arg(0), code); err != nil {
		fmt.Fprintln(e.stderr, "ehrazctl intake:", err)
		return exitInvalid
	}
	fmt.Fprintln(e.stdout, e.cat.T(e.lang, "intake.status.bourse_code_issued", "code", code))
	return exitOK
}

func intakeList(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("intake list", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	url := fs.String("url", "http://127.0.0.1:8790", "intake base URL")
	tokenFile := fs.String("admin-token-file", filepath.Join("var", "keys", "intake-admin.token"), "file holding the admin token (or EHRAZ_INTAKE_ADMIN_TOKEN)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	token, err := secrets.Secret("EHRAZ_INTAKE_ADMIN_TOKEN", *tokenFile)
	if err != nil {
		fmt.Fprintln(e.stderr, "ehrazctl intake:", err)
		return exitInvalid
	}
	list, err := intake.List(ctx, *url, token)
	if err != nil {
		fmt.Fprintln(e.stderr, "ehrazctl intake:", err)
		return exitInvalid
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "session\tkiosk\tmode\treceived\tstatus\tbourse_code\tsms_sent")
	for _, d := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%v\n", d.SessionID, d.KioskID, d.Mode, d.ReceivedAt.Format(time.RFC3339), d.Status, d.BourseCode, d.SMSSent)
	}
	tw.Flush()
	return exitOK
}
