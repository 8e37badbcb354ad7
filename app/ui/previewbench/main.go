// Command previewbench measures the capture screen's live preview in a real Fyne window: it shows
// the selfie screen fed by the demo camera (640×480) at a fixed rate and prints the frames read
// and drawn per second and the process CPU use. Run it under Xvfb (make ui-preview-bench).
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
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
	prof := flag.String("cpuprofile", "", "write a CPU profile of the measured part to this file")
	flag.Parse()
	cat, err := locales.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	a := app.NewWithID("ir.ehraz.previewbench")
	// The demo camera: the same source the kiosk uses without a webcam (a photo on white,
	// moving), so its drawing cost is part of the figure.
	cam, err := capture.NewDemo(capture.Config{Source: "demo", Width: 640, Height: 480, FPS: float64(*fps)})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	u := ui.New(a, ui.Options{Lang: "fa", Catalog: cat, Flow: nil, Camera: cam})
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
		if *prof != "" {
			if f, err := os.Create(*prof); err == nil {
				_ = pprof.StartCPUProfile(f)
				defer f.Close()
				defer pprof.StopCPUProfile()
			}
		}
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
