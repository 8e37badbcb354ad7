package sigcheck

import (
	"bytes"
	"context"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// sharedDir is $SHARED, else ../shared next to the repository root.
func sharedDir() string {
	if s := os.Getenv("SHARED"); s != "" {
		return s
	}
	return filepath.Join("..", "..", "..", "..", "shared")
}

// TestFacePhotosAreNotSignatures: real camera photos of people (no paper, no signature) must
// never pass the signature check.
func TestFacePhotosAreNotSignatures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(sharedDir(), "testdata", "faces", "*.jpg"))
	if len(files) == 0 {
		t.Skip("no face photos under $SHARED/testdata/faces (set SHARED)")
	}
	d := New(DefaultThresholds())
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := image.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		v, err := d.CheckSignature(context.Background(), sdk.SignatureRequest{Image: sdk.Image{Data: b, Format: "jpeg", Width: c.Width, Height: c.Height}})
		if err != nil || v.Outcome == sdk.Pass || len(v.Reasons) == 0 {
			t.Errorf("%s: %v %v %v; want a rejection with a reason", filepath.Base(f), v.Outcome, v.Reasons, err)
		}
		t.Logf("%s: %v %v", filepath.Base(f), v.Outcome, v.Reasons)
	}
}
