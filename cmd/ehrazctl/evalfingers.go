package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // labelled photos may be PNG
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/image/draw"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// evalFingersSubject measures the liveness plugin's finger counter on photos of real hands:
// `ehrazctl eval fingers [--data DIR] [--plugin PATH]`. DIR holds labels.tsv (file, fingers 1–5,
// note) and the photos. Each photo is placed in a kiosk-like clip (fingersClip) and sent to the
// real plugin's CheckLiveness over the protocol; the plugin's hand.count rule is the count it
// read. It prints accuracy, n, per-count recall and the 5×5 confusion matrix, one
// `eval.fingers key=value` line each.
func evalFingersSubject() evalSubject {
	return evalSubject{
		name:   "fingers",
		plugin: "liveness",
		args:   "[--data DIR] [--plugin PATH]",
		help:   "finger-count accuracy, recall and confusion on labelled photos of real hands",
		flags: func(fs *flag.FlagSet) (func() error, func(context.Context, evalRun) error) {
			data := fs.String("data", filepath.Join(evalSharedDir(), "testdata", "hands"), "folder with labels.tsv and the hand photos")
			return nil, func(ctx context.Context, r evalRun) error { return evalFingers(ctx, r, *data) }
		},
	}
}

// fingerPhoto is one row of labels.tsv.
type fingerPhoto struct {
	file    string
	fingers int
	path    string
}

// readFingerLabels lists dir/labels.tsv (file, fingers, note), skipping its header.
func readFingerLabels(dir string) ([]fingerPhoto, error) {
	f, err := os.Open(filepath.Join(dir, "labels.tsv"))
	if err != nil {
		return nil, fmt.Errorf("open labels.tsv: %w", err)
	}
	defer f.Close()
	var out []fingerPhoto
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 2 || cols[0] == "" || cols[0] == "file" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(cols[1]))
		if err != nil || n < 1 || n > 5 {
			return nil, fmt.Errorf("labels.tsv line %d: fingers %q is not 1–5", line, cols[1])
		}
		out = append(out, fingerPhoto{file: cols[0], fingers: n, path: filepath.Join(dir, cols[0])})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read labels.tsv: %w", err)
	}
	return out, nil
}

// The kiosk-like placement of a close-up hand photo (see fingersClip).
const (
	fingersW, fingersH = 640, 480
	fingersFPS         = 15
	fingersFrames      = 30   // 2 s, the plugin's minimum recording
	fingersHandSide    = 220  // the photo's side in the frame: a hand beside a face at kiosk distance
	fingersCentreX     = 0.72 // the photo's centre, as a share of the frame width: right of the face guide
	fingersTopY        = 0.20 // the photo's top, as a share of the frame height
	fingersDrift       = 3.0  // px each way the hand moves over the clip, like a held hand
)

// fingersWall is the kiosk's white wall (the colour synth draws).
var fingersWall = color.RGBA{240, 240, 241, 255}

// fingersClip places a close-up photo of a hand (fingers up, wrist at the bottom edge) in a
// kiosk-like 640×480 clip at 15 fps: a white wall, the photo scaled to fingersHandSide pixels
// square (about a face's height at the kiosk's distance, the size the detector sees beside the
// face), centred at fingersCentreX of the width with its top at fingersTopY of the height, and its
// bottom row stretched down to the frame's bottom edge so the wrist continues as a forearm, as a
// raised hand does. There is no face: the detector's hand search then needs no person to exclude,
// and its face rules are not read. The hand drifts a few pixels along a slow path between frames
// so the plugin counts 15 slightly different frames rather than one frame 15 times.
func fingersClip(photo image.Image) ([]sdk.Frame, error) {
	side := fingersHandSide
	hand := image.NewRGBA(image.Rect(0, 0, side, side))
	draw.CatmullRom.Scale(hand, hand.Bounds(), photo, photo.Bounds(), draw.Src, nil)
	frames := make([]sdk.Frame, 0, fingersFrames)
	var buf bytes.Buffer
	for i := range fingersFrames {
		t := float64(i) / fingersFPS
		dx := int(math.Round(fingersDrift * math.Sin(2.9*t)))
		dy := int(math.Round(0.7 * fingersDrift * math.Sin(2.1*t)))
		img := image.NewRGBA(image.Rect(0, 0, fingersW, fingersH))
		draw.Draw(img, img.Bounds(), image.NewUniform(fingersWall), image.Point{}, draw.Src)
		x0 := int(math.Round(fingersCentreX*fingersW)) - side/2 + dx
		y0 := int(math.Round(fingersTopY*fingersH)) + dy
		draw.Draw(img, image.Rect(x0, y0, x0+side, y0+side), hand, image.Point{}, draw.Src)
		for y := y0 + side; y < fingersH; y++ { // the forearm: the wrist row continued down
			copy(img.Pix[img.PixOffset(x0, y):img.PixOffset(x0+side, y)], hand.Pix[hand.PixOffset(0, side-1):hand.PixOffset(side, side-1)])
		}
		buf.Reset()
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 92}); err != nil {
			return nil, fmt.Errorf("encode frame: %w", err)
		}
		frames = append(frames, sdk.Frame{Image: sdk.Image{Data: append([]byte(nil), buf.Bytes()...), Format: "jpeg",
			Width: fingersW, Height: fingersH}, TimestampMS: int64(i * 1000 / fingersFPS)})
	}
	return frames, nil
}

// fingersNone is a read without a count of 1–5 (no hand, two hands, a fist, …): its reason says which.
const fingersNone = -1

// fingerTally is the confusion of true counts (1–5) against read counts: columns 1–5 are counts,
// column 0 is fingersNone or a count outside 1–5, with the reasons given for those.
type fingerTally struct {
	conf    [6][6]int // [true][read], read 0 = no count of 1–5
	reasons map[string]int
}

// add records one photo: want 1–5, got the count read (fingersNone or outside 1–5: no count) and
// the reason the plugin gave when it did not count.
func (t *fingerTally) add(want, got int, reason string) {
	if want < 1 || want > 5 {
		return
	}
	if got < 1 || got > 5 {
		got = 0
		if t.reasons == nil {
			t.reasons = map[string]int{}
		}
		if reason == "" {
			reason = "none"
		}
		t.reasons[reason]++
	}
	t.conf[want][got]++
}

func (t *fingerTally) n() (n, correct int) {
	for w := 1; w <= 5; w++ {
		for g := 0; g <= 5; g++ {
			n += t.conf[w][g]
		}
		correct += t.conf[w][w]
	}
	return n, correct
}

func (t *fingerTally) accuracy() float64 { n, c := t.n(); return ratio(c, n) }

// recall of count w: the share of its photos read as w (0 when there are none).
func (t *fingerTally) recall(w int) float64 {
	row := 0
	for g := 0; g <= 5; g++ {
		row += t.conf[w][g]
	}
	return ratio(t.conf[w][w], row)
}

// lines are the figures, one `key=value` each, in a fixed order.
func (t *fingerTally) lines() []string {
	n, _ := t.n()
	out := []string{fmt.Sprintf("accuracy=%.3f", t.accuracy()), fmt.Sprintf("n=%d", n)}
	for w := 1; w <= 5; w++ {
		out = append(out, fmt.Sprintf("recall.%d=%.3f", w, t.recall(w)))
	}
	for w := 1; w <= 5; w++ {
		c := t.conf[w]
		out = append(out, fmt.Sprintf("confusion.%d=%d,%d,%d,%d,%d", w, c[1], c[2], c[3], c[4], c[5]))
	}
	unc := 0
	for w := 1; w <= 5; w++ {
		unc += t.conf[w][0]
	}
	out = append(out, fmt.Sprintf("uncounted=%d", unc))
	keys := make([]string, 0, len(t.reasons))
	for k := range t.reasons {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, fmt.Sprintf("uncounted.%s=%d", k, t.reasons[k]))
	}
	return out
}

// fingersRead is the plugin's count for a verdict: the hand.count rule (its value, and its reason
// when it counted nothing of 1–5).
func fingersRead(v sdk.Verdict) (int, string) {
	r, ok := ruleNamed(v, "hand.count")
	if !ok {
		if v.Outcome == sdk.CouldNotVerify && len(v.Reasons) > 0 {
			return fingersNone, v.Reasons[0]
		}
		return fingersNone, "no_hand_count_rule"
	}
	n := int(math.Round(r.Value))
	if n < 1 || n > 5 {
		return fingersNone, r.Reason
	}
	return n, ""
}

func evalFingers(ctx context.Context, run evalRun, dir string) error {
	photos, err := readFingerLabels(dir)
	if err != nil {
		return err
	}
	if len(photos) == 0 {
		return fmt.Errorf("no photo listed in %s", filepath.Join(dir, "labels.tsv"))
	}
	var t fingerTally
	var ms []float64
	for i, p := range photos {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := os.ReadFile(p.path)
		var img image.Image
		if err == nil {
			img, _, err = image.Decode(bytes.NewReader(b))
		}
		if err != nil {
			run.out.line("", "unreadable=%s error=%q", p.file, err.Error())
			continue
		}
		frames, err := fingersClip(img)
		if err != nil {
			return err
		}
		// the challenge does not depend on the label; hand.count is read, not the match
		v, err := run.plugin.CheckLiveness(ctx, sdk.LivenessRequest{Frames: frames, Challenge: sdk.Challenge{Numbers: []int{1}},
			Guide: sdk.Rect{X: 0.2, Y: 0.05, W: 0.6, H: 0.8}})
		if err != nil {
			return fmt.Errorf("check liveness %s: %w", p.file, err)
		}
		got, reason := fingersRead(v)
		t.add(p.fingers, got, reason)
		ms = append(ms, float64(v.Duration.Milliseconds()))
		fmt.Fprintf(run.logs, "eval fingers: %d/%d %s want %d read %d %s\n", i+1, len(photos), p.file, p.fingers, got, reason)
	}
	for _, l := range t.lines() {
		run.out.line("", "%s", l)
	}
	sort.Float64s(ms)
	med := 0.0
	if len(ms) > 0 {
		med = ms[len(ms)/2]
	}
	run.out.line("", "setup=%q", fmt.Sprintf("plugin=%s data=%s clip=%dx%d@%dfps,%d frames,photo %dpx square at x=%.2f top=%.2f on a white wall,wrist row extended to the bottom,no face",
		run.pluginPath, dir, fingersW, fingersH, fingersFPS, fingersFrames, fingersHandSide, fingersCentreX, fingersTopY))
	run.out.line("", "median_check_ms=%.0f", med)
	return nil
}
