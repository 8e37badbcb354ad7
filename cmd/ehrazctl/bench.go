package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/ehraz/ehraz/app/detect"
	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/conformance"
)

const benchUsage = "usage: ehrazctl bench plugin [-n N] [-starts K] [-sandbox on|off|both] [-fs auto|landlock|mountns|both] [-kinds K,K] [-launcher F] [-models DIR] PATH"

// benchCommand measures a plugin through the kiosk's plugin host: `ehrazctl bench plugin PATH`
// times the host's start of the plugin (verify, copy, sandbox probe, process start, handshake,
// Info) K times and then N AnalyzeFrame calls of a 640×480 JPEG, once without the sandbox and
// once with it (-sandbox both), so the sandbox's cost shows as the difference between two runs
// of the same code. -fs chooses the sandbox's file-system confinement (mountns forces the
// fallback for kernels without Landlock, to measure it on one that has it).
func benchCommand() command {
	return command{
		name:    "bench",
		summary: "bench plugin [-n N] [-sandbox on|off|both] PATH: plugin start-up and AnalyzeFrame latency through the host, with and without the sandbox",
		run: func(ctx context.Context, e *env, args []string) int {
			if len(args) < 1 || args[0] != "plugin" {
				fmt.Fprintln(e.stderr, benchUsage)
				return exitUsage
			}
			fs := flag.NewFlagSet("bench plugin", flag.ContinueOnError)
			fs.SetOutput(e.stderr)
			n := fs.Int("n", 200, "AnalyzeFrame calls per mode")
			starts := fs.Int("starts", 5, "plugin starts per mode")
			mode := fs.String("sandbox", "both", "on, off or both")
			kinds := fs.String("kinds", "", "kinds the plugin serves (default: its file name)")
			launcher := fs.String("launcher", "", "ehraz-sandbox launcher (default: beside ehrazctl)")
			models := fs.String("models", "", "models folder (default: PATH/../../models)")
			fsMode := fs.String("fs", detect.FSAuto, "file-system confinement: auto, landlock, mountns or both")
			if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 1 || *n < 2 || *starts < 1 {
				fmt.Fprintln(e.stderr, benchUsage)
				return exitUsage
			}
			var modes []bool
			switch *mode {
			case "on":
				modes = []bool{true}
			case "off":
				modes = []bool{false}
			case "both":
				modes = []bool{false, true}
			default:
				fmt.Fprintln(e.stderr, benchUsage)
				return exitUsage
			}
			b, err := newPluginBench(fs.Arg(0), *kinds, *models)
			if err != nil {
				fmt.Fprintf(e.stderr, "bench plugin: %v\n", err)
				return exitInvalid
			}
			defer os.RemoveAll(b.dir)
			for _, sandboxed := range modes {
				cfg := detect.SandboxConfig{Disable: !sandboxed, Launcher: *launcher, ModelDir: b.models, Filesystem: *fsMode}
				if err := b.run(ctx, e.stdout, cfg, *starts, *n); err != nil {
					fmt.Fprintf(e.stderr, "bench plugin: %v\n", err)
					return exitInvalid
				}
			}
			return exitOK
		},
	}
}

// pluginBench is one plugin binary pinned into a folder of its own.
type pluginBench struct {
	dir, name, models string
	kind              sdk.Kind
}

func newPluginBench(path, kinds, models string) (*pluginBench, error) {
	bin, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "ehraz-bench-")
	if err != nil {
		return nil, err
	}
	name := filepath.Base(path)
	ks := []sdk.Kind{sdk.Kind(name)}
	if kinds != "" {
		ks = nil
		for _, k := range strings.Split(kinds, ",") {
			ks = append(ks, sdk.Kind(strings.TrimSpace(k)))
		}
	}
	if err := os.WriteFile(filepath.Join(dir, name), bin, 0o755); err == nil {
		_, err = detect.Pin(filepath.Join(dir, name), name, ks)
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if models == "" {
		if d := filepath.Join(filepath.Dir(path), "..", "..", "models"); isDir(d) {
			models = d
		}
	}
	return &pluginBench{dir: dir, name: name, models: models, kind: ks[0]}, nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// run opens the host starts times, then times n AnalyzeFrame calls through the last host.
func (b *pluginBench) run(ctx context.Context, out io.Writer, sb detect.SandboxConfig, starts, n int) error {
	label := "sandbox=off"
	if !sb.Disable {
		label = "sandbox=on fs=" + sb.Filesystem
	}
	quiet := hclog.New(&hclog.LoggerOptions{Output: io.Discard})
	var h *detect.Host
	ds := make([]time.Duration, starts)
	for i := range ds {
		if h != nil {
			h.Close()
		}
		t0 := time.Now()
		var err error
		h, err = detect.Open(ctx, detect.Config{Dir: b.dir, Sandbox: sb, Logger: quiet})
		ds[i] = time.Since(t0)
		if err != nil {
			if h != nil {
				h.Close()
			}
			return fmt.Errorf("%s: %w", label, err)
		}
	}
	defer h.Close()
	if !sb.Disable {
		for _, g := range h.Sandbox().Guards {
			fmt.Fprintf(out, "bench plugin %s %s guard %-11s enforced=%v %s\n", b.name, label, g.Name, g.Enforced, g.Detail)
		}
	}
	fmt.Fprintf(out, "bench plugin %s %s %-22s %s\n", b.name, label, "start", quantiles(ds))
	purpose := map[sdk.Kind]sdk.Purpose{sdk.KindFace: sdk.PurposeSelfie, sdk.KindLiveness: sdk.PurposeVideo,
		sdk.KindSignature: sdk.PurposeSignature}[b.kind]
	req := sdk.FrameRequest{Image: conformance.SyntheticJPEG(640, 480), Purpose: purpose}
	ds = make([]time.Duration, n)
	for i := range ds {
		t0 := time.Now()
		if _, err := h.AnalyzeFrame(ctx, req); err != nil {
			return fmt.Errorf("%s: AnalyzeFrame: %w", label, err)
		}
		ds[i] = time.Since(t0)
	}
	fmt.Fprintf(out, "bench plugin %s %s %-22s %s\n", b.name, label, "AnalyzeFrame 640x480", quantiles(ds))
	return nil
}

// quantiles prints n, p50 and p95 of ds.
func quantiles(ds []time.Duration) string {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return fmt.Sprintf("n=%d p50 %v p95 %v", len(ds), ds[len(ds)/2].Round(time.Microsecond), ds[len(ds)*95/100].Round(time.Microsecond))
}
