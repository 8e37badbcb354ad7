package cvcam

import (
	"context"
	"errors"
	"image"
	"image/color"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ehraz/ehraz/capture"
)

func shared(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SHARED")
	if dir == "" {
		dir = "../../../shared"
	}
	if _, err := os.Stat(filepath.Join(dir, "testdata", "faces", "people.tsv")); err != nil {
		t.Skipf("shared test photos absent (%s): set SHARED", dir)
	}
	return dir
}

// testFrame is a frame with a bright square whose place depends on i, so frames differ.
func testFrame(i int, w, h int) capture.Frame {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, color.RGBA{R: 30, G: 60, B: 200, A: 255})
		}
	}
	for y := 10; y < 30; y++ {
		for x := 4 * i; x < 4*i+20 && x < w; x++ {
			img.SetRGBA(x, y, color.RGBA{R: 250, G: 250, B: 20, A: 255})
		}
	}
	return capture.Frame{Img: img, Seq: uint64(i + 1), Time: time.UnixMilli(1_700_000_000_000 + int64(i)*100)}
}

func TestRecorderWritesReadableVideo(t *testing.T) {
	for _, tc := range []struct {
		name   string
		frames int
		w, h   int // of the frames given; the recording is 160×120
	}{
		{"same size", 12, 160, 120},
		{"scaled", 5, 320, 240},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "video.avi")
			rec, err := NewRecorder(path, 160, 120, 10)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < tc.frames; i++ {
				if err := rec.Write(testFrame(i, tc.w, tc.h)); err != nil {
					t.Fatal(err)
				}
			}
			if err := rec.Close(); err != nil {
				t.Fatal(err)
			}
			d, fps, err := Backend{}.OpenVideo(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if fps < 9.9 || fps > 10.1 {
				t.Errorf("fps %v, want 10", fps)
			}
			n := 0
			for {
				img, err := d.Grab()
				if err != nil {
					break
				}
				if img.Bounds().Dx() != 160 || img.Bounds().Dy() != 120 {
					t.Fatalf("frame size %v", img.Bounds())
				}
				if n == 0 {
					// Colours survive the BGR round trip (MJPG is lossy: allow some error).
					c := img.RGBAAt(100, 80)
					if c.B < 170 || c.R > 60 {
						t.Errorf("background %v, want blue", c)
					}
				}
				n++
			}
			if n != tc.frames {
				t.Errorf("read back %d frames, wrote %d", n, tc.frames)
			}
			st, err := capture.ReadTimestamps(path + ".tsv")
			if err != nil {
				t.Fatal(err)
			}
			if len(st) != tc.frames || st[len(st)-1].OffsetMS != int64(100*(tc.frames-1)) {
				t.Errorf("sidecar %d lines, last %+v", len(st), st[len(st)-1])
			}
		})
	}
}

func TestVideoFileSourceLoops(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clip.avi")
	rec, err := NewRecorder(path, 64, 48, 50)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := rec.Write(testFrame(i, 64, 48)); err != nil {
			t.Fatal(err)
		}
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	src, err := Open(context.Background(), capture.Config{Source: "file", File: path})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if in := src.Info(); in.Kind != "file" || in.FPS != 50 {
		t.Fatalf("info %+v", in)
	}
	for i := 1; i <= 7; i++ { // past the end twice: the file starts again
		f, err := src.Read(context.Background())
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if f.Seq != uint64(i) || f.Img.Bounds().Dx() != 64 {
			t.Fatalf("frame %d: seq %d size %v", i, f.Seq, f.Img.Bounds())
		}
	}
}

func TestMissingWebcamIsDisconnected(t *testing.T) {
	src, err := Open(context.Background(), capture.Config{Source: "webcam", Device: 97})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for i := 0; i < 2; i++ {
		if _, err := src.Read(context.Background()); !errors.Is(err, capture.ErrDisconnected) {
			t.Fatalf("read %d: %v, want ErrDisconnected", i, err)
		}
	}
	// auto falls back to the demo when the device is missing.
	auto, err := Open(context.Background(), capture.Config{Source: "auto", Device: 97, FaceDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer auto.Close()
	if k := auto.Info().Kind; k != "demo" {
		t.Fatalf("auto on a missing camera: %q, want demo", k)
	}
}

func TestLocateFaceOnSharedPhoto(t *testing.T) {
	dir := filepath.Join(shared(t), "testdata", "faces")
	f, err := os.Open(filepath.Join(dir, "bona.jpg"))
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := LocateFace(img)
	if !ok {
		t.Fatal("no face found in a portrait")
	}
	// bona.jpg is a 1000×1000 portrait with the face in the upper middle.
	b := img.Bounds()
	if r.Dx() < b.Dx()/10 || r.Dx() > b.Dx()/2 || r.Max.Y > b.Dy()*2/3 {
		t.Errorf("face box %v in %v", r, b)
	}
	blank := image.NewRGBA(image.Rect(0, 0, 200, 200))
	if _, ok := LocateFace(blank); ok {
		t.Error("a face found in a blank picture")
	}
}
