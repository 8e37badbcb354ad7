package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/ehraz/ehraz/app/store"
)

func purgeCommand() command {
	return command{
		name:    "purge",
		summary: "purge [--dry-run] [--finished DUR] [--abandoned DUR]: delete sessions past their retention period",
		run: func(ctx context.Context, e *env, args []string) int {
			fs := flag.NewFlagSet("purge", flag.ContinueOnError)
			fs.SetOutput(e.stderr)
			sf := addStoreFlags(fs)
			dry := fs.Bool("dry-run", false, "only print what would be removed")
			finished := fs.Duration("finished", 0, "keep finished sessions this long after their last activity [config session.retain_finished]")
			abandoned := fs.Duration("abandoned", 0, "keep expired and abandoned sessions this long [config session.retain_abandoned]")
			if pos, err := parseStoreArgs(fs, args); err != nil || len(pos) > 0 {
				return exitUsage
			}
			s, cfg, err := sf.open(ctx)
			if err != nil {
				fmt.Fprintln(e.stderr, "ehrazctl purge:", err)
				return exitInvalid
			}
			defer s.Close()
			if *finished == 0 {
				*finished = cfg.Session.RetainFinished.Duration
			}
			if *abandoned == 0 {
				*abandoned = cfg.Session.RetainAbandoned.Duration
			}
			rep, err := s.Purge(ctx, time.Now(), *finished, *abandoned, *dry)
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			for _, p := range rep.Sessions {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d B\n", p.ID, p.Step, e.cat.T(e.lang, "store.cli.purge.reason."+p.Reason),
					storeClock(p.LastActive), p.MediaFiles, p.MediaBytes)
			}
			for _, o := range rep.Orphans {
				fmt.Fprintf(tw, "%s\tmedia/\n", o)
			}
			tw.Flush()
			if err != nil {
				fmt.Fprintln(e.stderr, "ehrazctl purge:", err)
				return exitInvalid
			}
			key := "store.cli.purge.done"
			if *dry {
				key = "store.cli.purge.would"
			}
			fmt.Fprintln(e.stdout, e.cat.T(e.lang, key, "count", fmt.Sprint(len(rep.Sessions)), "orphans", fmt.Sprint(len(rep.Orphans)),
				"sends", fmt.Sprint(logRows(rep))))
			return exitOK
		},
	}
}

// logRows adds up the log rows a purge removed (today only the OTP send log).
func logRows(rep store.PurgeReport) int {
	n := 0
	for _, c := range rep.Logs {
		n += c
	}
	return n
}
