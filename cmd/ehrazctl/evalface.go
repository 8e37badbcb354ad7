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

	"github.com/ehraz/ehraz/plugins/sdk"
)

// evalFaceSubject measures face matching on a labelled photo folder: `ehrazctl eval face
// [--data DIR] [--plugin PATH]`. It calls the face plugin's MatchFaces on every pair of photos
// listed in DIR/people.tsv and prints FNMR at FMR 1%, 0.1% and 0, the plugin's threshold with its
// own FMR/FNMR, pair counts and the face count of the group photo, one `eval.face key=value` line
// each.
func evalFaceSubject() evalSubject {
	return evalSubject{
		name: "face",
		args: "[--data DIR] [--dump FILE] [--plugin PATH]",
		help: "face-matching error rates on labelled photos",
		flags: func(fs *flag.FlagSet) (func() error, func(context.Context, evalRun) error) {
			data := fs.String("data", filepath.Join(evalSharedDir(), "testdata", "faces"), "folder with people.tsv and the photos")
			dump := fs.String("dump", "", "write every pair's distance to FILE (tab-separated)")
			return nil, func(ctx context.Context, r evalRun) error { return evalFace(ctx, r, *data, *dump) }
		},
	}
}

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

// facePair is one measured pair, as --dump writes it.
type facePair struct {
	a, b *faceLabelled
	dist float64
}

// faceDump writes every pair's distance, one tab-separated line each, sorted as measured.
func faceDump(w io.Writer, pairs []facePair) error {
	if _, err := fmt.Fprintln(w, "file_a\tperson_a\tfile_b\tperson_b\tsame\tdistance"); err != nil {
		return err
	}
	for _, p := range pairs {
		same := 0
		if p.a.person == p.b.person {
			same = 1
		}
		if _, err := fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%.6f\n", p.a.file, p.a.person, p.b.file, p.b.person, same, p.dist); err != nil {
			return err
		}
	}
	return nil
}

func evalFace(ctx context.Context, run evalRun, dir, dump string) error {
	people, err := readPeople(dir)
	if err != nil {
		return err
	}
	photos, group, skipped := faceLoad(people)
	r := run.plugin
	photos, noFace, err := faceUsable(ctx, r, photos)
	if err != nil {
		return err
	}
	skipped = append(skipped, noFace...)
	for _, s := range skipped {
		run.out.line("", "skipped=%s reason=%s", s.file, s.reason)
	}
	var genuine, impostor []float64
	var pairs []facePair
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
			d, ok := ruleNamed(v, "face.match.distance")
			if !ok {
				unusable++
				continue
			}
			pairs = append(pairs, facePair{&photos[i], &photos[j], d.Value})
			if th, ok := faceRuleThreshold(v, "face.match.distance", sdk.Pass); ok {
				threshold = th
			} else if th, ok := faceRuleThreshold(v, "face.match.distance", sdk.NeedsReview); ok {
				review = th
			}
			if photos[i].person == photos[j].person {
				genuine = append(genuine, d.Value)
			} else {
				impostor = append(impostor, d.Value)
			}
		}
	}
	if dump != "" {
		var buf bytes.Buffer
		if err := faceDump(&buf, pairs); err != nil {
			return err
		}
		if err := os.WriteFile(dump, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("--dump: %w", err)
		}
	}
	out := run.out
	out.line("", "data=%s photos=%d skipped=%d", dir, len(photos), len(skipped))
	out.line("", "pairs.same=%d pairs.different=%d pairs.no_face=%d", len(genuine), len(impostor), unusable)
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
	if threshold > 0 {
		op := faceRates(genuine, impostor, threshold, 0)
		out.line("", "plugin.threshold=%.4f fmr=%.4f fnmr=%.4f", threshold, op.FMR, op.FNMR)
	}
	if review > 0 {
		op := faceRates(genuine, impostor, review, 0)
		out.line("", "plugin.review_threshold=%.4f fmr=%.4f fnmr=%.4f", review, op.FMR, op.FNMR)
	}
	if len(impostor) > 0 && len(impostor) < 1000 {
		out.line("", "note=small_data min_resolvable_fmr=%.4f", 1/float64(len(impostor)))
	}
	if group != nil {
		v, err := r.CheckSelfie(ctx, sdk.SelfieRequest{Image: group.img})
		if err != nil {
			return fmt.Errorf("CheckSelfie %s: %w", group.file, err)
		}
		n, _ := ruleNamed(v, "face.count")
		out.line("", "group=%s faces=%d outcome=%s", group.file, int(n.Value), v.Outcome)
	}
	return nil
}

func faceRuleThreshold(v sdk.Verdict, name string, o sdk.Outcome) (float64, bool) {
	for _, r := range v.Rules {
		if r.Name == name && r.Outcome == o {
			return r.Threshold, true
		}
	}
	return 0, false
}
