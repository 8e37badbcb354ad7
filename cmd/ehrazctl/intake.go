package main

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ehraz/ehraz/app/services"
	"github.com/ehraz/ehraz/backoffice/intake"
	"github.com/ehraz/ehraz/domain/eligibility"
	"github.com/ehraz/ehraz/services/geoip"
)

// intakeCommand runs the reference brokerage intake server, or records a bourse code at one.
func intakeCommand() command {
	return command{
		name:    "intake",
		summary: "reference intake server: intake serve | intake list | intake bourse-code SESSION CODE",
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

func intakeServe(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("intake serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	addr := fs.String("addr", "127.0.0.1:8790", "address to listen on (put TLS in front of it when it leaves loopback)")
	dbPath := fs.String("db", filepath.Join("var", "intake.db"), "the intake's SQLite database")
	keys := fs.String("keys", filepath.Join("var", "keys"), "folder of intake.token, intake-admin.token, intake-data.key (created when missing)")
	geoPath := fs.String("geoip", filepath.Join(".cache", "geoip", "geo-whois-asn-country.mmdb"), "MMDB country database")
	allow := fs.String("allow", "127.0.0.0/8,::1/128", "comma-separated networks accepted whatever the database says")
	proxies := fs.String("trusted-proxies", "", "comma-separated networks of TLS proxies whose X-Forwarded-For is believed")
	smsProvider := fs.String("sms", "console", "console or gateway")
	smsURL := fs.String("sms-url", "", "gateway base URL")
	smsKeyFile := fs.String("sms-key-file", "", "file holding the gateway API key (or EHRAZ_SMS_API_KEY)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	fail := func(err error) int {
		fmt.Fprintln(e.stderr, "ehrazctl intake:", err)
		return exitInvalid
	}
	prefixes, err := geoip.Prefixes(strings.Split(*allow, ","))
	if err != nil {
		return fail(err)
	}
	trusted, err := geoip.Prefixes(strings.Split(*proxies, ","))
	if err != nil {
		return fail(err)
	}
	rule := eligibility.IPRule{Allow: prefixes}
	if g, err := geoip.Open(*geoPath); err == nil {
		defer g.Close()
		rule.Geo = g
	} else {
		fmt.Fprintln(e.stderr, "ehrazctl intake: warning: no geoip database, only the allow-list is accepted:", err)
	}
	sender, _, err := services.NewSender(*smsProvider, *smsURL, *smsKeyFile)
	if err != nil {
		return fail(err)
	}
	token, err := services.LoadOrCreateToken(filepath.Join(*keys, "intake.token"))
	if err != nil {
		return fail(err)
	}
	admin, err := services.LoadOrCreateToken(filepath.Join(*keys, "intake-admin.token"))
	if err != nil {
		return fail(err)
	}
	dataKey, err := services.LoadOrCreateKey(filepath.Join(*keys, "intake-data.key"))
	if err != nil {
		return fail(err)
	}
	if err := os.MkdirAll(filepath.Dir(*dbPath), 0o700); err != nil {
		return fail(err)
	}
	db, err := intake.OpenDB(*dbPath)
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	srv, err := intake.New(intake.Config{Token: token, AdminToken: admin, DataKey: dataKey, SMS: sender, IPRule: rule, TrustedProxies: trusted}, db)
	if err != nil {
		return fail(err)
	}
	if ip, err := netip.ParseAddrPort(*addr); err == nil && !ip.Addr().IsLoopback() {
		fmt.Fprintln(e.stderr, "ehrazctl intake: warning: serving plain HTTP beyond loopback; put a TLS proxy in front")
	}
	err = srv.ListenAndServe(ctx, *addr, func(url string) {
		fmt.Fprintf(e.stdout, "intake listening on %s (database %s, tokens in %s)\n", url, *dbPath, *keys)
	})
	if err != nil {
		return fail(err)
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
	token, err := services.Secret("EHRAZ_INTAKE_ADMIN_TOKEN", *tokenFile)
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
	token, err := services.Secret("EHRAZ_INTAKE_ADMIN_TOKEN", *tokenFile)
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
