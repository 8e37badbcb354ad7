// Command soak runs the kiosk's back end through days of simulated use and reports whether
// anything leaks (issue 18).
//
//	soak run [-sessions 2000] [-days 7] [-plugins bin/plugins] …   the soak (make soak)
//	soak detectors [-calls 1000] [-plugins bin/plugins]            each plugin's RSS over N calls of every method (make detector-rss)
//
// run drives applicants through the real ten-step flow, the real SQLite store and the real
// services (OTP, the SEJAM/registry simulator over HTTP, the outbox) to the real back office
// (reference intake) behind a proxy that can play it down, all on a simulated clock: hourly
// retention purges, store key rotations, kiosk deaths mid-step with resumption, a back-office
// outage. The flow's detector verdicts are scripted (so the mix of outcomes is what the scripts
// say); with -plugins the real plugin processes check the same captures beside it and one is
// SIGKILLed now and then. It prints figures per simulated day and exits 1 when a rule breaks.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/ehraz/ehraz/app/config"
)

func main() {
	os.Exit(cli(os.Args[1:]))
}

func cli(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cmd := "run"
	if len(args) > 0 && (args[0] == "run" || args[0] == "detectors") {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("soak "+cmd, flag.ContinueOnError)
	shared := fs.String("shared", sharedDir(), "shared data folder (the demo face photo)")
	plugins := fs.String("plugins", "", "detector plugin folder, e.g. bin/plugins (\"\": none)")
	switch cmd {
	case "detectors":
		calls := fs.Int("calls", 1000, "calls of every method")
		every := fs.Int("every", 100, "report RSS every N calls")
		if fs.Parse(args) != nil {
			return 2
		}
		if *plugins == "" {
			*plugins = "bin/plugins"
		}
		rep, err := detectorRSS(ctx, *plugins, *shared, *calls, *every, os.Stdout)
		if err != nil {
			fmt.Fprintln(os.Stderr, "soak detectors:", err)
			return 1
		}
		if !rep {
			return 1
		}
		return 0
	}
	o := options{Out: os.Stdout}
	fs.IntVar(&o.Sessions, "sessions", 2000, "applicants")
	fs.IntVar(&o.Days, "days", 7, "simulated days")
	fs.StringVar(&o.Dir, "data", "", "data folder (default: a temporary one, removed)")
	fs.IntVar(&o.PluginEvery, "plugin-every", 10, "with -plugins: every Nth session's captures also go through the real plugins")
	fs.IntVar(&o.KillPluginEvery, "kill-plugin-every", 100, "with -plugins: SIGKILL one plugin process every N sessions")
	fs.IntVar(&o.Rotations, "rotations", 2, "store key rotations")
	fs.IntVar(&o.DownHours, "down-hours", 2, "simulated hours the back office is down")
	fs.DurationVar(&o.RetainFinished, "retain-finished", 48*time.Hour, "retention of finished sessions (the kiosk's default is 30 days; shorter so the soak sees purges settle)")
	fs.DurationVar(&o.RetainAbandoned, "retain-abandoned", 24*time.Hour, "retention of expired and abandoned sessions")
	if fs.Parse(args) != nil {
		return 2
	}
	o.Plugins, o.Shared = *plugins, *shared
	if o.Sessions < 1 || o.Days < 1 {
		fmt.Fprintln(os.Stderr, "soak: -sessions and -days must be positive")
		return 2
	}
	res, err := run(ctx, o)
	if res != nil {
		if err != nil {
			res.Problems = append(res.Problems, "the run stopped: "+err.Error())
		}
		res.report(os.Stdout, o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		return 1
	}
	if len(res.Problems) > 0 {
		return 1
	}
	return 0
}

// sharedDir is the team's shared folder as the kiosk finds it ($SHARED, else ../shared).
func sharedDir() string {
	if s := config.Default().Shared; s != "" {
		return s
	}
	if s := os.Getenv("SHARED"); s != "" {
		return s
	}
	return filepath.Join("..", "shared")
}
