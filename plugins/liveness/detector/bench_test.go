package detector

import (
	"context"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/synth"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCheckLiveness times the whole check of an 8 s, 640×480, 15 fps challenge video (120
// JPEG frames) and reports wall and CPU seconds per video; the target is ≤ 4 s wall on 2 cores.
func BenchmarkCheckLiveness(b *testing.B) {
	d := ready(b)
	img, box := face(b, d, "bona.jpg")
	// the kiosk's challenge: each number in its own window (the longest timing it draws ends at
	// 7.67 s; this one ends at 7 s so that, with the person's reaction and the tail, the clip lasts
	// 8 s like the old one), the person following them
	ws := []sdk.Window{{StartMS: 800, EndMS: 2900}, {StartMS: 3300, EndMS: 5000}, {StartMS: 5400, EndMS: 7000}}
	cl, err := synth.MakeClip(synth.ClipSpec{Face: img, FaceBox: box, Shown: []int{2, 5, 3}, Kind: synth.Genuine, Seed: 3, MinMS: 8000,
		Windows: ws, ReactMS: 600})
	if err != nil {
		b.Fatal(err)
	}
	req := request(cl, []int{2, 5, 3})
	req.Challenge.Windows = ws
	b.ResetTimer()
	c0, t0 := cpuTime(), time.Now()
	for range b.N {
		v, err := d.CheckLiveness(context.Background(), req)
		if err != nil || v.Outcome != sdk.Pass {
			b.Fatalf("%v %v %v", v.Outcome, v.Reasons, err)
		}
	}
	wall := time.Since(t0) / time.Duration(b.N)
	cpu := (cpuTime() - c0) / time.Duration(b.N)
	b.ReportMetric(wall.Seconds(), "wall-s/video")
	b.ReportMetric(cpu.Seconds(), "cpu-s/video")
	b.Logf("video %d frames %.1f s 640x480: wall %.2f s, cpu %.2f s per check (target wall <= 4 s on 2 cores)",
		len(cl.Frames), float64(cl.Frames[len(cl.Frames)-1].TimestampMS)/1000, wall.Seconds(), cpu.Seconds())
}

// BenchmarkAnalyzeFrameFingers times one 640×480 preview frame (a person holding up 3 fingers)
// through AnalyzeFrame without the finger count (selfie purpose: faces, light, wall) and with it
// (video purpose): the difference is the live count's cost per frame. The kiosk asks every
// 400 ms (hintInterval).
func BenchmarkAnalyzeFrameFingers(b *testing.B) {
	d := ready(b)
	img, box := face(b, d, "bona.jpg")
	cl, err := synth.MakeClip(synth.ClipSpec{Face: img, FaceBox: box, Shown: []int{3}, Kind: synth.Genuine, Seed: 5})
	if err != nil {
		b.Fatal(err)
	}
	i := slices.Index(cl.Labels, 3) + 5
	fr := cl.Frames[i].Image
	for _, p := range []sdk.Purpose{sdk.PurposeSelfie, sdk.PurposeVideo} {
		b.Run(string(p), func(b *testing.B) {
			req := sdk.FrameRequest{Image: fr, Purpose: p, Guide: sdk.Rect{X: 0.2, Y: 0.05, W: 0.6, H: 0.8}}
			var last sdk.FrameAnalysis
			c0, t0 := cpuTime(), time.Now()
			for b.Loop() {
				if last, err = d.AnalyzeFrame(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(time.Since(t0).Microseconds())/1000/float64(b.N), "wall-ms/frame")
			b.ReportMetric(float64((cpuTime()-c0).Microseconds())/1000/float64(b.N), "cpu-ms/frame")
			if p == sdk.PurposeVideo && (!last.Fingers.Known || last.Fingers.N != 3) {
				b.Fatalf("live count %+v on a frame showing 3", last.Fingers)
			}
		})
	}
}
