package main

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"time"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/conformance"
)

// benchCommand measures the plugin round trip: `ehrazctl bench plugin [-n N] PATH` sends a
// 640×480 JPEG AnalyzeFrame N times and prints p50/p95, next to an Info call (transport only).
func benchCommand() command {
	return command{
		name:    "bench",
		summary: "bench plugin [-n N] PATH: AnalyzeFrame round trip of a 640x480 JPEG through a plugin",
		run: func(ctx context.Context, e *env, args []string) int {
			if len(args) < 1 || args[0] != "plugin" {
				fmt.Fprintln(e.stderr, "usage: ehrazctl bench plugin [-n N] PATH")
				return exitUsage
			}
			fs := flag.NewFlagSet("bench plugin", flag.ContinueOnError)
			fs.SetOutput(e.stderr)
			n := fs.Int("n", 200, "calls")
			if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 1 || *n < 2 {
				return exitUsage
			}
			r, stop, err := conformance.Start(fs.Arg(0), e.stderr)
			if err != nil {
				fmt.Fprintf(e.stderr, "bench plugin: %v\n", err)
				return exitInvalid
			}
			defer stop()
			req := sdk.FrameRequest{Image: conformance.SyntheticJPEG(640, 480), Purpose: sdk.PurposeSelfie}
			run := func(name string, f func() error) {
				ds := make([]time.Duration, *n)
				for i := range ds {
					t0 := time.Now()
					if err := f(); err != nil {
						fmt.Fprintf(e.stdout, "%s: %v\n", name, err)
						return
					}
					ds[i] = time.Since(t0)
				}
				sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
				fmt.Fprintf(e.stdout, "%-22s n=%d p50 %v p95 %v\n", name, *n, ds[*n/2], ds[*n*95/100])
			}
			run("Info (transport)", func() error { _, err := r.Info(ctx); return err })
			run("AnalyzeFrame 640x480", func() error { _, err := r.AnalyzeFrame(ctx, req); return err })
			return exitOK
		},
	}
}
