package capture

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestDemoDeliversFramesAtRate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fps     float64
		faceDir string
	}{
		{"drawn face 30 fps", 30, t.TempDir()},
		{"drawn face 15 fps", 15, t.TempDir()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := Open(context.Background(), Config{Source: "demo", Width: 320, Height: 240, FPS: tc.fps, FaceDir: tc.faceDir})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			if k := src.Info().Kind; k != "demo" {
				t.Fatalf("kind %q, want demo", k)
			}
			const n = 20
			var first, last Frame
			for i := 0; i < n; i++ {
				f, err := src.Read(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if f.Seq != uint64(i+1) {
					t.Fatalf("frame %d has Seq %d", i, f.Seq)
				}
				if i > 0 && !f.Time.After(last.Time) {
					t.Fatalf("frame %d time does not increase", i)
				}
				if f.Img.Bounds().Dx() != 320 || f.Img.Bounds().Dy() != 240 {
					t.Fatalf("frame size %v", f.Img.Bounds())
				}
				if i == 0 {
					first = f
				}
				last = f
			}
			// Paced, never bursting: not faster than asked; slower only on a starved machine.
			got := float64(n-1) / last.Time.Sub(first.Time).Seconds()
			if got < 0.5*tc.fps || got > 1.1*tc.fps {
				t.Errorf("rate %.1f fps, want about %.0f", got, tc.fps)
			}
			// A white scene with a face in the middle: corners white, centre not.
			if c := last.Img.RGBAAt(2, 2); c != (color.RGBA{255, 255, 255, 255}) {
				t.Errorf("corner %v, want white", c)
			}
			if n := nonWhite(last.Img, image.Rect(140, 95, 180, 135)); n < 800 {
				t.Errorf("%d of 1600 centre pixels are not white: no face drawn", n)
			}
			if first.Img == last.Img {
				t.Error("frames share one image")
			}
		})
	}
}

func TestDemoUsesPhotoFromFaceDir(t *testing.T) {
	dir := t.TempDir()
	// A flat red "photo": the demo must show its colour where the face goes.
	img := image.NewRGBA(image.Rect(0, 0, 200, 260))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+3] = 200, 255
	}
	writePNG(t, filepath.Join(dir, "person.png"), img)
	locate := func(image.Image) (image.Rectangle, bool) { return image.Rect(60, 60, 140, 160), true }
	d, err := NewDemo(Config{Width: 320, Height: 240, FPS: 30, FaceDir: dir, FaceLocator: locate})
	if err != nil {
		t.Fatal(err)
	}
	f, err := d.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c := f.Img.RGBAAt(160, 114); c.R < 150 || c.G > 60 {
		t.Errorf("centre %v, want the photo's red", c)
	}
}

func TestStillImageFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "still.png")
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	img.SetRGBA(5, 7, color.RGBA{10, 20, 30, 255})
	writePNG(t, path, img)
	src, err := Open(context.Background(), Config{Source: "file", File: path, FPS: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if in := src.Info(); in.Kind != "file" || in.Width != 40 || in.Height != 30 || in.Name != "still.png" {
		t.Fatalf("info %+v", in)
	}
	for i := 1; i <= 3; i++ {
		f, err := src.Read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if f.Seq != uint64(i) || f.Img.RGBAAt(5, 7) != (color.RGBA{10, 20, 30, 255}) {
			t.Fatalf("frame %d: seq %d pixel %v", i, f.Seq, f.Img.RGBAAt(5, 7))
		}
		f.Img.SetRGBA(5, 7, color.RGBA{}) // the receiver owns the frame: the next one is intact
	}
}

func TestOpenChoices(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     Config
		kind    string
		wantErr bool
	}{
		{"auto without backend is demo", Config{Source: "auto"}, "demo", false},
		{"empty is auto", Config{}, "demo", false},
		{"auto with a missing device is demo", Config{Source: "auto", Device: 97, Backend: &fakeBackend{}}, "demo", false},
		{"webcam needs a backend", Config{Source: "webcam"}, "", true},
		{"webcam on a missing device opens", Config{Source: "webcam", Device: 97, Backend: &fakeBackend{}}, "webcam", false},
		{"file needs a file", Config{Source: "file"}, "", true},
		{"video file needs a backend", Config{Source: "file", File: "x.avi"}, "", true},
		{"unknown", Config{Source: "phone"}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.FaceDir = t.TempDir()
			src, err := Open(context.Background(), tc.cfg)
			if tc.wantErr {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			if k := src.Info().Kind; k != tc.kind {
				t.Fatalf("kind %q, want %q", k, tc.kind)
			}
		})
	}
}

// fakeBackend opens devices that deliver fixed frames until unplugged.
type fakeBackend struct {
	mu      sync.Mutex
	present bool
	opens   int
	failAt  int // the device fails after this many grabs (0: never)
}

func (b *fakeBackend) OpenDevice(ctx context.Context, index, w, h int, fps float64) (Device, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.opens++
	if !b.present {
		return nil, errors.New("no such device")
	}
	return &fakeDevice{b: b, w: w, h: h}, nil
}

func (b *fakeBackend) OpenVideo(ctx context.Context, path string) (Device, float64, error) {
	return nil, 0, errors.New("no videos")
}

func (b *fakeBackend) set(present bool) { b.mu.Lock(); b.present = present; b.mu.Unlock() }

func (b *fakeBackend) openCount() int { b.mu.Lock(); defer b.mu.Unlock(); return b.opens }

type fakeDevice struct {
	b    *fakeBackend
	w, h int
}

func (d *fakeDevice) Grab() (*image.RGBA, error) {
	d.b.mu.Lock()
	defer d.b.mu.Unlock()
	if !d.b.present {
		return nil, errors.New("read failed")
	}
	return image.NewRGBA(image.Rect(0, 0, max(d.w, 1), max(d.h, 1))), nil
}

func (d *fakeDevice) Close() error { return nil }

func TestWebcamReconnects(t *testing.T) {
	b := &fakeBackend{present: true}
	cam := NewWebcam(func(ctx context.Context) (Device, error) { return b.OpenDevice(ctx, 0, 64, 48, 30) },
		Info{Name: "video0"})
	cam.SetBackoff(10*time.Millisecond, 40*time.Millisecond)
	defer cam.Close()
	ctx := context.Background()
	read := func() error { _, err := cam.Read(ctx); return err }

	if err := read(); err != nil {
		t.Fatalf("first read: %v", err)
	}
	b.set(false) // unplugged
	for i := 0; i < 4; i++ {
		if err := read(); !errors.Is(err, ErrDisconnected) {
			t.Fatalf("read %d while unplugged: %v, want ErrDisconnected", i, err)
		}
	}
	if cam.Connected() {
		t.Fatal("still connected after the camera went away")
	}
	// Back-off: the attempts while unplugged waited 10, 20, 40 ms — not a busy loop.
	opens := b.openCount()
	start := time.Now()
	_ = read()
	if el := time.Since(start); el < 30*time.Millisecond {
		t.Errorf("reopen attempt after %v, want the back-off (≥ 40 ms)", el)
	}
	if b.openCount() != opens+1 {
		t.Errorf("opens %d → %d, want one attempt per Read", opens, b.openCount())
	}
	b.set(true) // plugged back in
	f, err := cam.Read(ctx)
	if err != nil {
		t.Fatalf("read after replug: %v", err)
	}
	if f.Seq != 2 {
		t.Errorf("seq %d after replug, want 2 (frames delivered, not attempts)", f.Seq)
	}
	if !cam.Connected() || cam.Info().Width != 64 {
		t.Errorf("connected %v info %+v", cam.Connected(), cam.Info())
	}
}

func TestWebcamCloseStopsWaitingRead(t *testing.T) {
	b := &fakeBackend{}
	cam := NewWebcam(func(ctx context.Context) (Device, error) { return b.OpenDevice(ctx, 0, 8, 8, 30) }, Info{})
	cam.SetBackoff(time.Hour, time.Hour)
	if _, err := cam.Read(context.Background()); !errors.Is(err, ErrDisconnected) {
		t.Fatalf("missing camera: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := cam.Read(context.Background()); done <- err }()
	time.Sleep(20 * time.Millisecond)
	go cam.Close()
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("read after close: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not end a Read waiting to reconnect")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewWebcam(cam.open, Info{}).Read(ctx); err == nil {
		t.Fatal("read with a cancelled context succeeded")
	}
}

func TestTimestampLogRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.avi.tsv")
	l, err := CreateTimestampLog(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.UnixMilli(1_700_000_000_000)
	for i := 0; i < 3; i++ {
		if err := l.Add(Frame{Seq: uint64(10 + i), Time: t0.Add(time.Duration(i) * 125 * time.Millisecond)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := ReadTimestamps(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 3 || st[2].Frame != 2 || st[2].Seq != 12 || st[2].OffsetMS != 250 || !st[1].Time.Equal(t0.Add(125*time.Millisecond)) {
		t.Fatalf("stamps %+v", st)
	}
}

func nonWhite(img *image.RGBA, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.RGBAAt(x, y) != (color.RGBA{255, 255, 255, 255}) {
				n++
			}
		}
	}
	return n
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkDemoFrame is the demo source's cost per 640×480 face-scene frame (without pacing).
func BenchmarkDemoFrame(b *testing.B) {
	d, err := NewDemo(Config{Width: 640, Height: 480, FPS: 30, FaceDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		_ = d.frameAt(d.start.Add(time.Duration(i) * 33 * time.Millisecond))
	}
}
