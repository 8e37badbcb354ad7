package main

import (
	"context"
	"fmt"

	"github.com/ehraz/ehraz/plugins/sdk/conformance"
)

// pluginCommand runs the conformance kit against a plugin binary: `ehrazctl plugin check PATH`.
func pluginCommand() command {
	return command{
		name:    "plugin",
		summary: "plugin check PATH: run the detector plugin conformance kit on a binary",
		run: func(ctx context.Context, e *env, args []string) int {
			if len(args) != 2 || args[0] != "check" {
				fmt.Fprintln(e.stderr, "usage: ehrazctl plugin check PATH")
				return exitUsage
			}
			r, stop, err := conformance.Start(args[1], e.stderr)
			if err != nil {
				fmt.Fprintf(e.stderr, "plugin check: %v\n", err)
				return exitInvalid
			}
			defer stop()
			rep := conformance.Check(ctx, r)
			fmt.Fprintf(e.stdout, "plugin %s %s by %s, protocol v%d, kinds %v, capabilities %v\n",
				rep.Info.Name, rep.Info.Version, rep.Info.Vendor, rep.Info.ProtocolVersion, rep.Info.Kinds, rep.Info.Capabilities)
			for _, x := range rep.Results {
				mark := "PASS"
				if !x.OK {
					mark = "FAIL"
				}
				fmt.Fprintf(e.stdout, "%s  %s", mark, x.Rule)
				if !x.OK {
					fmt.Fprintf(e.stdout, "  (%s)", x.Detail)
				}
				fmt.Fprintln(e.stdout)
			}
			for m, l := range rep.Latency {
				fmt.Fprintf(e.stdout, "latency %-15s p50 %v  p95 %v\n", m, l[0], l[1])
			}
			fmt.Fprintf(e.stdout, "%d rules, %d failed\n", len(rep.Results), rep.Failures)
			if rep.Failures > 0 {
				return exitInvalid
			}
			return exitOK
		},
	}
}
