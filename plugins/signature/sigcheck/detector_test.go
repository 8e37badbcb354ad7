package sigcheck

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/conformance"
	"github.com/ehraz/ehraz/synth"
)

func render(t testing.TB, k synth.SheetKind, seed uint64) synth.SheetCase {
	t.Helper()
	c, err := synth.RenderSheet(k, seed, 1280, 720)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ruleOf(v sdk.Verdict, name string) (sdk.Rule, bool) {
	for _, r := range v.Rules {
		if r.Name == name {
			return r, true
		}
	}
	return sdk.Rule{}, false
}

// TestSyntheticScenes: a good signature passes with a clean PNG; every negative fails with its
// own rule and reason key.
func TestSyntheticScenes(t *testing.T) {
	d := New(DefaultThresholds())
	for _, k := range synth.SheetKinds() {
		for _, seed := range []uint64{1, 2} {
			c := render(t, k, seed)
			t.Run(c.Name(), func(t *testing.T) {
				v, err := d.CheckSignature(context.Background(), sdk.SignatureRequest{Image: c.Image})
				if err != nil {
					t.Fatal(err)
				}
				if k == synth.SheetGood {
					if v.Outcome != sdk.Pass {
						t.Fatalf("good signature: %v %v; want pass", v.Outcome, v.Reasons)
					}
					checkClean(t, v)
					return
				}
				if v.Outcome != sdk.Fail {
					t.Fatalf("%s: %v %v; want fail", k, v.Outcome, v.Reasons)
				}
				if !slices.Contains(v.Reasons, c.Want.Reason) {
					t.Fatalf("%s: reasons %v; want %s among them", k, v.Reasons, c.Want.Reason)
				}
				if r, ok := ruleOf(v, c.Want.Rule); !ok || r.Outcome != sdk.Fail {
					t.Fatalf("%s: rule %s = %+v (present %v); want a failing rule", k, c.Want.Rule, r, ok)
				}
			})
		}
	}
}

// checkClean asserts the verdict carries a binarized, cropped signature PNG.
func checkClean(t *testing.T, v sdk.Verdict) {
	t.Helper()
	i := slices.IndexFunc(v.Artifacts, func(a sdk.Artifact) bool { return a.Name == ArtifactClean })
	if i < 0 {
		t.Fatalf("no %s artifact in %d artifacts", ArtifactClean, len(v.Artifacts))
	}
	a := v.Artifacts[i].Image
	img, err := png.Decode(bytes.NewReader(a.Data))
	if err != nil {
		t.Fatalf("clean signature is not a PNG: %v", err)
	}
	b := img.Bounds()
	if b.Dx() != a.Width || b.Dy() != a.Height || a.Format != "png" {
		t.Fatalf("clean signature declared %dx%d %s, is %dx%d", a.Width, a.Height, a.Format, b.Dx(), b.Dy())
	}
	if b.Dx() > 1000 || b.Dy() > 720 || b.Dx() < 50 || b.Dy() < 20 {
		t.Fatalf("clean signature %dx%d: not a tight crop of a signature", b.Dx(), b.Dy())
	}
	var black, white int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			switch r, _, _, _ := img.At(x, y).RGBA(); r {
			case 0:
				black++
			case 0xffff:
				white++
			}
		}
	}
	if black+white != b.Dx()*b.Dy() || black == 0 || white < black {
		t.Fatalf("clean signature: %d black, %d white of %d pixels; want binary ink on white", black, white, b.Dx()*b.Dy())
	}
}

// TestBadImages: broken, empty, mislabelled and oversized pictures fail with a clear key and
// never pass or panic.
func TestBadImages(t *testing.T) {
	good := render(t, synth.SheetGood, 1).Image
	var wide bytes.Buffer
	if err := png.Encode(&wide, image.NewGray(image.Rect(0, 0, 9000, 2))); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		img  sdk.Image
		want string
	}{
		{"truncated-good", sdk.Image{Data: good.Data[:len(good.Data)*2/3], Format: "jpeg", Width: 1280, Height: 720}, reasonInvalid},
		{"oversized-header", sdk.Image{Data: wide.Bytes(), Format: "png", Width: 9000, Height: 2}, reasonTooLarge},
		{"declared-differently", sdk.Image{Data: good.Data, Format: "jpeg", Width: 640, Height: 360}, reasonInvalid},
		{"gif-magic", sdk.Image{Data: []byte("GIF89a\x01\x00\x01\x00"), Format: "gif"}, reasonInvalid},
	}
	for _, b := range conformance.BadImages() {
		want := reasonInvalid
		if b.Name == "huge" {
			want = "" // any clear key: its header is a small JPEG's, its body is 20 MB of zeros
		}
		cases = append(cases, struct {
			name string
			img  sdk.Image
			want string
		}{b.Name, b.Image, want})
	}
	d := New(DefaultThresholds())
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := d.CheckSignature(context.Background(), sdk.SignatureRequest{Image: c.img})
			if err != nil || v.Outcome == sdk.Pass || len(v.Reasons) == 0 {
				t.Fatalf("%v %v %v; want a failing verdict with a reason", v.Outcome, v.Reasons, err)
			}
			if c.want != "" && v.Reasons[0] != c.want {
				t.Fatalf("reasons %v; want %s", v.Reasons, c.want)
			}
			a, err := d.AnalyzeFrame(context.Background(), sdk.FrameRequest{Image: c.img, Purpose: sdk.PurposeSignature})
			if err == nil && a.Ready {
				t.Fatal("AnalyzeFrame: a bad picture reported ready")
			}
		})
	}
}

func TestCancelledIsNotAPass(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	v, _ := New(DefaultThresholds()).CheckSignature(ctx, sdk.SignatureRequest{Image: render(t, synth.SheetGood, 1).Image})
	if v.Outcome != sdk.CouldNotVerify {
		t.Fatalf("cancelled check answered %v; want could-not-verify", v.Outcome)
	}
}

// TestAnalyzeFrameHints: each preview problem gives its hint; a good frame is ready and boxes
// the paper.
func TestAnalyzeFrameHints(t *testing.T) {
	d := New(DefaultThresholds())
	cases := []struct {
		kind  synth.SheetKind
		hint  string
		ready bool
	}{
		{synth.SheetGood, hintReady, true},
		{synth.SheetNoPaper, hintPaperNone, false},
		{synth.SheetFar, hintCloser, false},
		{synth.SheetDark, hintMoreLight, false},
		{synth.SheetShadow, hintShadow, false},
		{synth.SheetBlank, hintSign, false},
		{synth.SheetTwo, hintOneOnly, false},
	}
	for _, c := range cases {
		t.Run(string(c.kind), func(t *testing.T) {
			a, err := d.AnalyzeFrame(context.Background(), sdk.FrameRequest{Image: render(t, c.kind, 1).Image, Purpose: sdk.PurposeSignature})
			if err != nil {
				t.Fatal(err)
			}
			keys := make([]string, len(a.Hints))
			for i, h := range a.Hints {
				keys[i] = h.Key
			}
			if a.Ready != c.ready || !slices.Contains(keys, c.hint) {
				t.Fatalf("ready %v hints %v; want ready %v with %s", a.Ready, keys, c.ready, c.hint)
			}
			if c.kind == synth.SheetGood {
				if len(a.Boxes) != 1 || a.Boxes[0].W < 0.3 || a.Boxes[0].X < 0 || a.Boxes[0].X+a.Boxes[0].W > 1 {
					t.Fatalf("paper box %+v; want one normalized box around the sheet", a.Boxes)
				}
			}
		})
	}
}

// TestConformanceInProcess runs the plugin conformance kit on the detector itself.
func TestConformanceInProcess(t *testing.T) {
	conformance.RunImpl(t, New(DefaultThresholds()))
}

// TestConformanceBinary builds the real plugin binary and runs the kit against it over gRPC.
func TestConformanceBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the plugin binary build")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go toolchain not in PATH: cannot build the plugin binary")
	}
	out := filepath.Join(t.TempDir(), "signature")
	cmd := exec.Command("go", "build", "-o", out, "github.com/ehraz/ehraz/plugins/signature")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build plugin: %v", err)
	}
	conformance.Run(t, out)
}

// BenchmarkCheckSignature times one check of a 1280×720 photo; run it on one core with
// `taskset -c 0 go test -bench CheckSignature`. It reports wall ms/check and cpu-ms/check.
func BenchmarkCheckSignature(b *testing.B) {
	img := render(b, synth.SheetGood, 1).Image
	d := New(DefaultThresholds())
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if v, _ := d.CheckSignature(context.Background(), sdk.SignatureRequest{Image: img}); v.Outcome != sdk.Pass {
			b.Fatalf("benchmark scene did not pass: %v", v.Reasons)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/check")
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1000/float64(b.N), "cpu-ms/check")
}

// BenchmarkAnalyzeFrame times one preview hint on a 1280×720 frame.
func BenchmarkAnalyzeFrame(b *testing.B) {
	img := render(b, synth.SheetGood, 1).Image
	d := New(DefaultThresholds())
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := d.AnalyzeFrame(context.Background(), sdk.FrameRequest{Image: img, Purpose: sdk.PurposeSignature}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/frame")
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1000/float64(b.N), "cpu-ms/frame")
}

// cpuTime is the process's user+system CPU time, all threads (OpenCV's included): on a shared
// machine it shows the work done per call, which wall time does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
