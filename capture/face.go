package capture

import (
	"bufio"
	"image"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// FaceLocator finds the main face in a photo (package capture/cvcam offers one through OpenCV).
type FaceLocator func(img image.Image) (image.Rectangle, bool)

// pickFace returns the first usable single-person photo in dir and its face box. people.tsv, when
// present, lists the photos; rows with a note (other people, group photos) are skipped.
func pickFace(dir string, locate FaceLocator) (image.Image, image.Rectangle, bool) {
	const tries = 4 // decoding large photos is slow: a few candidates are enough
	for i, name := range faceCandidates(dir) {
		if i == tries {
			break
		}
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			continue
		}
		if locate != nil {
			if r, ok := locate(img); ok {
				return img, r, true
			}
			continue
		}
		// Without a locator: a portrait's face is about a third of the way down, centred.
		b := img.Bounds()
		side := int(0.35 * float64(min(b.Dx(), b.Dy())))
		cx, cy := b.Min.X+b.Dx()/2, b.Min.Y+int(0.33*float64(b.Dy()))
		return img, image.Rect(cx-side/2, cy-side/2, cx+side/2, cy+side/2), true
	}
	return nil, image.Rectangle{}, false
}

func faceCandidates(dir string) []string {
	var names []string
	if f, err := os.Open(filepath.Join(dir, "people.tsv")); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			cols := strings.Split(sc.Text(), "\t")
			if len(cols) < 2 || cols[0] == "file" || (len(cols) > 2 && strings.TrimSpace(cols[2]) != "") {
				continue
			}
			names = append(names, cols[0])
		}
		f.Close()
		if len(names) > 0 {
			sort.Strings(names)
			return names
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".jpg", ".jpeg", ".png":
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}
