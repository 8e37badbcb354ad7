package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png" // test photos may be PNG
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/image/draw"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/conformance"
)

// evalFaceCommand measures face matching on a labelled photo folder: `ehrazctl eval face
// [--data DIR] [--plugin PATH]`. It starts the real face plugin binary (so ehrazctl stays free of
// go-face, dlib and OpenCV and the figures are those of what the kiosk runs), calls MatchFaces on
// every pair of photos listed in DIR/people.tsv, and prints FNMR at FMR 1%, 0.1% and 0, the
// plugin's threshold with its own FMR/FNMR, pair counts and the face count of pristin.jpg, one
// `eval.face key=value` line each.
//
// Several evaluators share the command name "eval": this one answers "face" and hands any other
// subject to the next "eval" command listed after it.
func evalFaceCommand() command {
	return command{
		name:    "eval",
		summary: evalFaceSummary,
		run: func(ctx context.Context, e *env, args []string) int {
			if len(args) < 1 || args[0] != "face" {
				if next, ok := evalAfter(evalFaceSummary); ok {
					return next.run(ctx, e, args)
				}
				fmt.Fprintln(e.stderr, "usage: ehrazctl "+evalFaceSummary)
				return exitUsage
			}
			fs := flag.NewFlagSet("eval face", flag.ContinueOnError)
			fs.SetOutput(e.stderr)
			data := fs.String("data", filepath.Join(faceSharedDir(), "testdata", "faces"), "folder with people.tsv and the photos")
			plug := fs.String("plugin", filepath.Join("bin", "plugins", "face"), "face plugin binary (make plugins)")
			if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 {
				return exitUsage
			}
			if err := evalFace(ctx, e, *data, *plug); err != nil {
				fmt.Fprintf(e.stderr, "eval face: %v\n", err)
				return exitInvalid
			}
			return exitOK
		},
	}
}

const evalFaceSummary = "eval face [--data DIR] [--plugin PATH]: face-matching error rates on labelled photos"

// evalAfter finds the first "eval" command listed after the one with this summary.
func evalAfter(summary string) (command, bool) {
	cs := commands()
	me := slices.IndexFunc(cs, func(c command) bool { return c.summary == summary })
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

func faceSharedDir() string {
	if s := os.Getenv("SHARED"); s != "" {
		return s
	}
	return filepath.Join("..", "shared")
}

// faceLabelled is one photo of people.tsv; person "-" marks a group photo kept out of the pairs.
type faceLabelled struct {
	file, person string
	img          sdk.Image
}

func faceReadPeople(dir string) ([]faceLabelled, error) {
	f, err := os.Open(filepath.Join(dir, "people.tsv"))
	if err != nil {
		return nil, fmt.Errorf("open people.tsv: %w", err)
	}
	defer f.Close()
	var out []faceLabelled
	sc := bufio.NewScanner(f)
	for n := 0; sc.Scan(); n++ {
		cols := strings.Split(sc.Text(), "\t")
		if n == 0 || len(cols) < 2 || cols[0] == "" {
			continue
		}
		out = append(out, faceLabelled{file: cols[0], person: cols[1]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read people.tsv: %w", err)
	}
	return out, nil
}

// faceShrinkJPEG reduces a photo to at most side pixels on its long side (the plugin works at 1024
// anyway) so each of the hundreds of calls does not decode a 10-megapixel JPEG again.
func faceShrinkJPEG(b []byte, side int) (sdk.Image, error) {
	src, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return sdk.Image{}, fmt.Errorf("decode: %w", err)
	}
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	if l := max(w, h); l > side {
		w, h = w*side/l, h*side/l
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 95}); err != nil {
		return sdk.Image{}, fmt.Errorf("encode: %w", err)
	}
	return sdk.Image{Data: buf.Bytes(), Format: "jpeg", Width: w, Height: h}, nil
}

// faceOperatingPoint is the threshold that keeps the false-match rate at or under a target, and the
// false-non-match rate it costs.
type faceOperatingPoint struct {
	TargetFMR, Threshold, FMR, FNMR float64
}

// faceAtFMR picks the largest threshold (accept when distance ≤ threshold) whose FMR on the impostor
// distances stays at or below target. With n impostor pairs, targets under 1/n behave as 0.
func faceAtFMR(genuine, impostor []float64, target float64) faceOperatingPoint {
	imp := append([]float64(nil), impostor...)
	sort.Float64s(imp)
	k := int(math.Floor(target * float64(len(imp)) * (1 + 1e-9)))
	th := math.Inf(1)
	if k < len(imp) {
		th = math.Nextafter(imp[k], math.Inf(-1))
	}
	return faceRates(genuine, impostor, th, target)
}

// faceAtFNMR picks the smallest threshold whose FNMR on the genuine distances stays at or below
// target (target is recorded in TargetFMR's place).
func faceAtFNMR(genuine, impostor []float64, target float64) faceOperatingPoint {
	gen := append([]float64(nil), genuine...)
	sort.Float64s(gen)
	if len(gen) == 0 {
		return faceRates(genuine, impostor, math.Inf(1), target)
	}
	k := int(math.Floor(target * float64(len(gen)) * (1 + 1e-9)))
	return faceRates(genuine, impostor, gen[max(0, len(gen)-1-k)], target)
}

func faceRates(genuine, impostor []float64, th, target float64) faceOperatingPoint {
	op := faceOperatingPoint{TargetFMR: target, Threshold: th}
	for _, d := range impostor {
		if d <= th {
			op.FMR++
		}
	}
	for _, d := range genuine {
		if d > th {
			op.FNMR++
		}
	}
	if len(impostor) > 0 {
		op.FMR /= float64(len(impostor))
	}
	if len(genuine) > 0 {
		op.FNMR /= float64(len(genuine))
	}
	return op
}

func faceMedian(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func evalFace(ctx context.Context, e *env, dir, plug string) error {
	people, err := faceReadPeople(dir)
	if err != nil {
		return err
	}
	var group *faceLabelled
	var photos []faceLabelled
	for i := range people {
		b, err := os.ReadFile(filepath.Join(dir, people[i].file))
		if err != nil {
			return fmt.Errorf("read %s: %w", people[i].file, err)
		}
		if people[i].img, err = faceShrinkJPEG(b, 1024); err != nil {
			return fmt.Errorf("%s: %w", people[i].file, err)
		}
		if people[i].person == "-" {
			group = &people[i]
			continue
		}
		photos = append(photos, people[i])
	}
	r, stop, err := conformance.Start(plug, e.stderr)
	if err != nil {
		return err
	}
	defer stop()
	var genuine, impostor []float64
	var threshold, review float64
	unusable := 0
	for i := range photos {
		for j := i + 1; j < len(photos); j++ {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("interrupted: %w", err)
			}
			v, err := r.MatchFaces(ctx, sdk.MatchRequest{Probe: photos[i].img, Reference: photos[j].img})
			if err != nil {
				return fmt.Errorf("MatchFaces: %w", err)
			}
			d, ok := faceRuleValue(v, "face.match.distance")
			if !ok {
				unusable++
				continue
			}
			if th, ok := faceRuleThreshold(v, "face.match.distance", sdk.Pass); ok {
				threshold = th
			} else if th, ok := faceRuleThreshold(v, "face.match.distance", sdk.NeedsReview); ok {
				review = th
			}
			if photos[i].person == photos[j].person {
				genuine = append(genuine, d)
			} else {
				impostor = append(impostor, d)
			}
		}
	}
	w := e.stdout
	fmt.Fprintf(w, "eval.face data=%s photos=%d\n", dir, len(photos))
	fmt.Fprintf(w, "eval.face pairs.same=%d pairs.different=%d pairs.no_face=%d\n", len(genuine), len(impostor), unusable)
	fmt.Fprintf(w, "eval.face distance.same.median=%.4f distance.different.median=%.4f\n", faceMedian(genuine), faceMedian(impostor))
	for _, t := range []float64{0.01, 0.001, 0} {
		op := faceAtFMR(genuine, impostor, t)
		fmt.Fprintf(w, "eval.face target_fmr=%g threshold=%.4f fmr=%.4f fnmr=%.4f\n", t, op.Threshold, op.FMR, op.FNMR)
	}
	// Where almost every genuine pair is still accepted: the boundary between review and fail.
	for _, t := range []float64{0.05, 0.01} {
		op := faceAtFNMR(genuine, impostor, t)
		fmt.Fprintf(w, "eval.face target_fnmr=%g threshold=%.4f fmr=%.4f fnmr=%.4f\n", t, op.Threshold, op.FMR, op.FNMR)
	}
	if threshold > 0 {
		op := faceRates(genuine, impostor, threshold, 0)
		fmt.Fprintf(w, "eval.face plugin.threshold=%.4f fmr=%.4f fnmr=%.4f\n", threshold, op.FMR, op.FNMR)
	}
	if review > 0 {
		op := faceRates(genuine, impostor, review, 0)
		fmt.Fprintf(w, "eval.face plugin.review_threshold=%.4f fmr=%.4f fnmr=%.4f\n", review, op.FMR, op.FNMR)
	}
	if len(impostor) > 0 && len(impostor) < 1000 {
		fmt.Fprintf(w, "eval.face note=small_data min_resolvable_fmr=%.4f\n", 1/float64(len(impostor)))
	}
	if group != nil {
		v, err := r.CheckSelfie(ctx, sdk.SelfieRequest{Image: group.img})
		if err != nil {
			return fmt.Errorf("CheckSelfie %s: %w", group.file, err)
		}
		n, _ := faceRuleValue(v, "face.count")
		fmt.Fprintf(w, "eval.face group=%s faces=%d outcome=%s\n", group.file, int(n), v.Outcome)
	}
	return nil
}

func faceRuleValue(v sdk.Verdict, name string) (float64, bool) {
	for _, r := range v.Rules {
		if r.Name == name {
			return r.Value, true
		}
	}
	return 0, false
}

func faceRuleThreshold(v sdk.Verdict, name string, o sdk.Outcome) (float64, bool) {
	for _, r := range v.Rules {
		if r.Name == name && r.Outcome == o {
			return r.Threshold, true
		}
	}
	return 0, false
}
