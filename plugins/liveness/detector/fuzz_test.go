package detector

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/conformance"
)

// scene is a w×h picture with some texture, so JPEG scans carry real data.
func scene(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, color.RGBA{uint8(x * 7), uint8(y * 5), uint8((x ^ y) * 3), 255})
		}
	}
	return img
}

func jpegOf(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func pngOf(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// declaring returns a copy of an encoded JPEG (SOF0) or PNG (IHDR, CRC fixed) whose header
// declares w×h; the pixel data stays that of the small original.
func declaring(tb testing.TB, enc []byte, w, h uint32) []byte {
	tb.Helper()
	b := bytes.Clone(enc)
	if i := bytes.Index(b, []byte("IHDR")); i > 0 && bytes.HasPrefix(b, []byte("\x89PNG")) {
		binary.BigEndian.PutUint32(b[i+4:], w)
		binary.BigEndian.PutUint32(b[i+8:], h)
		binary.BigEndian.PutUint32(b[i+17:], crc32.ChecksumIEEE(b[i:i+17]))
		return b
	}
	i := bytes.Index(b, []byte{0xFF, 0xC0})
	if i < 0 || w > 0xFFFF || h > 0xFFFF {
		tb.Fatalf("cannot declare %dx%d in this picture", w, h)
	}
	binary.BigEndian.PutUint16(b[i+5:], uint16(h))
	binary.BigEndian.PutUint16(b[i+7:], uint16(w))
	return b
}

// TestFrameRefusedBeforeDecoding: a frame whose bytes or header are out of bounds never reaches
// OpenCV (errRefused comes only from the header check); frames within bounds decode.
func TestFrameRefusedBeforeDecoding(t *testing.T) {
	j, p := jpegOf(t, scene(96, 72)), pngOf(t, scene(96, 72))
	tests := []struct {
		name    string
		data    []byte
		refused bool
	}{
		{"png declares 60000x60000", declaring(t, p, 60000, 60000), true},
		{"jpeg declares 65000x65000", declaring(t, j, 65000, 65000), true},
		{"side over maxFrameSide", declaring(t, j, maxFrameSide+1, maxFrameSide/2), true},
		{"pixels over maxFramePixels", declaring(t, j, 8000, 5000), true},
		{"tall strip over maxFrameAspect", declaring(t, j, 64, 64*maxFrameAspect+1), true},
		{"wide strip over maxFrameAspect", declaring(t, p, 3*maxFrameAspect*100+3, 300), true},
		{"narrower than minFrameWidth", pngOf(t, scene(minFrameWidth-1, 60)), true},
		{"lower than minFrameHeight", jpegOf(t, scene(100, minFrameHeight-1)), true},
		{"over maxFrameBytes", append(make([]byte, maxFrameBytes), j...), true},
		{"truncated", j[:len(j)/2], true},
		{"ends well, no image header", []byte("\xff\xd9 not a picture IEND"), true},
		{"jpeg 96x72", j, false},
		{"png 96x72", p, false},
		{"portrait at maxFrameAspect", jpegOf(t, scene(64, 64*maxFrameAspect)), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			work, small, err := decode(sdk.Frame{Image: sdk.Image{Data: tc.data}})
			if tc.refused {
				if !errors.Is(err, errRefused) || work.BGR != nil || small.BGR != nil {
					t.Fatalf("decode = %v; want refused before decoding", err)
				}
				return
			}
			if err != nil || small.W != smallWidth || len(small.BGR) != 3*small.W*small.H {
				t.Fatalf("decode = %dx%d %v", small.W, small.H, err)
			}
		})
	}
}

// TestVideoLimits: a video over maxFrames frames or maxVideoBytes of decodable frames is refused
// unread (decodeAll returns no frames at all); frames over maxFrameBytes do not count, as they are
// refused unread one by one.
func TestVideoLimits(t *testing.T) {
	frames := func(data []byte, n int) []sdk.Frame {
		fr := make([]sdk.Frame, n)
		for i := range fr {
			fr[i] = sdk.Frame{Image: sdk.Image{Data: data}, TimestampMS: int64(i * 66)}
		}
		return fr
	}
	good := jpegOf(t, scene(160, 120))
	chunk := make([]byte, 4<<20) // garbage, within maxFrameBytes
	over := make([]byte, maxFrameBytes+1)
	tests := []struct {
		name     string
		frames   []sdk.Frame
		tooLarge bool
	}{
		{"short video", frames(good, 30), false},
		{"maxFrames frames", frames(good, maxFrames), false},
		{"maxFrames+1 frames", frames(good, maxFrames+1), true},
		{"exactly maxVideoBytes", frames(chunk, maxVideoBytes/len(chunk)), false},
		{"one frame past maxVideoBytes", frames(chunk, maxVideoBytes/len(chunk)+1), true},
		{"oversized frames do not count", frames(over, 20), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := len(tc.frames) > maxFrames || videoTooLarge(tc.frames); got != tc.tooLarge {
				t.Fatalf("over the limits = %v, want %v", got, tc.tooLarge)
			}
			out, err := decodeAll(context.Background(), 2, tc.frames)
			if tc.tooLarge {
				if !errors.Is(err, errVideoTooLarge) || out != nil {
					t.Fatalf("decodeAll = %d frames, %v; want refused unread", len(out), err)
				}
				return
			}
			if err != nil || len(out) != len(tc.frames) {
				t.Fatalf("decodeAll = %d frames, %v", len(out), err)
			}
		})
	}
}

// FuzzDecodeFrame: whatever bytes a video or preview frame carries, decode never panics; an
// accepted frame is a JPEG or PNG whose header is within the limits, reduced to at most
// workWidth and exactly smallWidth wide with whole BGR buffers; a refused frame gives the
// blocking "frame unreadable" hint on the live preview, never a ready frame. Run longer with
// go test -run '^$' -fuzz FuzzDecodeFrame ./plugins/liveness/detector.
func FuzzDecodeFrame(f *testing.F) {
	j, p := jpegOf(f, scene(96, 72)), pngOf(f, scene(72, 96))
	for _, s := range [][]byte{
		j, p, conformance.SyntheticJPEG(640, 480).Data, jpegOf(f, scene(700, 240)), jpegOf(f, image.NewGray(image.Rect(0, 0, 64, 192))),
		j[:len(j)/2], p[:len(p)-12], {}, []byte("\xff\xd8\xff\xd9"), []byte("BM\x00\x00IEND"),
		declaring(f, p, 60000, 60000), declaring(f, j, 65000, 65000), declaring(f, j, 64, 8000), declaring(f, j, 192, 64),
	} {
		f.Add(s)
	}
	cp, err := newCascadePool(CascadePath, 1)
	if err != nil {
		f.Skipf("OpenCV face cascade absent (apt opencv-data): %v", err)
	}
	d := &Detector{cascades: cp, workers: 1}
	f.Cleanup(d.Close)
	f.Fuzz(func(t *testing.T, data []byte) {
		work, small, err := decode(sdk.Frame{Image: sdk.Image{Data: data}})
		if err != nil {
			if work.BGR != nil || small.BGR != nil {
				t.Fatal("decode returned pixels with its error")
			}
			a, aerr := d.AnalyzeFrame(context.Background(), sdk.FrameRequest{Image: sdk.Image{Data: data}})
			if aerr != nil || a.Ready || len(a.Hints) != 1 || a.Hints[0].Key != "hint.liveness.frame_unreadable" {
				t.Fatalf("refused frame (%v) analysed as %+v %v", err, a, aerr)
			}
			return
		}
		cfg, _, cerr := image.DecodeConfig(bytes.NewReader(data))
		if cerr != nil || cfg.Width < minFrameWidth || cfg.Height < minFrameHeight || cfg.Width*cfg.Height > maxFramePixels ||
			max(cfg.Width, cfg.Height) > maxFrameAspect*min(cfg.Width, cfg.Height) {
			t.Fatalf("accepted a frame whose header is %+v %v", cfg, cerr)
		}
		for _, fr := range []struct {
			w, h, maxW int
			bgr        []byte
		}{{work.W, work.H, workWidth, work.BGR}, {small.W, small.H, smallWidth, small.BGR}} {
			if fr.w < 1 || fr.h < 1 || fr.w > fr.maxW || len(fr.bgr) != 3*fr.w*fr.h {
				t.Fatalf("frame %dx%d with %d bytes (limit %d wide)", fr.w, fr.h, len(fr.bgr), fr.maxW)
			}
		}
		if small.W != smallWidth {
			t.Fatalf("small frame %d wide, want %d", small.W, smallWidth)
		}
	})
}
