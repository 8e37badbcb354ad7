package detector

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/synth"
)

// repoRoot is the repository root (three levels up from this package).
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

func sharedDir() string {
	if d := os.Getenv("SHARED"); d != "" {
		return d
	}
	return filepath.Join(repoRoot(), "..", "shared")
}

// ready returns a detector with models loaded, or skips.
func ready(tb testing.TB) *Detector {
	tb.Helper()
	dir := os.Getenv("EHRAZ_MODEL_DIR")
	if dir == "" {
		dir = filepath.Join(repoRoot(), "models")
	}
	d := New(filepath.Join(dir, "liveness"))
	if d.Err() != nil {
		tb.Skipf("liveness models not prepared (run `make liveness-models`): %v", d.Err())
	}
	tb.Cleanup(d.Close)
	return d
}

// face loads a test face photo from the shared test data and finds its face with the plugin's
// own AnalyzeFrame, or skips.
func face(tb testing.TB, d *Detector, name string) (image.Image, image.Rectangle) {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(sharedDir(), "testdata", "faces", name))
	if err != nil {
		tb.Skipf("shared test faces absent (set SHARED): %v", err)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("decode %s: %v", name, err)
	}
	r, ok := synth.FaceBox(context.Background(), d, b, img.Bounds().Dx(), img.Bounds().Dy())
	if !ok {
		tb.Skipf("no face found in %s", name)
	}
	return img, r
}

func clip(tb testing.TB, img image.Image, box image.Rectangle, kind synth.ClipKind, shown []int, seed uint64) synth.Clip {
	tb.Helper()
	c, err := synth.MakeClip(synth.ClipSpec{Face: img, FaceBox: box, Shown: shown, Kind: kind, Seed: seed})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func request(c synth.Clip, challenge []int) sdk.LivenessRequest {
	return sdk.LivenessRequest{Frames: c.Frames, Challenge: sdk.Challenge{Numbers: challenge}, Guide: sdk.Rect{X: 0.2, Y: 0.05, W: 0.6, H: 0.8}}
}

func mustDecode(c synth.Clip) []frame {
	fr, _ := decodeAll(context.Background(), 2, c.Frames)
	return fr
}
