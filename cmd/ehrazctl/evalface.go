package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png" // test photos may be PNG
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // and WebP, whatever their extension says

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/plugins/face/calibration"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// evalFaceSubject measures face matching on labelled photo folders: `ehrazctl eval face
// [--data DIR]... [--dump FILE] [--pass-fmr X --fail-fmr Y] [--calibrate [--out FILE]]
// [--fuse K [--fused-pass-fmr X]] [--loo] [--plugin PATH]`. It calls the face plugin's MatchFaces on every pair of photos listed in each
// DIR/people.tsv and prints, per folder, FNMR at FMR 1%, 0.1% and 0, pair counts, the face count of
// the group photo, the decision of the kiosk's face policy (`eval.face policy …`) and the whole
// trade-off of the policy's pass limit (`eval.face.tradeoff …`), one key=value line each. With
// --fuse K it also decides groups of K photos of one person against one reference photo by the
// kiosk's fused rule (`eval.face.fuse …`, beside the single-pair figures). With --loo it repeats
// the policy and trade-off figures leaving each person out of the table's fit
// (`eval.face.loo …`, faceLeaveOneOut). With
// --calibrate it fits the distance → estimated false-match-rate table on all the folders
// (plugins/face/calibration) and writes it where the plugin reads it.
func evalFaceSubject() evalSubject {
	return evalSubject{
		name: "face",
		args: "[--data DIR]... [--dump FILE] [--pass-fmr X] [--fail-fmr Y] [--fuse K [--fused-pass-fmr X]] [--loo] [--calibrate [--out FILE]]",
		help: "face-matching error rates and the face policy on labelled photos; --calibrate fits the plugin's table",
		flags: func(fs *flag.FlagSet) (func() error, func(context.Context, evalRun) error) {
			var o faceEvalOptions
			fs.Var(&o.dirs, "data", "folder with people.tsv and the photos (repeat for several sets; default the shared hard set)")
			fs.StringVar(&o.dump, "dump", "", "write every pair's distance, estimate and pair quality to FILE (tab-separated)")
			def := flow.DefaultFacePolicy()
			fs.Float64Var(&o.policy.PassFMR, "pass-fmr", def.PassFMR, "policy: auto-pass at an estimated false-match rate at or under this")
			fs.Float64Var(&o.policy.FailFMR, "fail-fmr", def.FailFMR, "policy: fail above this estimated false-match rate")
			fs.Float64Var(&o.policy.FusedPassFMR, "fused-pass-fmr", def.FusedPassFMR, "policy: with --fuse, the pass limit of a median of three or more good pairs (0 = --pass-fmr)")
			fs.BoolVar(&o.calibrate, "calibrate", false, "fit the calibration table on the --data folders and write it")
			fs.IntVar(&o.fuse, "fuse", 0, "also decide groups of K photos of one person against one reference photo by the flow's fused rule (flow.FacePolicy.Fuse)")
			fs.BoolVar(&o.loo, "loo", false, "also judge each person by a table fitted without that person (leave one person out; the --calibrate method)")
			fs.StringVar(&o.out, "out", "", "with --calibrate: the table file (default <models>/face/"+calibration.FileName+", where the plugin reads it)")
			check := func() error {
				if err := o.policy.Validate(); err != nil {
					return evalUsageError("%v", err)
				}
				if o.fuse < 0 || o.fuse > 8 {
					return evalUsageError("--fuse %d: K must be 2..8 (0 = off)", o.fuse)
				}
				if o.out != "" && !o.calibrate {
					return evalUsageError("--out needs --calibrate")
				}
				if len(o.dirs) == 0 {
					o.dirs = faceDirs{filepath.Join(evalSharedDir(), "testdata", "faces")}
				}
				return nil
			}
			return check, func(ctx context.Context, r evalRun) error { return evalFace(ctx, r, o) }
		},
	}
}

// faceEvalOptions are eval face's flags.
type faceEvalOptions struct {
	dirs      faceDirs
	dump      string
	policy    flow.FacePolicy
	calibrate bool
	out       string
	fuse      int
	loo       bool
}

// faceDirs collects repeated --data flags.
type faceDirs []string

func (d *faceDirs) String() string     { return strings.Join(*d, ",") }
func (d *faceDirs) Set(v string) error { *d = append(*d, v); return nil }

// faceLabelled is one photo of people.tsv, shrunk; person "-" marks a group photo kept out of the
// pairs.
type faceLabelled struct {
	personPhoto
	img sdk.Image
}

// faceShrinkJPEG decodes a JPEG, PNG or WebP photo (by its content, not its extension) and reduces a photo to at most side pixels on its long side (the plugin works at 1024
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

// faceSkip is a photo left out of the evaluation and why (a short token: read, decode, no_face,
// or the plugin's reason).
type faceSkip struct{ file, reason string }

// faceLoad reads and shrinks every photo of people; one that cannot be read or decoded is skipped
// with its reason and the rest go on.
func faceLoad(people []personPhoto) (photos []faceLabelled, group *faceLabelled, skipped []faceSkip) {
	for _, p := range people {
		b, err := os.ReadFile(p.path)
		if err != nil {
			skipped = append(skipped, faceSkip{p.file, "read"})
			continue
		}
		img, err := faceShrinkJPEG(b, 1024)
		if err != nil {
			skipped = append(skipped, faceSkip{p.file, "decode"})
			continue
		}
		if p.person == "-" {
			group = &faceLabelled{p, img}
			continue
		}
		photos = append(photos, faceLabelled{p, img})
	}
	return photos, group, skipped
}

// faceUsable keeps the photos in which the plugin finds a face: each is matched against itself
// (the plugin caches its descriptor, so the pairs below do not compute it again). A photo without
// a face, or one the plugin rejects, is skipped with the plugin's reason.
func faceUsable(ctx context.Context, r faceMatcher, photos []faceLabelled) ([]faceLabelled, []faceSkip, error) {
	var kept []faceLabelled
	var skipped []faceSkip
	for _, p := range photos {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("interrupted: %w", err)
		}
		v, err := r.MatchFaces(ctx, sdk.MatchRequest{Probe: p.img, Reference: p.img})
		if err != nil {
			skipped = append(skipped, faceSkip{p.file, "plugin_error"})
			continue
		}
		if _, ok := ruleNamed(v, "face.match.distance"); ok {
			kept = append(kept, p)
			continue
		}
		reason := "no_distance"
		for _, rule := range v.Rules {
			if rule.Outcome != sdk.Pass && rule.Reason != "" {
				reason = strings.TrimPrefix(rule.Reason, "verdict.")
				reason = strings.TrimPrefix(reason, "face.match.probe.")
				break
			}
		}
		skipped = append(skipped, faceSkip{p.file, reason})
	}
	return kept, skipped, nil
}

// faceMatcher is the part of the plugin faceUsable needs (a fake in tests).
type faceMatcher interface {
	MatchFaces(context.Context, sdk.MatchRequest) (sdk.Verdict, error)
}

// facePair is one measured pair, as --dump writes it: the distance and the plugin's estimated
// false-match rate (NaN when the plugin gave none).
type facePair struct {
	a, b *faceLabelled
	dist float64
	est  float64
	qual float64 // the plugin's pair-quality rule (flow.PairQualityRule), NaN when it gave none
}

func (p facePair) same() bool { return p.a.person == p.b.person }

// faceDump writes every pair's distance, estimate and pair quality (NaN when the plugin gave
// none), one tab-separated line each, sorted as measured.
func faceDump(w io.Writer, pairs []facePair) error {
	if _, err := fmt.Fprintln(w, "file_a\tperson_a\tfile_b\tperson_b\tsame\tdistance\test_fmr\tquality"); err != nil {
		return err
	}
	for _, p := range pairs {
		same := 0
		if p.same() {
			same = 1
		}
		if _, err := fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%.6f\t%.6g\t%.3f\n", p.a.file, p.a.person, p.b.file, p.b.person, same, p.dist, p.est, p.qual); err != nil {
			return err
		}
	}
	return nil
}

// faceSet is one measured folder.
type faceSet struct {
	dir, name string
	photos    int
	skipped   []faceSkip
	pairs     []facePair
	unusable  int // pairs without a distance
	// calibration is the table the plugin's estimates came from, as it names it.
	calibration string
}

func (s faceSet) distances() (genuine, impostor []float64) {
	for _, p := range s.pairs {
		if p.same() {
			genuine = append(genuine, p.dist)
		} else {
			impostor = append(impostor, p.dist)
		}
	}
	return genuine, impostor
}

// faceMeasure matches every pair of one folder's photos through the plugin and prints the
// folder's lines (skipped photos, counts, operating points, the group photo).
func faceMeasure(ctx context.Context, run evalRun, dir string) (faceSet, error) {
	set := faceSet{dir: dir, name: filepath.Base(filepath.Clean(dir))}
	people, err := readPeople(dir)
	if err != nil {
		return set, err
	}
	photos, group, skipped := faceLoad(people)
	r := run.plugin
	photos, noFace, err := faceUsable(ctx, r, photos)
	if err != nil {
		return set, err
	}
	set.photos, set.skipped = len(photos), append(skipped, noFace...)
	out := run.out
	for _, s := range set.skipped {
		out.line("", "skipped=%s reason=%s", s.file, s.reason)
	}
	for i := range photos {
		for j := i + 1; j < len(photos); j++ {
			if err := ctx.Err(); err != nil {
				return set, fmt.Errorf("interrupted: %w", err)
			}
			v, err := r.MatchFaces(ctx, sdk.MatchRequest{Probe: photos[i].img, Reference: photos[j].img})
			if err != nil {
				return set, fmt.Errorf("MatchFaces: %w", err)
			}
			p := facePair{a: &photos[i], b: &photos[j], est: math.NaN(), qual: math.NaN()}
			if q, ok := ruleNamed(v, flow.PairQualityRule); ok {
				p.qual = q.Value
			}
			if m := v.Match; m != nil {
				p.dist, p.est, set.calibration = m.Distance, m.EstimatedFMR, m.Calibration
			} else if d, ok := ruleNamed(v, "face.match.distance"); ok {
				p.dist = d.Value
			} else {
				set.unusable++
				continue
			}
			set.pairs = append(set.pairs, p)
		}
	}
	genuine, impostor := set.distances()
	out.line("", "data=%s photos=%d skipped=%d", dir, set.photos, len(set.skipped))
	out.line("", "pairs.same=%d pairs.different=%d pairs.no_face=%d", len(genuine), len(impostor), set.unusable)
	out.line("", "distance.same.median=%.4f distance.different.median=%.4f", faceMedian(genuine), faceMedian(impostor))
	for _, t := range []float64{0.01, 0.001, 0} {
		op := faceAtFMR(genuine, impostor, t)
		out.line("", "target_fmr=%g threshold=%.4f fmr=%.4f fnmr=%.4f", t, op.Threshold, op.FMR, op.FNMR)
	}
	// Where almost every genuine pair is still accepted: the boundary between review and fail.
	for _, t := range []float64{0.05, 0.01} {
		op := faceAtFNMR(genuine, impostor, t)
		out.line("", "target_fnmr=%g threshold=%.4f fmr=%.4f fnmr=%.4f", t, op.Threshold, op.FMR, op.FNMR)
	}
	if len(impostor) > 0 && len(impostor) < 1000 {
		out.line("", "note=small_data min_resolvable_fmr=%.4f", 1/float64(len(impostor)))
	}
	if group != nil {
		v, err := r.CheckSelfie(ctx, sdk.SelfieRequest{Image: group.img})
		if err != nil {
			return set, fmt.Errorf("CheckSelfie %s: %w", group.file, err)
		}
		n, _ := ruleNamed(v, "face.count")
		out.line("", "group=%s faces=%d outcome=%s", group.file, int(n.Value), v.Outcome)
	}
	return set, nil
}

// facePolicyRates is what a face policy does to one folder's pairs: the share of different-person
// pairs it passes (fmr), of same-person pairs it does not pass (fnmr), and the shares it fails.
type facePolicyRates struct {
	FMR, FNMR                 float64
	GenuineFail, ImpostorFail float64
	Estimated, Pairs          int // pairs with an estimate, of all
}

// faceApplyPolicy decides every pair by the policy from its estimate (no estimate: review).
func faceApplyPolicy(p flow.FacePolicy, pairs []facePair) facePolicyRates {
	var r facePolicyRates
	var gen, imp, genPass, genFail, impPass, impFail int
	for _, pr := range pairs {
		o := sdk.NeedsReview
		if !math.IsNaN(pr.est) {
			o, _ = p.Decide(pr.est)
			r.Estimated++
		}
		if pr.same() {
			gen++
			genPass += b2i(o == sdk.Pass)
			genFail += b2i(o == sdk.Fail)
		} else {
			imp++
			impPass += b2i(o == sdk.Pass)
			impFail += b2i(o == sdk.Fail)
		}
	}
	r.Pairs = len(pairs)
	r.FMR, r.ImpostorFail = ratio(impPass, imp), ratio(impFail, imp)
	r.FNMR, r.GenuineFail = ratio(gen-genPass, gen), ratio(genFail, gen)
	return r
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// faceTradeoffLines prints, for each of faceTradeoffLimits, every set's auto-pass and false
// auto-pass when its pairs (pairsOf(i) for sets[i]) are judged with that pass limit.
func faceTradeoffLines(out evalOut, key string, sets []faceSet, pairsOf func(int) []facePair) {
	for _, limit := range faceTradeoffLimits {
		line := fmt.Sprintf("pass_fmr=%g", limit)
		for i, s := range sets {
			r := faceApplyPolicy(flow.FacePolicy{PassFMR: limit, FailFMR: 1}, pairsOf(i))
			line += fmt.Sprintf(" %s.auto_pass=%.3f %s.false_pass=%.4f", s.name, 1-r.FNMR, s.name, r.FMR)
		}
		out.line(key, "%s", line)
	}
}

// faceTradeoffLimits are the pass limits the trade-off lines report.
var faceTradeoffLimits = []float64{0.02, 0.03, 0.04, 0.05, 0.07, 0.1, 0.2, 0.3, 0.5}

func evalFace(ctx context.Context, run evalRun, o faceEvalOptions) error {
	var sets []faceSet
	for _, dir := range o.dirs {
		set, err := faceMeasure(ctx, run, dir)
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		sets = append(sets, set)
	}
	out := run.out
	if o.calibrate {
		t, path, err := faceCalibrate(run, o, sets)
		if err != nil {
			return err
		}
		// From here on the figures are those of the new table.
		for i := range sets {
			sets[i].calibration = t.ID
			for j := range sets[i].pairs {
				sets[i].pairs[j].est = t.FMR(sets[i].pairs[j].dist)
			}
		}
		pass, _ := t.DistanceAt(o.policy.PassFMR)
		fail, _ := t.DistanceAt(o.policy.FailFMR)
		out.line("calibration", "file=%s table=%s rows=%d floor=%.4f pass_distance=%.3f fail_distance=%.3f", path, t.ID, len(t.Rows), t.Floor(), pass, fail)
	}
	if o.dump != "" {
		var buf bytes.Buffer
		var all []facePair
		for _, s := range sets {
			all = append(all, s.pairs...)
		}
		if err := faceDump(&buf, all); err != nil {
			return err
		}
		if err := os.WriteFile(o.dump, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("--dump: %w", err)
		}
	}
	for _, s := range sets {
		r := faceApplyPolicy(o.policy, s.pairs)
		cal := s.calibration
		if r.Estimated < r.Pairs {
			cal = fmt.Sprintf("%s(no_estimate=%d)", cal, r.Pairs-r.Estimated)
		}
		out.line("", "policy set=%s pass_fmr=%g fail_fmr=%g fmr=%.4f fnmr=%.4f auto_pass=%.4f genuine_fail=%.4f impostor_fail=%.4f calibration=%s",
			s.name, o.policy.PassFMR, o.policy.FailFMR, r.FMR, r.FNMR, 1-r.FNMR, r.GenuineFail, r.ImpostorFail, cal)
	}
	faceTradeoffLines(out, "tradeoff", sets, func(i int) []facePair { return sets[i].pairs })
	if o.fuse > 1 {
		for _, s := range sets {
			f := faceFuseRates(o.policy, s.pairs, o.fuse)
			out.line("fuse", "set=%s k=%d rule=upper_median fused_pass_fmr=%g genuine_groups=%d impostor_groups=%d auto_pass=%.4f false_pass=%.4f genuine_fail=%.4f single.pairs=%d single.auto_pass=%.4f single.false_pass=%.4f",
				s.name, o.fuse, o.policy.FusedPassFMR, f.genuine, f.impostor, f.fused.autoPass, f.fused.falsePass, f.fused.genuineFail, f.single.pairs, f.single.autoPass, f.single.falsePass)
		}
	}
	if o.loo {
		return faceLOOLines(out, o, sets)
	}
	return nil
}

// faceLOOLines prints --loo's figures: per set the policy's decision and, over the trade-off
// limits, auto-pass against false auto-pass, every pair judged by a table fitted without the
// person it concerns; with --fuse the fused groups too.
func faceLOOLines(out evalOut, o faceEvalOptions, sets []faceSet) error {
	loo, err := faceLeaveOneOut(o.policy, sets, o.fuse)
	if err != nil {
		return err
	}
	for i, s := range sets {
		r := faceApplyPolicy(o.policy, loo[i].pairs)
		gen, imp := 0, 0
		for _, p := range loo[i].pairs {
			gen += b2i(p.same())
			imp += b2i(!p.same())
		}
		out.line("loo", "set=%s pass_fmr=%g fail_fmr=%g genuine_pairs=%d impostor_pairs=%d auto_pass=%.4f genuine_fail=%.4f false_pass=%.4f",
			s.name, o.policy.PassFMR, o.policy.FailFMR, gen, imp, 1-r.FNMR, r.GenuineFail, r.FMR)
		if o.fuse > 1 {
			f := loo[i].fused
			out.line("loo.fuse", "set=%s k=%d fused_pass_fmr=%g genuine_groups=%d impostor_groups=%d auto_pass=%.4f false_pass=%.4f genuine_fail=%.4f",
				s.name, o.fuse, o.policy.FusedPassFMR, f.genuine, f.impostor, ratio(f.genuinePass, f.genuine), ratio(f.falsePass, f.impostor), ratio(f.genuineFail, f.genuine))
		}
	}
	faceTradeoffLines(out, "loo.tradeoff", sets, func(i int) []facePair { return loo[i].pairs })
	return nil
}

// faceCalibrate fits the table on every set's different-person distances and writes it to --out
// or where the plugin reads it.
func faceCalibrate(run evalRun, o faceEvalOptions, sets []faceSet) (calibration.Table, string, error) {
	fit := make([]calibration.Set, 0, len(sets))
	comments := []string{
		"Face match calibration: descriptor distance -> estimated false-match rate, read by the face plugin.",
		"Written by `ehrazctl eval face --calibrate` (plugins/face/calibration). Method: for each set, the",
		"one-sided 95% Wilson upper bound of the share of different-person pairs at or under the distance;",
		"the largest over the sets (the set with the closest look-alikes decides); grid 0.005, a distance",
		"takes the next grid point's value. Pairs share photos, so the bound is optimistic about that.",
	}
	for _, s := range sets {
		_, impostor := s.distances()
		fit = append(fit, calibration.Set{Name: s.name, Impostor: impostor})
		genuine := len(s.pairs) - len(impostor)
		comments = append(comments, fmt.Sprintf("set %s: %d photos (%d skipped), %d same-person and %d different-person pairs",
			s.name, s.photos, len(s.skipped), genuine, len(impostor)))
	}
	t, err := calibration.Fit(fit)
	if err != nil {
		return calibration.Table{}, "", err
	}
	t.Comments = comments
	path := o.out
	if path == "" {
		path = filepath.Join(faceModelDir(run.pluginPath), calibration.FileName)
	}
	b := t.Format()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return calibration.Table{}, "", fmt.Errorf("--calibrate: %w", err)
	}
	// The ID the plugin reports for this file (the name without .tsv, and the digest).
	t, err = calibration.Parse(b, strings.TrimSuffix(filepath.Base(path), ".tsv"))
	if err != nil {
		return calibration.Table{}, "", fmt.Errorf("--calibrate: read back: %w", err)
	}
	return t, path, nil
}

// faceModelDir is the face plugin's model folder by the plugin's own rule: $EHRAZ_MODEL_DIR/face,
// else <plugin dir>/../../models/face (bin/plugins/face → models/face).
func faceModelDir(pluginPath string) string {
	if root := os.Getenv("EHRAZ_MODEL_DIR"); root != "" {
		return filepath.Join(root, "face")
	}
	return filepath.Join(filepath.Dir(pluginPath), "..", "..", "models", "face")
}
