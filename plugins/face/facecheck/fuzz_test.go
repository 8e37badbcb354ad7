package facecheck

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// fuzzScene is a small lit test picture with a dark blob, big enough to pass the size checks.
func fuzzScene(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{uint8(100 + x%100), uint8(120 + y%80), 150, 255}
			if (x-w/2)*(x-w/2)+(y-h/2)*(y-h/2) < w*h/16 {
				c = color.RGBA{60, 40, 30, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func encodeJPEG(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// hugeJPEGHeader is a valid small baseline JPEG whose frame header (SOF0) declares w×h instead:
// the scan data stays tiny, so only a decoder that trusts the header allocates w×h pixels.
func hugeJPEGHeader(tb testing.TB, w, h uint16) []byte {
	tb.Helper()
	b := bytes.Clone(encodeJPEG(tb, fuzzScene(96, 96)))
	i := bytes.Index(b, []byte{0xFF, 0xC0})
	if i < 0 || i+9 > len(b) {
		tb.Fatal("no SOF0 marker in the encoded JPEG")
	}
	// FF C0, length (2), precision (1), height (2), width (2).
	b[i+5], b[i+6], b[i+7], b[i+8] = byte(h>>8), byte(h), byte(w>>8), byte(w)
	return b
}

// hugePNG is hugePNGHeader followed by a short compressed scan (one blank row) and IEND: a decoder
// that trusts the header allocates all w×h pixels before it finds the rows missing.
func hugePNG(w, h uint32) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, _ = zw.Write(make([]byte, 1+3*min(w, 4096)))
	_ = zw.Close()
	b := hugePNGHeader(w, h)
	for _, c := range []struct {
		typ  string
		data []byte
	}{{"IDAT", z.Bytes()}, {"IEND", nil}} {
		chunk := append(binary.BigEndian.AppendUint32(nil, uint32(len(c.data))), c.typ...)
		chunk = append(chunk, c.data...)
		b = binary.BigEndian.AppendUint32(append(b, chunk...), crc32.ChecksumIEEE(chunk[4:]))
	}
	return b
}

// TestDecodeRejectsOversizedBeforeDecoding: a picture whose header declares too many bytes,
// pixels or too long a side is refused from the header alone — decode allocates next to nothing,
// where decoding the pixels would take hundreds of megabytes or more.
func TestDecodeRejectsOversizedBeforeDecoding(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"png 60000x60000", hugePNG(60000, 60000), errTooLarge},
		{"png header only 60000x60000", hugePNGHeader(60000, 60000), errTooLarge},
		{"png 7000x7000 over the pixel limit", hugePNG(7000, 7000), errTooLarge},
		{"png 20001x100 over the side limit", hugePNG(20001, 100), errTooLarge},
		{"png 100x20001 over the side limit", hugePNG(100, 20001), errTooLarge},
		{"png (2^31-1)² refused by the header parser", hugePNGHeader(1<<31-1, 1<<31-1), errUnreadable},
		{"jpeg 65000x65000", hugeJPEGHeader(t, 65000, 65000), errTooLarge},
		{"jpeg 8000x6000", hugeJPEGHeader(t, 8000, 6000), errTooLarge},
		{"over MaxImageBytes", append(encodeJPEG(t, fuzzScene(96, 96)), make([]byte, MaxImageBytes)...), errTooLarge},
		{"png 32x32", encodePNG(t, fuzzScene(32, 32)), errTooSmall},
		{"jpeg 1000x20", hugeJPEGHeader(t, 1000, 20), errTooSmall},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			pic, err := decode(sdk.Image{Data: tc.data})
			runtime.ReadMemStats(&after)
			if pic != nil || !errors.Is(err, tc.want) {
				t.Fatalf("decode = %v, %v; want %v", pic != nil, err, tc.want)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
				t.Fatalf("refusing took %d bytes of allocation: the pixels were decoded", n)
			}
		})
	}
}

// FuzzDecodeImage: whatever bytes a selfie or match image carries, decode never panics; a refusal
// is one of the three image errors, whose reason key CheckSelfie fails with (never a pass); an
// accepted picture has the header's bounded size, reduced to at most workSide, with a JPEG for
// the detector. The dlib detector is too slow to run per input, so CheckSelfie is only called on
// refused inputs, which it answers before touching the models. Run longer with
// go test -run '^$' -fuzz FuzzDecodeImage ./plugins/face/facecheck.
func FuzzDecodeImage(f *testing.F) {
	j := encodeJPEG(f, fuzzScene(128, 96))
	p := encodePNG(f, fuzzScene(96, 128))
	for _, s := range [][]byte{
		j, p, encodeJPEG(f, image.NewGray(image.Rect(0, 0, 64, 64))), encodePNG(f, image.NewNRGBA64(image.Rect(0, 0, 70, 65))),
		encodeJPEG(f, fuzzScene(1100, 70)), // reduced to workSide
		j[:len(j)/2], p[:len(p)-12], p[:40], {}, []byte("\xff\xd8\xff\xd9"), []byte("GIF89a"),
		encodePNG(f, fuzzScene(20, 20)), hugePNG(60000, 60000), hugePNG(300, 200), hugeJPEGHeader(f, 65000, 65000), hugeJPEGHeader(f, 0, 0),
	} {
		f.Add(s)
	}
	refuse := &Detector{th: DefaultThresholds()} // no models: only ever asked about refused images
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, _, cfgErr := image.DecodeConfig(bytes.NewReader(data))
		pic, err := decode(sdk.Image{Data: data})
		if err != nil {
			if pic != nil {
				t.Fatal("decode returned a picture with its error")
			}
			if !errors.Is(err, errUnreadable) && !errors.Is(err, errTooLarge) && !errors.Is(err, errTooSmall) {
				t.Fatalf("error without an image reason: %v", err)
			}
			oversized := cfgErr == nil && (int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels || max(cfg.Width, cfg.Height) > 20000)
			if oversized && !errors.Is(err, errTooLarge) {
				t.Fatalf("header says %dx%d, refused as %v instead of too large", cfg.Width, cfg.Height, err)
			}
			key := imageReason(err)
			v, cerr := refuse.CheckSelfie(context.Background(), sdk.SelfieRequest{Image: sdk.Image{Data: data, Format: "jpeg"}})
			if cerr != nil || v.Outcome != sdk.Fail || !slices.Contains(v.Reasons, key) || !strings.HasPrefix(key, "verdict.face.image.") {
				t.Fatalf("refused image (%v) answered %v %v %v", err, v.Outcome, v.Reasons, cerr)
			}
			return
		}
		if cfgErr != nil {
			t.Fatalf("decoded a picture whose header does not parse: %v", cfgErr)
		}
		w, h := pic.origW, pic.origH
		if w != cfg.Width || h != cfg.Height || w < MinImageSide || h < MinImageSide || w*h > MaxImagePixels {
			t.Fatalf("accepted %dx%d (header %dx%d)", w, h, cfg.Width, cfg.Height)
		}
		b := pic.rgba.Bounds()
		if b.Dx() < 1 || b.Dy() < 1 || max(b.Dx(), b.Dy()) > workSide || pic.gray.Bounds() != b || pic.scale < 1 {
			t.Fatalf("working image %v gray %v scale %v from %dx%d", b, pic.gray.Bounds(), pic.scale, w, h)
		}
		in, err := goFaceInput(pic, pic.rgba.Bounds(), 1)
		if err != nil {
			t.Fatalf("detector input: %v", err)
		}
		if c, err := jpeg.DecodeConfig(bytes.NewReader(in)); err != nil || c.Width != b.Dx() || c.Height != b.Dy() {
			t.Fatalf("detector JPEG %dx%d (%v) for a %v picture", c.Width, c.Height, err, b)
		}
	})
}
