package assets

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

// Every picture is well-formed SVG with a viewBox (so it scales), and holds no raster image
// (no photographs) and no text (which would not follow the screen's language).
func TestPicturesAreVectorOnly(t *testing.T) {
	names, err := Names()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 13 {
		t.Fatalf("%d pictures, want the ten steps and three guides", len(names))
	}
	for _, n := range names {
		b, _ := files.ReadFile(n)
		dec := xml.NewDecoder(bytes.NewReader(b))
		root := ""
		for {
			tok, err := dec.Token()
			if err != nil {
				if err.Error() != "EOF" {
					t.Errorf("%s: %v", n, err)
				}
				break
			}
			if se, ok := tok.(xml.StartElement); ok {
				if root == "" {
					root = se.Name.Local
					hasViewBox := false
					for _, a := range se.Attr {
						hasViewBox = hasViewBox || a.Name.Local == "viewBox"
					}
					if !hasViewBox {
						t.Errorf("%s: no viewBox", n)
					}
				}
				if se.Name.Local == "image" || se.Name.Local == "text" {
					t.Errorf("%s: has <%s>", n, se.Name.Local)
				}
			}
		}
		if root != "svg" || strings.Contains(string(b), "data:image") {
			t.Errorf("%s: root <%s>, want <svg> with no embedded raster", n, root)
		}
	}
	for _, g := range []string{"pose", "sheet", "fingers"} {
		if _, ok := Guide(g); !ok {
			t.Errorf("guide %s missing", g)
		}
	}
}
