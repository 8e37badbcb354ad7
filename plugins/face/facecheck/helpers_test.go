package facecheck

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// repoRoot walks up from the package directory to go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// testModelDir is $EHRAZ_MODEL_DIR/face or the repo's models/face; the test skips without it.
func testModelDir(t testing.TB) string {
	t.Helper()
	root := os.Getenv(EnvModelDir)
	if root == "" {
		root = filepath.Join(repoRoot(t), "models")
	}
	dir := filepath.Join(root, "face")
	if err := CheckModelDir(dir); err != nil {
		t.Skipf("face models absent (%v): run `make models`", err)
	}
	return dir
}

// facesDir is $SHARED/testdata/faces or ../shared next to the repo root; the test skips without it.
func facesDir(t testing.TB) string {
	t.Helper()
	shared := os.Getenv("SHARED")
	if shared == "" {
		shared = filepath.Join(repoRoot(t), "..", "shared")
	}
	dir := filepath.Join(shared, "testdata", "faces")
	if _, err := os.Stat(filepath.Join(dir, "people.tsv")); err != nil {
		t.Skipf("test photos absent (%v): set SHARED", err)
	}
	return dir
}

func openTest(t testing.TB) *Detector {
	t.Helper()
	d, err := Open(testModelDir(t), DefaultThresholds())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// loadImage decodes a test photo reduced to at most side pixels on its long side.
func loadImage(t testing.TB, dir, name string, side int) *image.RGBA {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	src, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	if l := max(w, h); l > side {
		w, h = w*side/l, h*side/l
	}
	return resizeRGBA(src, w, h)
}

func encode(t testing.TB, img image.Image) sdk.Image {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	return sdk.Image{Data: buf.Bytes(), Format: "jpeg", Width: img.Bounds().Dx(), Height: img.Bounds().Dy()}
}

func findRule(v sdk.Verdict, name string) (sdk.Rule, bool) {
	for _, r := range v.Rules {
		if r.Name == name {
			return r, true
		}
	}
	return sdk.Rule{}, false
}
