// Command previewbench measures the capture screen's live preview in a real Fyne window: it shows
// the selfie screen fed by a synthetic 640×480 camera at a fixed rate and prints the frames read
// and drawn per second and the process CPU use. Run it under Xvfb (make ui-preview-bench).
package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"os"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/ehraz/ehraz/app/flow"
	"github.com/ehraz/ehraz/app/ui"
	"github.com/ehraz/ehraz/capture"
	"github.com/ehraz/ehraz/locales"
)

func main() {
	fps := flag.Int("fps", 30, "synthetic camera frame rate")
	dur := flag.Duration("for", 10*time.Second, "measuring time")
	fonts := flag.String("fonts", "assets/fonts", "font directory")
	flag.Parse()
	cat, err := locales.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	a := app.NewWithID("ir.ehraz.previewbench")
	u := ui.New(a, ui.Options{Lang: "fa", Catalog: cat, Flow: nil, Camera: &synthetic{fps: *fps}})
	if err := u.UseTheme(*fonts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go func() {
		time.Sleep(time.Second)
		fyne.DoAndWait(func() { u.ShowStep(flow.Snapshot{Step: flow.StepSelfie, StepIndex: 6}) })
		time.Sleep(2 * time.Second) // warm up
		r0, s0 := u.PreviewFrames()
		c0, t0 := cpu(), time.Now()
		time.Sleep(*dur)
		r1, s1 := u.PreviewFrames()
		c1, el := cpu(), time.Since(t0).Seconds()
		fmt.Printf("preview camera_fps=%d read_fps=%.1f shown_fps=%.1f cpu_percent_of_one_core=%.1f seconds=%.0f\n",
			*fps, float64(r1-r0)/el, float64(s1-s0)/el, 100*(c1-c0).Seconds()/el, el)
		fyne.Do(a.Quit)
	}()
	u.Window().Resize(fyne.NewSize(1024, 768))
	u.ShowAndRun()
}

func cpu() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// synthetic is a moving test pattern paced like a camera.
type synthetic struct {
	fps  int
	seq  uint64
	next time.Time
}

func (s *synthetic) Read(ctx context.Context) (capture.Frame, error) {
	if s.next.IsZero() {
		s.next = time.Now()
	}
	s.next = s.next.Add(time.Second / time.Duration(s.fps))
	select {
	case <-ctx.Done():
		return capture.Frame{}, ctx.Err()
	case <-time.After(time.Until(s.next)):
	}
	s.seq++
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	off := int(s.seq * 4)
	for y := 0; y < 480; y++ {
		row := img.Pix[y*img.Stride:]
		for x := 0; x < 640; x++ {
			c := color.RGBA{R: uint8(x + off), G: uint8(y), B: uint8((x + y) / 4), A: 255}
			row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = c.R, c.G, c.B, c.A
		}
	}
	return capture.Frame{Img: img, Seq: s.seq, Time: time.Now()}, nil
}

func (s *synthetic) Info() capture.Info {
	return capture.Info{Kind: "demo", Name: "synthetic", Width: 640, Height: 480, FPS: float64(s.fps)}
}

func (s *synthetic) Close() error { return nil }
