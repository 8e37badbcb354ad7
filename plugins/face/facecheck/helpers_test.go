package facecheck

import (
	"bytes"
	"image"
	"image/color"
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

// resizeRGBA reduces src to w×h by area averaging in one pass over the source; JPEG's YCbCr
// and RGBA images are read directly, other types through At.
func resizeRGBA(src image.Image, w, h int) *image.RGBA {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	sums := make([]uint32, w*h*4)
	xmap := make([]int, sw)
	for x := range xmap {
		xmap[x] = x * w / sw
	}
	add := func(dx, dy int, r, g, bl uint8) {
		i := (dy*w + dx) * 4
		sums[i] += uint32(r)
		sums[i+1] += uint32(g)
		sums[i+2] += uint32(bl)
		sums[i+3]++
	}
	switch s := src.(type) {
	case *image.YCbCr:
		for y := 0; y < sh; y++ {
			dy := y * h / sh
			for x := 0; x < sw; x++ {
				yi := s.YOffset(b.Min.X+x, b.Min.Y+y)
				ci := s.COffset(b.Min.X+x, b.Min.Y+y)
				r, g, bl := color.YCbCrToRGB(s.Y[yi], s.Cb[ci], s.Cr[ci])
				add(xmap[x], dy, r, g, bl)
			}
		}
	case *image.RGBA:
		for y := 0; y < sh; y++ {
			dy := y * h / sh
			for x := 0; x < sw; x++ {
				i := s.PixOffset(b.Min.X+x, b.Min.Y+y)
				add(xmap[x], dy, s.Pix[i], s.Pix[i+1], s.Pix[i+2])
			}
		}
	default:
		for y := 0; y < sh; y++ {
			dy := y * h / sh
			for x := 0; x < sw; x++ {
				c := color.RGBAModel.Convert(src.At(b.Min.X+x, b.Min.Y+y)).(color.RGBA)
				add(xmap[x], dy, c.R, c.G, c.B)
			}
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(sums); i += 4 {
		n := max(sums[i+3], 1)
		dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = uint8(sums[i]/n), uint8(sums[i+1]/n), uint8(sums[i+2]/n), 255
	}
	return dst
}
