package facecheck

import (
	"context"
	"image"
	"image/color"
	"image/draw"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// Benchmarks print p50 latency and the process's peak RSS next to ns/op:
//
//	go test -run '^$' -bench . -benchtime 20x -cpu 1 ./plugins/face/facecheck   (make face-bench)

// photo640 is the good selfie on a 640×480 frame, as the kiosk camera delivers it.
func photo640(b *testing.B) sdk.Image {
	b.Helper()
	face := resizeRGBA(loadImage(b, facesDir(b), goodSelfie, 1024), 480, 480)
	frame := image.NewRGBA(image.Rect(0, 0, 640, 480))
	draw.Draw(frame, frame.Bounds(), &image.Uniform{color.RGBA{120, 120, 120, 255}}, image.Point{}, draw.Src)
	draw.Draw(frame, image.Rect(80, 0, 560, 480), face, image.Point{}, draw.Src)
	return encode(b, frame)
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timed runs f b.N times and reports the median, the CPU time per call (all threads: what one
// core would have to do, whoever else loads the machine) and the peak RSS.
func timed(b *testing.B, f func()) {
	b.Helper()
	ds := make([]time.Duration, 0, b.N)
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		f()
		ds = append(ds, time.Since(t0))
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peakRSS-MB")
	}
}

func BenchmarkModelLoad(b *testing.B) {
	dir := testModelDir(b)
	timed(b, func() {
		d, err := Open(dir, DefaultThresholds())
		if err != nil {
			b.Fatal(err)
		}
		d.Close()
	})
}

func BenchmarkCheckSelfie(b *testing.B) {
	d := openTest(b)
	img := photo640(b)
	ctx := context.Background()
	if v, _ := d.CheckSelfie(ctx, sdk.SelfieRequest{Image: img}); v.Outcome != sdk.Pass {
		b.Fatalf("benchmark photo does not pass: %v %v", v.Outcome, v.Reasons)
	}
	timed(b, func() { _, _ = d.CheckSelfie(ctx, sdk.SelfieRequest{Image: img}) })
}

// BenchmarkCheckSelfiePeopleBehind times the selfie check on the composed kiosk frames with
// people behind the applicant and reports the share of their faces found (recall).
func BenchmarkCheckSelfiePeopleBehind(b *testing.B) {
	d := openTest(b)
	if d.BackgroundErr() != nil {
		b.Fatal(d.BackgroundErr())
	}
	scenes, counts := peopleBehind(b, d)
	imgs := make([]sdk.Image, len(scenes))
	found, hidden := 0, 0
	for i, s := range scenes {
		imgs[i] = encode(b, s)
		v, _ := d.CheckSelfie(context.Background(), sdk.SelfieRequest{Image: imgs[i]})
		r, _ := findRule(v, "face.count")
		found += max(min(int(r.Value)-1, counts[i]), 0)
		hidden += counts[i]
	}
	i := 0
	timed(b, func() {
		_, _ = d.CheckSelfie(context.Background(), sdk.SelfieRequest{Image: imgs[i%len(imgs)]})
		i++
	})
	b.ReportMetric(float64(found)/float64(hidden), "recall") // after timed: ResetTimer drops metrics
}

// BenchmarkSelfieStages splits CheckSelfie's CPU time on the 640×480 selfie into its stages, run
// one after the other on one goroutine: decode, BlazeFace (every face, for the count and as
// go-face's hint), go-face (HOG around the hint, landmarks, descriptor) and the rules.
func BenchmarkSelfieStages(b *testing.B) {
	d := openTest(b)
	img := photo640(b)
	var pic *picture
	var fs []detected
	var boxes []image.Rectangle
	stages := []struct {
		name string
		f    func()
	}{
		{"decode", func() { pic, _ = decode(img) }},
		{"blazeface", func() { boxes, _ = d.backgroundFaces(pic) }},
		{"goface", func() { fs, _ = d.faces(pic, largestBox(boxes)) }},
		{"rules", func() { _ = d.selfieRules(pic, fs, boxes, nil, sdk.Rect{}) }},
	}
	cpu := make([]time.Duration, len(stages))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, s := range stages {
			t0 := cpuTime()
			s.f()
			cpu[j] += cpuTime() - t0
		}
	}
	b.StopTimer()
	for j, s := range stages {
		b.ReportMetric(float64(cpu[j].Microseconds())/1000/float64(b.N), s.name+"-cpu-ms")
	}
}

func BenchmarkMatchFaces(b *testing.B) {
	d := openTest(b)
	img := photo640(b)
	ctx := context.Background()
	// Cache emptied each time and the reference's bytes differ (a trailing byte after the JPEG's
	// end): both pictures go through the networks, as for a new applicant.
	ref := img
	ref.Data = append(append([]byte(nil), img.Data...), 0)
	timed(b, func() {
		d.cache = descCache{}
		_, _ = d.MatchFaces(ctx, sdk.MatchRequest{Probe: img, Reference: ref})
	})
}

func BenchmarkAnalyzeFrame(b *testing.B) {
	d := openTest(b)
	img := photo640(b)
	ctx := context.Background()
	timed(b, func() {
		_, _ = d.AnalyzeFrame(ctx, sdk.FrameRequest{Image: img, Purpose: sdk.PurposeSelfie, Guide: sdk.Rect{X: .25, Y: .05, W: .5, H: .9}})
	})
}
