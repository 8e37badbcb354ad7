package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"sort"
	"text/tabwriter"

	"github.com/ehraz/ehraz/app/config"
	"github.com/ehraz/ehraz/services/simulator"
	"github.com/ehraz/ehraz/services/sms"
)

// simCommand runs the SEJAM / Shahkar / civil-registry simulator on loopback, or lists its
// seeded identities.
func simCommand() command {
	return command{
		name:    "sim",
		summary: "SEJAM/Shahkar/registry simulator: sim serve | sim identities",
		run: func(ctx context.Context, e *env, args []string) int {
			if len(args) == 0 {
				fmt.Fprintln(e.stderr, "usage: ehrazctl sim serve [flags] | ehrazctl sim identities [--seed FILE]")
				return exitUsage
			}
			fs := flag.NewFlagSet("sim "+args[0], flag.ContinueOnError)
			fs.SetOutput(e.stderr)
			addr := fs.String("addr", "127.0.0.1:8787", "loopback address to listen on")
			seed := fs.String("seed", "", "identities JSON file (default: the embedded seed)")
			photos := fs.String("photos", "", "folder of reference photos (default: <shared>/testdata/faces, shared from $EHRAZ_SHARED, $SHARED or ../shared beside the repository)")
			reveal := fs.Bool("reveal-codes", true, "return SEJAM codes in the kycOtp answer as demoCode (demo only)")
			if err := fs.Parse(args[1:]); err != nil {
				return exitUsage
			}
			ids, err := simulator.DefaultSeed()
			if *seed != "" {
				ids, err = simulator.LoadSeed(*seed)
			}
			if err != nil {
				fmt.Fprintln(e.stderr, "ehrazctl sim:", err)
				return exitInvalid
			}
			switch args[0] {
			case "identities":
				sort.Slice(ids, func(i, j int) bool { return ids[i].NationalCode < ids[j].NationalCode })
				tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "scenario\tnational_code\ttracking_code\tsejam_mobile\tbirth_date\ttype\tcards\tbehavior")
				for _, id := range ids {
					cards := ""
					for _, c := range id.Cards {
						cards += c.Serial
						if c.Revoked {
							cards += "(revoked)"
						}
						cards += " "
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id.Scenario, id.NationalCode, id.TrackingCode, id.Mobile, id.BirthDate, id.Type, cards, id.Behavior)
				}
				tw.Flush()
				return exitOK
			case "serve":
				dir := *photos
				if shared := config.SharedDir(); dir == "" && shared != "" {
					dir = filepath.Join(shared, filepath.FromSlash(config.SharedSubdir))
				}
				srv, err := simulator.New(simulator.Config{SMS: sms.NewConsole(50), RevealCodes: *reveal, PhotoDir: dir}, ids)
				if err != nil {
					fmt.Fprintln(e.stderr, "ehrazctl sim:", err)
					return exitInvalid
				}
				run, err := simulator.Start(ctx, *addr, srv)
				if err != nil {
					fmt.Fprintln(e.stderr, "ehrazctl sim:", err)
					return exitInvalid
				}
				fmt.Fprintf(e.stdout, "simulator listening on %s (SEJAM %s/sejam/v1, Shahkar %s/shahkar/v1, registry %s/registry/v1; %d identities)\n",
					run.URL, run.URL, run.URL, run.URL, len(ids))
				<-ctx.Done()
				run.Close()
				return exitOK
			}
			fmt.Fprintf(e.stderr, "ehrazctl sim: unknown subcommand %q\n", args[0])
			return exitUsage
		},
	}
}
