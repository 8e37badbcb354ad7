package synth

import (
	"bytes"
	"image"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"testing"
)

func TestRenderIsDeterministicAndSized(t *testing.T) {
	for _, k := range SheetKinds() {
		t.Run(string(k), func(t *testing.T) {
			a, err := RenderSheet(k, 3, 320, 180)
			if err != nil {
				t.Fatal(err)
			}
			b, err := RenderSheet(k, 3, 320, 180)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Image.Data, b.Image.Data) {
				t.Fatalf("%s: two renders of seed 3 differ", k)
			}
			c, _, err := image.DecodeConfig(bytes.NewReader(a.Image.Data))
			if err != nil || c.Width != 320 || c.Height != 180 {
				t.Fatalf("%s: decoded %v %dx%d; want 320x180 JPEG", k, err, c.Width, c.Height)
			}
			if (k == SheetGood) != (a.Want.Rule == "") {
				t.Fatalf("%s: expectation %+v", k, a.Want)
			}
			other, _ := RenderSheet(k, 4, 320, 180)
			if bytes.Equal(a.Image.Data, other.Image.Data) {
				t.Fatalf("%s: seeds 3 and 4 render the same picture", k)
			}
		})
	}
}

// TestDump writes a few full-size scenes to $SYNTH_DUMP for a person to look at.
func TestDump(t *testing.T) {
	dir := os.Getenv("SYNTH_DUMP")
	if dir == "" {
		t.Skip("set SYNTH_DUMP=DIR to write sample scenes")
	}
	for _, k := range SheetKinds() {
		c, err := RenderSheet(k, 1, 1280, 720)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, string(k)+".jpg"), c.Image.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
