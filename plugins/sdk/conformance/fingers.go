package conformance

import (
	"bufio"
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/image/draw"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// handPhoto is a photo of a real hand showing n fingers, placed in a kiosk-like frame.
type handPhoto struct {
	name  string
	n     int
	frame sdk.Image
}

// handCounts are the finger counts of the shared hand photos the kit sends (the first photo of
// each count listed in labels.tsv).
var handCounts = []int{1, 3, 5}

// handPhotos loads one photo per handCounts entry from $SHARED/testdata/hands (or ../shared),
// those present, each placed in a 640×480 frame the way a hand appears beside the face at the
// kiosk: scaled to 220 px square, centred at 72% of the width with its top at 20% of the
// height, on a white wall, its wrist row continued down to the bottom edge as a forearm.
func handPhotos() []handPhoto {
	dir := os.Getenv("SHARED")
	if dir == "" {
		dir = "../shared"
	}
	dir = filepath.Join(dir, "testdata", "hands")
	f, err := os.Open(filepath.Join(dir, "labels.tsv"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []handPhoto
	want := map[int]bool{}
	for _, n := range handCounts {
		want[n] = true
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 2 {
			continue
		}
		n, err := strconv.Atoi(cols[1])
		if err != nil || !want[n] {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.Base(cols[0])))
		if err != nil {
			continue
		}
		img, _, err := image.Decode(bytes.NewReader(b))
		if err != nil {
			continue
		}
		if fr, ok := kioskHandFrame(img); ok {
			out = append(out, handPhoto{name: cols[0], n: n, frame: fr})
			delete(want, n)
		}
	}
	return out
}

// kioskHandFrame places a close-up hand photo in a 640×480 JPEG frame (see handPhotos).
func kioskHandFrame(photo image.Image) (sdk.Image, bool) {
	const w, h, side = 640, 480, 220
	hand := image.NewRGBA(image.Rect(0, 0, side, side))
	draw.CatmullRom.Scale(hand, hand.Bounds(), photo, photo.Bounds(), draw.Src, nil)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{240, 240, 241, 255}), image.Point{}, draw.Src)
	x0, y0 := w*72/100-side/2, h*20/100
	draw.Draw(img, image.Rect(x0, y0, x0+side, y0+side), hand, image.Point{}, draw.Src)
	for y := y0 + side; y < h; y++ {
		copy(img.Pix[img.PixOffset(x0, y):img.PixOffset(x0+side, y)], hand.Pix[hand.PixOffset(0, side-1):hand.PixOffset(side, side-1)])
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 92}); err != nil {
		return sdk.Image{}, false
	}
	return sdk.Image{Data: b.Bytes(), Format: "jpeg", Width: w, Height: h}, true
}

// countWatch records every finger count AnalyzeFrame answered during the suite that one hand
// cannot show (in-process plugins are not filtered by the transport, which refuses them).
type countWatch struct {
	mu  sync.Mutex
	bad []int
}

func (c *countWatch) see(a sdk.FrameAnalysis) {
	if a.Fingers.Valid() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bad = append(c.bad, a.Fingers.N)
}

// checkFingerCount is the rule on the live finger count (sdk.FrameAnalysis.Fingers, added to
// protocol v1) for a plugin that claims liveness and answers AnalyzeFrame: a video-step frame of a
// real hand gets a known count, a frame without a hand gets "not known" (never a guessed 0). The
// counts must also be right on most photos: the kiosk shows them to the applicant. Without the
// shared hand photos the first rule cannot run and says COULD NOT VERIFY.
func checkFingerCount(ctx context.Context, d Detector, hands []handPhoto, add func(rule string, ok bool, format string, a ...any)) {
	blank := BlankLike(SyntheticJPEG(640, 480))
	a, err := d.AnalyzeFrame(ctx, sdk.FrameRequest{Image: blank, Purpose: sdk.PurposeVideo})
	add("AnalyzeFrame.finger_count.no_hand", err == nil && !a.Fingers.Known, "frame without a hand: count %+v, err %v; want not known", a.Fingers, err)
	const rule = "AnalyzeFrame.finger_count.hand"
	if len(hands) == 0 {
		add(rule, true, CouldNotVerify+": no shared hand photos (set SHARED to the folder holding testdata/hands)")
		return
	}
	known, right := 0, 0
	var detail []string
	for _, hp := range hands {
		a, err := d.AnalyzeFrame(ctx, sdk.FrameRequest{Image: hp.frame, Purpose: sdk.PurposeVideo})
		got := "not known"
		if err != nil {
			got = "error " + err.Error()
		} else if a.Fingers.Known {
			known++
			got = strconv.Itoa(a.Fingers.N)
			if a.Fingers.N == hp.n {
				right++
			}
		}
		detail = append(detail, hp.name+" shows "+strconv.Itoa(hp.n)+" read "+got)
	}
	add(rule, known == len(hands) && 2*right > len(hands), "%s; want a count for every photo, right on most", strings.Join(detail, ", "))
}

// wrapCounts is d with its AnalyzeFrame answers watched by c.
type wrapCounts struct {
	Detector
	c *countWatch
}

func (w wrapCounts) AnalyzeFrame(ctx context.Context, r sdk.FrameRequest) (sdk.FrameAnalysis, error) {
	a, err := w.Detector.AnalyzeFrame(ctx, r)
	w.c.see(a)
	return a, err
}
