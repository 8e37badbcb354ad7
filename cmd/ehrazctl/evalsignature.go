package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"time"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/synth"
)

// evalSignatureSubject measures the signature plugin on the project's synthetic evaluation set:
// `ehrazctl eval signature [--n N] [--plugin PATH] [--size WxH]` renders N scenes of every kind
// (package synth: pure Go, deterministic seeds 1..N), sends each to the plugin, and prints
// per-kind, per-rule and overall confusion counts, one `eval.signature… key=value` line each.
func evalSignatureSubject() evalSubject {
	return evalSubject{
		name: "signature",
		args: "[--n N] [--plugin PATH] [--size WxH]",
		help: "signature checks on generated scenes",
		flags: func(fs *flag.FlagSet) (func() error, func(context.Context, evalRun) error) {
			n := fs.Int("n", 10, "scenes per kind")
			size := fs.String("size", "1280x720", "scene size WxH")
			var w, h int
			check := func() error {
				if *n < 1 {
					return evalUsageError("--n must be at least 1")
				}
				if _, err := fmt.Sscanf(*size, "%dx%d", &w, &h); err != nil || w < 64 || h < 64 {
					return evalUsageError("bad --size %q", *size)
				}
				return nil
			}
			return check, func(ctx context.Context, r evalRun) error { return evalSignature(ctx, r, *n, w, h) }
		},
	}
}

// sigResult is one scene's verdict.
type sigResult struct {
	c synth.SheetCase
	v sdk.Verdict
	d time.Duration
}

func evalSignature(ctx context.Context, run evalRun, n, w, h int) error {
	r := run.plugin
	var res []sigResult
	for _, k := range synth.SheetKinds() {
		for s := 1; s <= n; s++ {
			c, err := synth.RenderSheet(k, uint64(s), w, h)
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
	printSignatureEval(run.out.w, run.pluginPath, n, w, h, res)
	return nil
}

func printSignatureEval(w io.Writer, plugin string, n, width, height int, res []sigResult) {
	out := evalOut{w: w, subject: "signature"}
	out.line("", "plugin=%s per_kind=%d size=%dx%d scenes=%d", plugin, n, width, height, len(res))
	// Per kind: outcomes, and whether the expected rule/reason was among the failures.
	for _, k := range synth.SheetKinds() {
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
			if (k == synth.SheetGood && x.v.Outcome == sdk.Pass) || (k != synth.SheetGood && x.v.Outcome == sdk.Fail && slices.Contains(x.v.Reasons, x.c.Want.Reason)) {
				right++
			}
		}
		total := pass + fail + cnv
		out.line("kind", "kind=%s n=%d pass=%d fail=%d could_not_verify=%d correct=%d accuracy=%.3f expect=%s",
			k, total, pass, fail, cnv, right, ratio(right, total), sigExpectText(synth.Expect(k).Reason))
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
				if x.c.Kind == synth.SheetGood {
					fpGood++
				}
			default:
				tn++
			}
		}
		out.line("rule", "rule=%s tp=%d fn=%d fp=%d fp_on_good=%d tn=%d recall=%.3f",
			name, tp, fn, fp, fpGood, tn, ratio(tp, tp+fn))
	}
	// Overall: a genuine signature must pass, every negative must not.
	var ga, gr, na, nr, reason int
	ds := make([]time.Duration, 0, len(res))
	for _, x := range res {
		ds = append(ds, x.d)
		pass := x.v.Outcome == sdk.Pass
		switch {
		case x.c.Kind == synth.SheetGood && pass:
			ga++
		case x.c.Kind == synth.SheetGood:
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
	out.line("overall", "genuine_accepted=%d genuine_rejected=%d negative_accepted=%d negative_rejected=%d accuracy=%.3f negative_right_reason=%d",
		ga, gr, na, nr, ratio(ga+nr, len(res)), reason)
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	if len(ds) > 0 {
		out.line("latency", "p50_ms=%.1f p95_ms=%.1f (round trip through the plugin, %dx%d JPEG)",
			sigMS(ds[len(ds)/2]), sigMS(ds[len(ds)*95/100]), width, height)
	}
	out.line("note", "%s", "synthetic scenes only: they show each rule reacts to the defect it targets; real photos (paper, pens, tables, phones) must confirm the thresholds")
}

func sigMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func sigExpectText(s string) string {
	if s == "" {
		return "pass"
	}
	return s
}
