package main

import (
	"bytes"
	"context"
	"image"
	stdpng "image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/plugins/face/calibration"
	"github.com/ehraz/ehraz/plugins/sdk"
)

func TestFaceAtFMR(t *testing.T) {
	genuine := []float64{0.30, 0.35, 0.40, 0.45, 0.60}
	impostor := []float64{0.42, 0.50, 0.55, 0.58, 0.62, 0.65, 0.70, 0.72, 0.75, 0.80}
	tests := []struct {
		name             string
		target           float64
		wantFMR, wantFNM float64
		below            float64 // threshold must be just under this impostor distance
	}{
		{"zero", 0, 0, 0.4, 0.42},     // accept < 0.42: 0.30 0.35 0.40 → FNMR 2/5
		{"10%", 0.10, 0.1, 0.2, 0.50}, // one impostor (0.42) allowed
		{"tiny", 0.001, 0, 0.4, 0.42}, // under 1/n: same as zero
		{"30%", 0.30, 0.3, 0.2, 0.58}, // 0.42 0.50 0.55 allowed
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			op := faceAtFMR(genuine, impostor, tc.target)
			if math.Abs(op.FMR-tc.wantFMR) > 1e-9 || math.Abs(op.FNMR-tc.wantFNM) > 1e-9 {
				t.Errorf("FMR %v FNMR %v, want %v %v", op.FMR, op.FNMR, tc.wantFMR, tc.wantFNM)
			}
			if !(op.Threshold < tc.below && op.Threshold > tc.below-1e-6) {
				t.Errorf("threshold %v, want just under %v", op.Threshold, tc.below)
			}
		})
	}
	if op := faceAtFMR(genuine, impostor, 1); !math.IsInf(op.Threshold, 1) || op.FNMR != 0 {
		t.Errorf("FMR 100%%: %+v", op)
	}
}

func TestFaceAtFNMR(t *testing.T) {
	genuine := []float64{0.30, 0.35, 0.40, 0.45, 0.60}
	impostor := []float64{0.42, 0.50, 0.55, 0.58, 0.62, 0.65, 0.70}
	tests := []struct {
		target, threshold, fnmr, fmr float64
	}{
		{0, 0.60, 0, 4.0 / 7},     // keep every genuine pair
		{0.2, 0.45, 0.2, 1.0 / 7}, // give up the worst one
		{0.05, 0.60, 0, 4.0 / 7},  // under 1/n: same as zero
	}
	for _, tc := range tests {
		op := faceAtFNMR(genuine, impostor, tc.target)
		if op.Threshold != tc.threshold || math.Abs(op.FNMR-tc.fnmr) > 1e-9 || math.Abs(op.FMR-tc.fmr) > 1e-9 {
			t.Errorf("target %v: %+v, want threshold %v fnmr %v fmr %v", tc.target, op, tc.threshold, tc.fnmr, tc.fmr)
		}
	}
}

// tinyWebP is a 64×48 lossless WebP gradient made for this test (ImageMagick
// `convert -size 64x48 gradient:red-blue -define webp:lossless=true`).
var tinyWebP = []byte{0x52, 0x49, 0x46, 0x46, 0x48, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x4c, 0x3b, 0x00, 0x00, 0x00, 0x2f, 0x3f, 0xc0, 0x0b, 0x00, 0x99, 0x8c, 0xe8, 0x7f, 0x6c, 0x62, 0xc0, 0xa3, 0xff, 0x51, 0x50, 0xdb, 0xb6, 0x0d, 0xa3, 0xff, 0x5f, 0xb7, 0xd3, 0x33, 0x28, 0x48, 0xdb, 0x80, 0xa9, 0x7f, 0xc9, 0xbb, 0xf3, 0x1f, 0x6a, 0xd3, 0x36, 0x60, 0xd2, 0xa6, 0xe0, 0x43, 0x78, 0xa0, 0x36, 0x26, 0x17, 0xd2, 0xbf, 0xb9, 0x3f, 0xd0, 0xfc, 0x2e, 0xdf, 0x0f, 0x04, 0x00, 0x00}

func TestFaceLoadSkipsAndDecodesByContent(t *testing.T) {
	dir := t.TempDir()
	var png bytes.Buffer
	if err := stdpng.Encode(&png, image.NewRGBA(image.Rect(0, 0, 40, 30))); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"webp-as.jpg": tinyWebP,    // a WebP saved with a JPEG extension
		"png-as.jpg":  png.Bytes(), // a PNG likewise
		"broken.jpg":  []byte("\xff\xd8 not a jpeg"),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	people := []personPhoto{
		{file: "webp-as.jpg", person: "a", path: filepath.Join(dir, "webp-as.jpg")},
		{file: "png-as.jpg", person: "a", path: filepath.Join(dir, "png-as.jpg")},
		{file: "broken.jpg", person: "b", path: filepath.Join(dir, "broken.jpg")},
		{file: "missing.jpg", person: "b", path: filepath.Join(dir, "missing.jpg")},
	}
	photos, group, skipped := faceLoad(people)
	if group != nil {
		t.Errorf("group %v, want none", group.file)
	}
	if len(photos) != 2 || photos[0].img.Width != 64 || photos[0].img.Format != "jpeg" || photos[1].img.Width != 40 {
		t.Fatalf("photos %+v", photos)
	}
	want := []faceSkip{{"broken.jpg", "decode"}, {"missing.jpg", "read"}}
	if !reflect.DeepEqual(skipped, want) {
		t.Errorf("skipped %v, want %v", skipped, want)
	}
}

// fakeMatcher finds a face in every picture wider than 50 pixels and fails on none.
type fakeMatcher struct{ calls int }

func (f *fakeMatcher) MatchFaces(_ context.Context, req sdk.MatchRequest) (sdk.Verdict, error) {
	f.calls++
	if req.Probe.Width <= 50 {
		return sdk.Verdict{Outcome: sdk.Fail, Rules: []sdk.Rule{{Name: "face.match.probe", Outcome: sdk.Fail, Reason: "verdict.face.match.probe.no_face"}}}, nil
	}
	return sdk.Verdict{Outcome: sdk.Pass, Rules: []sdk.Rule{{Name: "face.match.distance", Outcome: sdk.Pass, Value: 0}}}, nil
}

func TestFaceUsableSkipsFaceless(t *testing.T) {
	photos := []faceLabelled{
		{personPhoto{file: "face.jpg", person: "a"}, sdk.Image{Width: 64}},
		{personPhoto{file: "wall.jpg", person: "a"}, sdk.Image{Width: 40}},
	}
	kept, skipped, err := faceUsable(context.Background(), &fakeMatcher{}, photos)
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) != 1 || kept[0].file != "face.jpg" {
		t.Errorf("kept %+v", kept)
	}
	if want := []faceSkip{{"wall.jpg", "no_face"}}; !reflect.DeepEqual(skipped, want) {
		t.Errorf("skipped %v, want %v", skipped, want)
	}
}

func TestFaceDump(t *testing.T) {
	a := &faceLabelled{personPhoto: personPhoto{file: "1.jpg", person: "p"}}
	b := &faceLabelled{personPhoto: personPhoto{file: "2.jpg", person: "p"}}
	c := &faceLabelled{personPhoto: personPhoto{file: "3.jpg", person: "q"}}
	var buf bytes.Buffer
	if err := faceDump(&buf, []facePair{{a, b, 0.4, 0.035, 0.9}, {a, c, 0.81234567, math.NaN(), math.NaN()}}); err != nil {
		t.Fatal(err)
	}
	want := "file_a\tperson_a\tfile_b\tperson_b\tsame\tdistance\test_fmr\tquality\n" +
		"1.jpg\tp\t2.jpg\tp\t1\t0.400000\t0.035\t0.900\n" +
		"1.jpg\tp\t3.jpg\tq\t0\t0.812346\tNaN\tNaN\n"
	if buf.String() != want {
		t.Errorf("dump:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestFaceApplyPolicy(t *testing.T) {
	p := func(name string) *faceLabelled { return &faceLabelled{personPhoto: personPhoto{person: name}} }
	a, a2, b := p("a"), p("a"), p("b")
	pairs := []facePair{
		{a, a2, 0.30, 0.01, math.NaN()},       // genuine, passes
		{a, a2, 0.45, 0.10, math.NaN()},       // genuine, review
		{a, a2, 0.70, 0.99, math.NaN()},       // genuine, fails
		{a, a2, 0.35, math.NaN(), math.NaN()}, // genuine, no estimate: review
		{a, b, 0.38, 0.02, math.NaN()},        // impostor, passes: a false auto-pass
		{a, b, 0.60, 0.80, math.NaN()},        // impostor, review
		{a, b, 0.90, 1, math.NaN()},           // impostor, fails
		{a, b, 0.95, 1, math.NaN()},           // impostor, fails
	}
	got := faceApplyPolicy(flow.FacePolicy{PassFMR: 0.05, FailFMR: 0.95}, pairs)
	want := facePolicyRates{FMR: 0.25, FNMR: 0.75, GenuineFail: 0.25, ImpostorFail: 0.5, Estimated: 7, Pairs: 8}
	if got != want {
		t.Errorf("rates %+v, want %+v", got, want)
	}
}

// Calibrate writes a monotonic table where asked, built from every set's different-person pairs.
func TestFaceCalibrateWritesTheTable(t *testing.T) {
	a, a2, b := &faceLabelled{personPhoto: personPhoto{person: "a"}}, &faceLabelled{personPhoto: personPhoto{person: "a"}}, &faceLabelled{personPhoto: personPhoto{person: "b"}}
	sets := []faceSet{
		{name: "hard", photos: 3, pairs: []facePair{{a, a2, 0.3, 0, math.NaN()}, {a, b, 0.41, 0, math.NaN()}, {a2, b, 0.6, 0, math.NaN()}}},
		{name: "easy", photos: 2, pairs: []facePair{{a, b, 0.9, 0, math.NaN()}}},
	}
	out := filepath.Join(t.TempDir(), "cal.tsv")
	tab, path, err := faceCalibrate(evalRun{}, faceEvalOptions{out: out}, sets)
	if err != nil {
		t.Fatal(err)
	}
	if path != out {
		t.Errorf("written to %s, want %s", path, out)
	}
	b2, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	back, err := calibration.Parse(b2, "cal")
	if err != nil {
		t.Fatal(err)
	}
	if back.ID != tab.ID || !strings.Contains(strings.Join(back.Comments, "\n"), "set hard: 3 photos (0 skipped), 1 same-person and 2 different-person pairs") {
		t.Errorf("table %s comments %q", back.ID, back.Comments)
	}
	// The hard set's 0.41 pair counts from 0.41 on; the easy set adds nothing before 0.9.
	if back.FMR(0.40) >= back.FMR(0.41) || math.Abs(back.FMR(0.41)-calibration.WilsonUpper(1, 2)) > 1e-5 {
		t.Errorf("FMR(0.40)=%v FMR(0.41)=%v", back.FMR(0.40), back.FMR(0.41))
	}
	if got := faceModelDir("bin/plugins/face"); got != filepath.Join("models", "face") {
		t.Errorf("model dir %s", got)
	}
}
