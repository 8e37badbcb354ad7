package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	_ "image/jpeg" // test photos
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ehraz/ehraz/plugins/liveness/synth"
	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/conformance"
)

// evalLivenessCommand measures the liveness plugin on synthetic challenge videos:
// `ehrazctl eval liveness [--n N] [--plugin PATH] [--data DIR]`. For each of N real face photos
// (people.tsv in DIR) it renders, with package plugins/liveness/synth (pure Go, seeded), a genuine
// clip showing the challenge, a genuine clip showing it in the wrong order, and three presentation
// attacks showing the right numbers (phone screen, halftone print, flat photo). Each clip goes to
// the real plugin binary over the plugin protocol, so ehrazctl links no OpenCV or onnxruntime and
// the figures are those of what the kiosk runs. It prints per-number and per-sequence accuracy,
// BPCER and APCER per attack kind, one `eval.liveness… key=value` line each.
//
// Listed last among the "eval" commands: it answers "liveness" only.
func evalLivenessCommand() command {
	return command{
		name:    "eval",
		summary: evalLivenessSummary,
		run: func(ctx context.Context, e *env, args []string) int {
			if len(args) < 1 || args[0] != "liveness" {
				fmt.Fprintln(e.stderr, "usage: ehrazctl "+evalLivenessSummary)
				return exitUsage
			}
			fs := flag.NewFlagSet("eval liveness", flag.ContinueOnError)
			fs.SetOutput(e.stderr)
			n := fs.Int("n", 4, "face photos (5 clips each)")
			plug := fs.String("plugin", filepath.Join("bin", "plugins", "liveness"), "liveness plugin binary (make plugins)")
			data := fs.String("data", filepath.Join(liveSharedDir(), "testdata", "faces"), "folder with people.tsv and face photos")
			if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 || *n < 1 {
				return exitUsage
			}
			if err := evalLiveness(ctx, e.stdout, e.stderr, *plug, *data, *n); err != nil {
				fmt.Fprintf(e.stderr, "eval liveness: %v\n", err)
				return exitInvalid
			}
			return exitOK
		},
	}
}

const evalLivenessSummary = "eval liveness [--n N] [--plugin PATH] [--data DIR]: finger-challenge accuracy, APCER and BPCER on synthetic videos"

func liveSharedDir() string {
	if s := os.Getenv("SHARED"); s != "" {
		return s
	}
	return filepath.Join("..", "shared")
}

// livePhotos lists the single-person photos of people.tsv (rows with a note are skipped: group
// photos, other people in the background).
func livePhotos(dir string) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, "people.tsv"))
	if err != nil {
		return nil, fmt.Errorf("open people.tsv: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 2 || cols[0] == "file" || (len(cols) > 2 && strings.TrimSpace(cols[2]) != "") {
			continue
		}
		out = append(out, filepath.Join(dir, cols[0]))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read people.tsv: %w", err)
	}
	return out, nil
}

type liveCase struct {
	kind      synth.Kind
	wrong     bool // genuine, numbers shown in the wrong order
	challenge []int
	v         sdk.Verdict
}

func (c liveCase) label() string {
	if c.wrong {
		return "genuine-wrong-order"
	}
	return c.kind.String()
}

func evalLiveness(ctx context.Context, out, logs io.Writer, plugin, dir string, n int) error {
	photos, err := livePhotos(dir)
	if err != nil {
		return err
	}
	r, stop, err := conformance.Start(plugin, logs)
	if err != nil {
		return err
	}
	defer stop()
	rng := rand.New(rand.NewPCG(2026, 6))
	var cases []liveCase
	used := 0
	for _, p := range photos {
		if used == n {
			break
		}
		b, err := os.ReadFile(p)
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
		specs := []liveCase{
			{kind: synth.Genuine, challenge: challenge},
			{kind: synth.Genuine, wrong: true, challenge: challenge},
			{kind: synth.ScreenReplay, challenge: challenge},
			{kind: synth.Print, challenge: challenge},
			{kind: synth.FlatWarp, challenge: challenge},
		}
		for i, c := range specs {
			shown := c.challenge
			if c.wrong {
				shown = wrong
			}
			cl, err := synth.Make(synth.Spec{Face: img, FaceBox: box, Shown: shown, Kind: c.kind, Seed: uint64(used*10 + i)})
			if err != nil {
				return err
			}
			v, err := r.CheckLiveness(ctx, sdk.LivenessRequest{Frames: cl.Frames, Challenge: sdk.Challenge{Numbers: c.challenge},
				Guide: sdk.Rect{X: 0.2, Y: 0.05, W: 0.6, H: 0.8}})
			if err != nil {
				return fmt.Errorf("check liveness: %w", err)
			}
			c.v = v
			cases = append(cases, c)
			fmt.Fprintf(logs, "eval liveness: photo %d/%d %s → %v %v\n", used, n, c.label(), v.Outcome, v.Reasons)
		}
	}
	if used == 0 {
		return fmt.Errorf("no usable face photo in %s", dir)
	}
	printLivenessEval(out, plugin, used, cases)
	return nil
}

func liveRule(v sdk.Verdict, name string) (sdk.Rule, bool) {
	for _, r := range v.Rules {
		if r.Name == name {
			return r, true
		}
	}
	return sdk.Rule{}, false
}

func liveRatio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func printLivenessEval(out io.Writer, plugin string, photos int, cases []liveCase) {
	fmt.Fprintf(out, "eval.liveness.setup plugin=%s photos=%d clips=%d frames=640x480@15fps\n", plugin, photos, len(cases))
	// per number: every challenge position of the genuine, in-order clips
	var perDigit [6][2]int
	var seqOK, seqN, wrongOK, wrongN, bona, bonaRejected int
	var dur time.Duration
	for _, c := range cases {
		dur += c.v.Duration
		if c.kind != synth.Genuine {
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
		if r, ok := liveRule(c.v, "sequence.match"); ok && r.Outcome == sdk.Pass {
			seqOK++
		}
		for i, want := range c.challenge {
			r, ok := liveRule(c.v, fmt.Sprintf("sequence.number.%d", i+1))
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
		fmt.Fprintf(out, "eval.liveness.number digit=%d shown=%d read=%d accuracy=%.3f\n", d, perDigit[d][1], perDigit[d][0], liveRatio(perDigit[d][0], perDigit[d][1]))
	}
	fmt.Fprintf(out, "eval.liveness.number digit=all shown=%d read=%d accuracy=%.3f\n", all[1], all[0], liveRatio(all[0], all[1]))
	fmt.Fprintf(out, "eval.liveness.sequence kind=in-order clips=%d matched=%d accuracy=%.3f\n", seqN, seqOK, liveRatio(seqOK, seqN))
	fmt.Fprintf(out, "eval.liveness.sequence kind=wrong-order clips=%d caught_as_wrong_order=%d accuracy=%.3f\n", wrongN, wrongOK, liveRatio(wrongOK, wrongN))
	fmt.Fprintf(out, "eval.liveness.bpcer bona_fide=%d rejected=%d bpcer=%.3f\n", bona, bonaRejected, liveRatio(bonaRejected, bona))
	worst := 0.0
	for _, k := range []synth.Kind{synth.ScreenReplay, synth.Print, synth.FlatWarp} {
		var n, accepted, bySpoof int
		for _, c := range cases {
			if c.kind != k {
				continue
			}
			n++
			if c.v.Outcome == sdk.Pass || c.v.Outcome == sdk.NeedsReview {
				accepted++
			}
			if r, ok := liveRule(c.v, "spoof.score"); ok && r.Outcome == sdk.Fail {
				bySpoof++
			}
		}
		apcer := liveRatio(accepted, n)
		worst = max(worst, apcer)
		fmt.Fprintf(out, "eval.liveness.apcer kind=%s attacks=%d accepted=%d apcer=%.3f rejected_by_spoof_score=%d\n", k, n, accepted, apcer, bySpoof)
	}
	fmt.Fprintf(out, "eval.liveness.apcer kind=worst apcer=%.3f\n", worst)
	// the anti-spoofing cues per kind (median and range; -1 = not measured), for calibration
	for _, k := range []string{"genuine", "screen-replay", "print", "flat-warp"} {
		for _, cue := range []string{"spoof.border", "spoof.moire", "spoof.glare", "spoof.flat", "spoof.net", "spoof.score"} {
			var vals []float64
			for _, c := range cases {
				if c.label() != k {
					continue
				}
				if r, ok := liveRule(c.v, cue); ok {
					vals = append(vals, r.Value)
				}
			}
			if len(vals) == 0 {
				continue
			}
			slices.Sort(vals)
			fmt.Fprintf(out, "eval.liveness.cue kind=%s cue=%s n=%d min=%.3f median=%.3f max=%.3f\n", k, cue, len(vals), vals[0], vals[len(vals)/2], vals[len(vals)-1])
		}
	}
	fmt.Fprintf(out, "eval.liveness.speed clips=%d mean_check_ms=%.0f\n", len(cases), float64(dur.Milliseconds())/float64(max(1, len(cases))))
	fmt.Fprintln(out, "eval.liveness.note hands are rendered (palm and finger capsules), faces are real photos pasted flat with a simulated head turn, attacks are simulations: these figures show the pipeline works end to end and catches these attacks, not its accuracy on real applicants or real attacks; a needs-review answer to an attack counts as accepted")
}
