package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	_ "image/jpeg" // test photos
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/synth"
)

// evalLivenessSubject measures the liveness plugin on synthetic challenge videos:
// `ehrazctl eval liveness [--n N] [--windows=false] [--kinds K,…] [--plugin PATH] [--data DIR]`. For each of N real face photos
// (the single-person rows of people.tsv in DIR) it renders, with package synth (pure Go,
// seeded), a genuine clip showing the challenge, a genuine clip showing it in the wrong order,
// and three presentation attacks showing the right numbers (phone screen, halftone print, flat
// photo) — and, with --windows (the default: challenges timed as the kiosk draws them, clips
// following the windows), a genuine clip of the right numbers recorded for another timing (a
// replayed recording) — and sends each to the plugin. It prints per-number and per-sequence
// accuracy, BPCER and APCER per attack kind, one `eval.liveness… key=value` line each; --kinds
// runs only the clip kinds named.
func evalLivenessSubject() evalSubject {
	return evalSubject{
		name: "liveness",
		args: "[--n N] [--windows=false] [--kinds K,…] [--plugin PATH] [--data DIR]",
		help: "finger-challenge accuracy, APCER and BPCER on synthetic videos",
		flags: func(fs *flag.FlagSet) (func() error, func(context.Context, evalRun) error) {
			n := fs.Int("n", 4, "face photos (6 clips each)")
			timed := fs.Bool("windows", true, "challenges with display windows drawn as the kiosk draws them (flow.DefaultWindowBounds), genuine clips following them; false: the fixed timeline without windows")
			kinds := fs.String("kinds", "", "only these clip kinds, comma-separated (genuine, genuine-wrong-order, genuine-other-timing, screen-replay, print, flat-warp); empty: all")
			data := fs.String("data", filepath.Join(evalSharedDir(), "testdata", "faces"), "folder with people.tsv and face photos")
			check := func() error {
				if *n < 1 {
					return evalUsageError("--n must be at least 1")
				}
				return nil
			}
			return check, func(ctx context.Context, r evalRun) error {
				return evalLiveness(ctx, r, *data, *n, *timed, splitKinds(*kinds))
			}
		},
	}
}

type liveCase struct {
	kind      synth.ClipKind
	wrong     bool // genuine, numbers shown in the wrong order
	other     bool // genuine, the right numbers recorded for another timing (a replayed recording)
	challenge []int
	windows   []sdk.Window
	v         sdk.Verdict
}

func (c liveCase) label() string {
	switch {
	case c.wrong:
		return "genuine-wrong-order"
	case c.other:
		return "genuine-other-timing"
	}
	return c.kind.String()
}

func splitKinds(s string) []string {
	var out []string
	for _, k := range strings.Split(s, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

func evalLiveness(ctx context.Context, run evalRun, dir string, n int, timed bool, kinds []string) error {
	people, err := readPeople(dir)
	if err != nil {
		return err
	}
	r, logs := run.plugin, run.logs
	rng := rand.New(rand.NewPCG(2026, 6))
	wrng := rand.New(rand.NewPCG(2026, 19)) // windows: their own source, so the numbers match a --windows=false run
	seeded := func(lo, hi int) (int, error) { return lo + wrng.IntN(hi-lo+1), nil }
	var cases []liveCase
	used := 0
	for _, p := range people {
		if used == n {
			break
		}
		if p.note != "" { // group photos, other people in the background
			continue
		}
		b, err := os.ReadFile(p.path)
		if err != nil {
			return fmt.Errorf("read photo: %w", err)
		}
		img, _, err := image.Decode(bytes.NewReader(b))
		if err != nil {
			continue
		}
		box, ok := synth.FaceBox(ctx, r, b, img.Bounds().Dx(), img.Bounds().Dy())
		if !ok {
			continue
		}
		used++
		challenge := []int{1 + rng.IntN(5), 1 + rng.IntN(5), 1 + rng.IntN(5)}
		for challenge[1] == challenge[0] || challenge[2] == challenge[1] || challenge[2] == challenge[0] {
			challenge = []int{1 + rng.IntN(5), 1 + rng.IntN(5), 1 + rng.IntN(5)}
		}
		wrong := []int{challenge[1], challenge[0], challenge[2]}
		var windows, otherWindows []sdk.Window
		if timed {
			if windows, err = flow.DefaultWindowBounds.Draw(len(challenge), seeded); err != nil {
				return err
			}
			if otherWindows, err = flow.DefaultWindowBounds.Draw(len(challenge), seeded); err != nil {
				return err
			}
		}
		specs := []liveCase{
			{kind: synth.Genuine, challenge: challenge},
			{kind: synth.Genuine, wrong: true, challenge: challenge},
			{kind: synth.ScreenReplay, challenge: challenge},
			{kind: synth.Print, challenge: challenge},
			{kind: synth.FlatWarp, challenge: challenge},
		}
		if timed {
			specs = append(specs, liveCase{kind: synth.Genuine, other: true, challenge: challenge})
		}
		for i, c := range specs {
			if len(kinds) > 0 && !slices.Contains(kinds, c.label()) {
				continue
			}
			shown, follow := c.challenge, windows
			switch {
			case c.wrong:
				shown = wrong
			case c.other:
				follow = otherWindows
			}
			c.windows = windows
			cl, err := synth.MakeClip(synth.ClipSpec{Face: img, FaceBox: box, Shown: shown, Kind: c.kind, Seed: uint64(used*10 + i),
				Windows: follow})
			if err != nil {
				return err
			}
			v, err := r.CheckLiveness(ctx, sdk.LivenessRequest{Frames: cl.Frames, Challenge: sdk.Challenge{Numbers: c.challenge, Windows: windows},
				Guide: sdk.Rect{X: 0.2, Y: 0.05, W: 0.6, H: 0.8}})
			if err != nil {
				return fmt.Errorf("check liveness: %w", err)
			}
			c.v = v
			cases = append(cases, c)
			fmt.Fprintf(logs, "eval liveness: photo %d/%d %s → %v %v\n", used, n, c.label(), v.Outcome, v.Reasons)
			if c.kind == synth.Genuine && !c.wrong && !c.other && v.Outcome != sdk.Pass {
				// why a genuine clip failed: what the plugin read per number, against what was shown when
				var read []string
				for _, r := range v.Rules {
					if strings.HasPrefix(r.Name, "sequence.") || r.Name == "hand.count" || r.Name == "hand.frames" {
						read = append(read, fmt.Sprintf("%s=%g", r.Name, r.Value))
					}
				}
				fmt.Fprintf(logs, "eval liveness:   challenge %v windows %v read %s\n", c.challenge, windows, strings.Join(read, " "))
			}
		}
	}
	if used == 0 {
		return fmt.Errorf("no usable face photo in %s", dir)
	}
	printLivenessEval(run.out, run.pluginPath, used, cases, timed)
	return nil
}

func printLivenessEval(out evalOut, plugin string, photos int, cases []liveCase, timed bool) {
	timing := "fixed-thirds"
	if timed {
		timing = "windows"
	}
	out.line("setup", "plugin=%s photos=%d clips=%d frames=640x480@15fps challenge=%s", plugin, photos, len(cases), timing)
	// per number: every challenge position of the genuine, in-order clips
	var perDigit [6][2]int
	var seqOK, seqN, wrongOK, wrongN, bona, bonaRejected, otherN, otherAccepted int
	var dur time.Duration
	for _, c := range cases {
		dur += c.v.Duration
		if c.kind != synth.Genuine {
			continue
		}
		if c.other {
			otherN++
			if c.v.Outcome == sdk.Pass || c.v.Outcome == sdk.NeedsReview {
				otherAccepted++
			}
			continue
		}
		if c.wrong {
			wrongN++
			if slices.Contains(c.v.Reasons, "verdict.liveness.sequence.wrong_order") {
				wrongOK++
			}
			continue
		}
		bona++
		if c.v.Outcome != sdk.Pass {
			bonaRejected++
		}
		seqN++
		if r, ok := ruleNamed(c.v, "sequence.match"); ok && r.Outcome == sdk.Pass {
			seqOK++
		}
		for i, want := range c.challenge {
			r, ok := ruleNamed(c.v, fmt.Sprintf("sequence.number.%d", i+1))
			perDigit[want][1]++
			if ok && int(r.Value) == want {
				perDigit[want][0]++
			}
		}
	}
	var all [2]int
	for d := 1; d <= 5; d++ {
		all[0] += perDigit[d][0]
		all[1] += perDigit[d][1]
		out.line("number", "digit=%d shown=%d read=%d accuracy=%.3f", d, perDigit[d][1], perDigit[d][0], ratio(perDigit[d][0], perDigit[d][1]))
	}
	out.line("number", "digit=all shown=%d read=%d accuracy=%.3f", all[1], all[0], ratio(all[0], all[1]))
	out.line("sequence", "kind=in-order clips=%d matched=%d accuracy=%.3f", seqN, seqOK, ratio(seqOK, seqN))
	if wrongN > 0 {
		out.line("sequence", "kind=wrong-order clips=%d caught_as_wrong_order=%d accuracy=%.3f", wrongN, wrongOK, ratio(wrongOK, wrongN))
	}
	out.line("bpcer", "bona_fide=%d rejected=%d bpcer=%.3f", bona, bonaRejected, ratio(bonaRejected, bona))
	if otherN > 0 {
		out.line("apcer", "kind=genuine-other-timing attacks=%d accepted=%d apcer=%.3f", otherN, otherAccepted, ratio(otherAccepted, otherN))
	}
	worst := 0.0
	for _, k := range []synth.ClipKind{synth.ScreenReplay, synth.Print, synth.FlatWarp} {
		var n, accepted, bySpoof int
		for _, c := range cases {
			if c.kind != k {
				continue
			}
			n++
			if c.v.Outcome == sdk.Pass || c.v.Outcome == sdk.NeedsReview {
				accepted++
			}
			if r, ok := ruleNamed(c.v, "spoof.score"); ok && r.Outcome == sdk.Fail {
				bySpoof++
			}
		}
		if n == 0 { // not run (--kinds)
			continue
		}
		apcer := ratio(accepted, n)
		worst = max(worst, apcer)
		out.line("apcer", "kind=%s attacks=%d accepted=%d apcer=%.3f rejected_by_spoof_score=%d", k, n, accepted, apcer, bySpoof)
	}
	out.line("apcer", "kind=worst apcer=%.3f", worst)
	// the anti-spoofing cues per kind (median and range; -1 = not measured), for calibration
	for _, k := range []string{"genuine", "screen-replay", "print", "flat-warp"} {
		for _, cue := range []string{"spoof.border", "spoof.moire", "spoof.glare", "spoof.flat", "spoof.net", "spoof.score"} {
			var vals []float64
			for _, c := range cases {
				if c.label() != k {
					continue
				}
				if r, ok := ruleNamed(c.v, cue); ok {
					vals = append(vals, r.Value)
				}
			}
			if len(vals) == 0 {
				continue
			}
			slices.Sort(vals)
			out.line("cue", "kind=%s cue=%s n=%d min=%.3f median=%.3f max=%.3f", k, cue, len(vals), vals[0], vals[len(vals)/2], vals[len(vals)-1])
		}
	}
	out.line("speed", "clips=%d mean_check_ms=%.0f", len(cases), float64(dur.Milliseconds())/float64(max(1, len(cases))))
	out.line("note", "%s", "hands are rendered (palm and finger capsules), faces are real photos pasted flat with a simulated head turn, attacks are simulations: these figures show the pipeline works end to end and catches these attacks, not its accuracy on real applicants or real attacks; a needs-review answer to an attack counts as accepted")
}
