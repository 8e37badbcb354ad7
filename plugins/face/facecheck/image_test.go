package facecheck

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"gocv.io/x/gocv"
	"golang.org/x/image/draw"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// gradient is a small picture with detail in it, so its JPEG has a real scan.
func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x ^ y) & 0xff), 255})
		}
	}
	return img
}

func jpegOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withThumbnail puts an APP1 segment holding a whole small JPEG (as an EXIF thumbnail does, with
// its own end marker) right after the main picture's start marker.
func withThumbnail(main, thumb []byte) []byte {
	n := len(thumb) + 2
	seg := append([]byte{0xFF, 0xE1, byte(n >> 8), byte(n)}, thumb...)
	out := append([]byte{}, main[:2]...)
	out = append(out, seg...)
	return append(out, main[2:]...)
}

func TestJPEGComplete(t *testing.T) {
	whole := jpegOf(t, gradient(160, 120))
	thumb := jpegOf(t, gradient(32, 24))
	cut := whole[:len(whole)*2/3]
	for _, c := range []struct {
		name string
		data []byte
		want bool
	}{
		{"whole", whole, true},
		{"trailing bytes after the end", append(append([]byte{}, whole...), 0, 1, 2, 3), true},
		{"thumbnail, whole", withThumbnail(whole, thumb), true},
		{"cut in the scan", cut, false},
		{"cut, thumbnail's end marker earlier", withThumbnail(cut, thumb), false},
		{"cut in the headers", whole[:20], false},
		{"not a JPEG", []byte("GIF89a........"), false},
		{"empty", nil, false},
	} {
		if got := jpegComplete(c.data); got != c.want {
			t.Errorf("%s: jpegComplete = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestDecodeFormats: the plugin reads JPEG, PNG and WebP by their content, reduces large pictures
// to workSide, and refuses a cut-off JPEG (which libjpeg would fill with grey) as unreadable.
func TestDecodeFormats(t *testing.T) {
	src := gradient(1600, 1200)
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, src); err != nil {
		t.Fatal(err)
	}
	whole := jpegOf(t, src)
	for _, c := range []struct {
		name    string
		data    []byte
		wantErr error
	}{
		{"jpeg", whole, nil},
		{"png", pngBuf.Bytes(), nil},
		{"webp", webpOf(t, src), nil},
		{"truncated jpeg", whole[:len(whole)/2], errUnreadable},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := decode(sdk.Image{Data: c.data})
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("err %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b := p.rgba.Bounds()
			if max(b.Dx(), b.Dy()) > workSide || p.gray.Bounds() != b || p.scale < 1 {
				t.Fatalf("working picture %v, gray %v, scale %v", b, p.gray.Bounds(), p.scale)
			}
			// The working picture is the source reduced: compare a pixel away from the edges.
			want := image.NewRGBA(b)
			draw.ApproxBiLinear.Scale(want, b, src, src.Bounds(), draw.Src, nil)
			x, y := b.Dx()/3, b.Dy()/2
			g, w := p.rgba.RGBAAt(x, y), want.RGBAAt(x, y)
			if d := absDiff(g.R, w.R) + absDiff(g.G, w.G) + absDiff(g.B, w.B); d > 40 {
				t.Fatalf("pixel (%d,%d) = %v, want about %v", x, y, g, w)
			}
		})
	}
}

// webpOf encodes img as WebP with OpenCV's codec (Go has a WebP decoder only).
func webpOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	m, err := gocv.ImageToMatRGB(img)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	buf, err := gocv.IMEncode(".webp", m)
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Close()
	return bytes.Clone(buf.GetBytes())
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

// TestOneBLASThread: dlib here is linked against OpenBLAS (Debian's libopenblas0), whose thread
// count opening the detector sets to one; with another BLAS there is nothing to limit.
func TestOneBLASThread(t *testing.T) {
	if blasThreads() == 0 {
		t.Skip("the BLAS dlib was linked against is not OpenBLAS: nothing to limit")
	}
	openTest(t)
	if n := blasThreads(); n != 1 {
		t.Fatalf("OpenBLAS runs %d threads after Open, want 1", n)
	}
}

// TestHintedDetection: go-face finds the same face, with its box and landmarks in the working
// picture's pixels, whether it scans the whole picture, the square around BlazeFace's face (reduced),
// or — given a hint with no face in it — falls back to the whole picture.
func TestHintedDetection(t *testing.T) {
	d := openTest(t)
	pic, err := decode(encode(t, loadImage(t, facesDir(t), goodSelfie, 1024)))
	if err != nil {
		t.Fatal(err)
	}
	whole, err := d.faces(pic, image.Rectangle{})
	if err != nil || len(whole) != 1 {
		t.Fatalf("whole picture: %d faces, %v", len(whole), err)
	}
	blaze, err := d.backgroundFaces(pic)
	if err != nil || len(blaze) == 0 {
		t.Fatalf("BlazeFace: %d faces, %v", len(blaze), err)
	}
	w := pic.rgba.Bounds().Dx()
	for _, c := range []struct {
		name string
		hint image.Rectangle
	}{
		{"around BlazeFace's face", largestBox(blaze)},
		{"a corner with no face", image.Rect(0, 0, w/8, w/8)},
	} {
		fs, err := d.faces(pic, c.hint)
		if err != nil || len(fs) != 1 {
			t.Fatalf("%s: %d faces, %v", c.name, len(fs), err)
		}
		got, want := fs[0], whole[0]
		// HOG's boxes come in pyramid steps of 6/5, so a reduced picture may give a box a step
		// larger or smaller (over the 55 shared photos: 0.82–1.21 × the whole picture's, median 1.0)
		// and the landmarks, fitted from that box, move a little (yaw 0.8°, eye ratio 0.015 median).
		// A mapping error (offset or scale forgotten) moves them by hundreds of pixels.
		face := float64(want.Rectangle.Dx())
		if dr := rectDiff(got.Rectangle, want.Rectangle); dr > 0.15*face {
			t.Errorf("%s: box %v, whole picture %v", c.name, got.Rectangle, want.Rectangle)
		}
		if len(got.pts) != len(want.pts) {
			t.Fatalf("%s: %d landmarks, want %d", c.name, len(got.pts), len(want.pts))
		}
		sum := 0.0
		for i := range got.pts {
			sum += dist(got.pts[i], want.pts[i])
		}
		if mean := sum / float64(len(got.pts)); mean > 0.04*face {
			t.Errorf("%s: landmarks %.1f px from the whole picture's on average (face %.0f px)", c.name, mean, face)
		}
	}
}

func rectDiff(a, b image.Rectangle) float64 {
	return float64(max(absInt(a.Min.X-b.Min.X), absInt(a.Min.Y-b.Min.Y), absInt(a.Max.X-b.Max.X), absInt(a.Max.Y-b.Max.Y)))
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
