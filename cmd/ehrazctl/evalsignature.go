package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/conformance"
	"github.com/ehraz/ehraz/plugins/signature/synth"
)

const evalSignatureSummary = "eval signature [--n N] [--plugin PATH] [--size WxH]: signature checks on generated scenes"

// evalSignatureCommand measures the signature plugin on the project's synthetic evaluation set:
// `ehrazctl eval signature [--n N] [--plugin PATH]` renders N scenes of every kind (package
// plugins/signature/synth: pure Go, deterministic seeds 1..N), sends each to the real plugin
// binary over the plugin protocol (so ehrazctl links no OpenCV and the figures are those of what
// the kiosk runs), and prints per-kind, per-rule and overall confusion counts, one
// `eval.signature… key=value` line each.
//
// Several evaluators share the command name "eval" and main runs the first one listed: this one
// answers "signature" and hands any other subject to the next "eval" command after it.
func evalSignatureCommand() command {
	return command{
		name:    "eval",
		summary: evalSignatureSummary,
		run: func(ctx context.Context, e *env, args []string) int {
			if len(args) < 1 || args[0] != "signature" {
				if len(args) == 0 {
					fmt.Fprintln(e.stderr, "usage: ehrazctl "+evalSignatureSummary)
				}
				if next, ok := nextEval(); ok {
					return next.run(ctx, e, args)
				}
				fmt.Fprintln(e.stderr, "usage: ehrazctl "+evalSignatureSummary)
				return exitUsage
			}
			fs := flag.NewFlagSet("eval signature", flag.ContinueOnError)
			fs.SetOutput(e.stderr)
			n := fs.Int("n", 10, "scenes per kind")
			plug := fs.String("plugin", filepath.Join("bin", "plugins", "signature"), "signature plugin binary (make plugins)")
			size := fs.String("size", "1280x720", "scene size WxH")
			if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 || *n < 1 {
				return exitUsage
			}
			var w, h int
			if _, err := fmt.Sscanf(*size, "%dx%d", &w, &h); err != nil || w < 64 || h < 64 {
				fmt.Fprintf(e.stderr, "eval signature: bad --size %q\n", *size)
				return exitUsage
			}
			if err := evalSignature(ctx, e.stdout, e.stderr, *plug, *n, w, h); err != nil {
				fmt.Fprintf(e.stderr, "eval signature: %v\n", err)
				return exitInvalid
			}
			return exitOK
		},
	}
}

// nextEval finds the first "eval" command listed after this one.
func nextEval() (command, bool) {
	cs := commands()
	me := slices.IndexFunc(cs, func(c command) bool { return c.summary == evalSignatureSummary })
	if me < 0 {
		return command{}, false
	}
	for _, c := range cs[me+1:] {
		if c.name == "eval" {
			return c, true
		}
	}
	return command{}, false
}

// sigResult is one scene's verdict.
type sigResult struct {
	c synth.Case
	v sdk.Verdict
	d time.Duration
}

func evalSignature(ctx context.Context, out, logs io.Writer, plugin string, n, w, h int) error {
	r, stop, err := conformance.Start(plugin, logs)
	if err != nil {
		return err
	}
	defer stop()
	var res []sigResult
	for _, k := range synth.Kinds() {
		for s := 1; s <= n; s++ {
			c, err := synth.Render(k, uint64(s), w, h)
			if err != nil {
				return err
			}
			t0 := time.Now()
			v, err := r.CheckSignature(ctx, sdk.SignatureRequest{Image: c.Image, Guide: sdk.Rect{X: 0.1, Y: 0.15, W: 0.8, H: 0.7}})
			if err != nil {
				return fmt.Errorf("check %s: %w", c.Name(), err)
			}
			res = append(res, sigResult{c: c, v: v, d: time.Since(t0)})
		}
	}
	printSignatureEval(out, plugin, n, w, h, res)
	return nil
}

func printSignatureEval(out io.Writer, plugin string, n, w, h int, res []sigResult) {
	fmt.Fprintf(out, "eval.signature plugin=%s per_kind=%d size=%dx%d scenes=%d\n", plugin, n, w, h, len(res))
	// Per kind: outcomes, and whether the expected rule/reason was among the failures.
	for _, k := range synth.Kinds() {
		var pass, fail, cnv, right int
		for _, x := range res {
			if x.c.Kind != k {
				continue
			}
			switch x.v.Outcome {
			case sdk.Pass:
				pass++
			case sdk.Fail:
				fail++
			default:
				cnv++
			}
			if (k == synth.Good && x.v.Outcome == sdk.Pass) || (k != synth.Good && x.v.Outcome == sdk.Fail && slices.Contains(x.v.Reasons, x.c.Want.Reason)) {
				right++
			}
		}
		total := pass + fail + cnv
		fmt.Fprintf(out, "eval.signature.kind kind=%s n=%d pass=%d fail=%d could_not_verify=%d correct=%d accuracy=%.3f expect=%s\n",
			k, total, pass, fail, cnv, right, sigRatio(right, total), sigExpectText(synth.Expect(k).Reason))
	}
	// Per rule: positives are the scenes built to fail that rule.
	var names []string
	for _, x := range res {
		for _, r := range x.v.Rules {
			if !slices.Contains(names, r.Name) {
				names = append(names, r.Name)
			}
		}
	}
	sort.Strings(names)
	for _, name := range names {
		var tp, fn, fp, tn, fpGood int
		for _, x := range res {
			want := x.c.Want.Rule == name
			got := false
			for _, r := range x.v.Rules {
				got = got || (r.Name == name && r.Outcome == sdk.Fail)
			}
			switch {
			case want && got:
				tp++
			case want:
				fn++
			case got:
				fp++
				if x.c.Kind == synth.Good {
					fpGood++
				}
			default:
				tn++
			}
		}
		fmt.Fprintf(out, "eval.signature.rule rule=%s tp=%d fn=%d fp=%d fp_on_good=%d tn=%d recall=%.3f\n",
			name, tp, fn, fp, fpGood, tn, sigRatio(tp, tp+fn))
	}
	// Overall: a genuine signature must pass, every negative must not.
	var ga, gr, na, nr, reason int
	ds := make([]time.Duration, 0, len(res))
	for _, x := range res {
		ds = append(ds, x.d)
		pass := x.v.Outcome == sdk.Pass
		switch {
		case x.c.Kind == synth.Good && pass:
			ga++
		case x.c.Kind == synth.Good:
			gr++
		case pass:
			na++
		default:
			nr++
			if slices.Contains(x.v.Reasons, x.c.Want.Reason) {
				reason++
			}
		}
	}
	fmt.Fprintf(out, "eval.signature.overall genuine_accepted=%d genuine_rejected=%d negative_accepted=%d negative_rejected=%d accuracy=%.3f negative_right_reason=%d\n",
		ga, gr, na, nr, sigRatio(ga+nr, len(res)), reason)
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	if len(ds) > 0 {
		fmt.Fprintf(out, "eval.signature.latency p50_ms=%.1f p95_ms=%.1f (round trip through the plugin, %dx%d JPEG)\n",
			sigMS(ds[len(ds)/2]), sigMS(ds[len(ds)*95/100]), w, h)
	}
	fmt.Fprintln(out, "eval.signature.note synthetic scenes only: they show each rule reacts to the defect it targets; real photos (paper, pens, tables, phones) must confirm the thresholds")
}

func sigRatio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func sigMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func sigExpectText(s string) string {
	if s == "" {
		return "pass"
	}
	return s
}
