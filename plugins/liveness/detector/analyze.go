package detector

import (
	"context"
	"image"
	"math"
	"sort"

	"gocv.io/x/gocv"

	"github.com/ehraz/ehraz/plugins/liveness/hand"
	"github.com/ehraz/ehraz/plugins/liveness/sequence"
	"github.com/ehraz/ehraz/plugins/sdk"
)

// Thresholds of the video rules.
const (
	minReadable    = 0.9  // share of frames that must decode
	minDurationMS  = 2000 // the recording must be at least this long
	minFacePresent = 0.7  // share of sampled frames with a face
	minInGuide     = 0.6  // share of sampled frames with the face centre in the guide
	maxManyFaces   = 0.2  // share of sampled frames with two or more faces
	maxShakePx     = 8.0  // 90th percentile global motion per 1/15 s, px at 320 wide
	minLight       = 60.0 // mean grey of the face region
	maxLight       = 235.0
	minWhiteBorder = 0.6 // share of white pixels along the top and side borders
	faceEvery      = 3   // faces on every 3rd frame
	handEvery      = 2   // fingers on every 2nd frame
)

// analysis collects rules and evidence.
type analysis struct {
	rules     []sdk.Rule
	artifacts []sdk.Artifact
	score     float64
	cnv       string // non-empty: the check could not run
	obs       []sequence.Obs
	hands     []handObs
}

func (a *analysis) add(name string, out sdk.Outcome, reason string, value, threshold float64, unit string) {
	if math.IsNaN(value) {
		value = -1
	}
	a.rules = append(a.rules, sdk.Rule{Name: name, Outcome: out, Reason: reason, Value: value, Threshold: threshold, Unit: unit})
}

func passIf(ok bool) sdk.Outcome {
	if ok {
		return sdk.Pass
	}
	return sdk.Fail
}

// hard rules fail the verdict; the others ask for review.
var hardRules = map[string]bool{
	"sequence.match": true, "spoof.score": true, "face.present": true, "face.count": true,
	"video.duration": true,
}

// verdict turns the analysis into the answer: hard failures first, then review items.
func (a *analysis) verdict() sdk.Verdict {
	if a.cnv != "" {
		return sdk.Verdict{Outcome: sdk.CouldNotVerify, Reasons: []string{a.cnv}, Rules: a.rules}
	}
	v := sdk.Verdict{Rules: a.rules, Artifacts: a.artifacts, Score: a.score}
	var hard, soft, explain []string
	for _, r := range a.rules {
		if r.Outcome != sdk.Fail {
			continue
		}
		if hardRules[r.Name] {
			hard = append(hard, r.Reason)
		} else if r.Name == "video.guide" || r.Name == "video.shake" || r.Name == "video.light" || r.Name == "video.background" || r.Name == "video.gaps" {
			soft = append(soft, r.Reason)
		} else if len(r.Name) > 6 && r.Name[:6] == "spoof." {
			soft = append(soft, r.Reason) // a single cue explains the fused score
		} else if r.Name == "hand.count" {
			explain = append(explain, r.Reason) // why no number could be read (two hands, a fist)
		}
	}
	switch {
	case len(hard) > 0:
		v.Outcome, v.Reasons = sdk.Fail, append(append(hard, explain...), soft...)
	case len(soft) > 0:
		v.Outcome, v.Reasons = sdk.NeedsReview, soft
	default:
		v.Outcome, v.Reasons = sdk.Pass, []string{sequence.Matched.Reason()}
	}
	return v
}

func (d *Detector) analyze(ctx context.Context, frames []frame, req sdk.LivenessRequest) (*analysis, error) {
	a := &analysis{}
	var good []frame
	for _, f := range frames {
		if f.ok {
			good = append(good, f)
		}
	}
	readable := float64(len(good)) / float64(len(frames))
	a.add("frames.readable", passIf(readable >= minReadable), "verdict.liveness.frames.unreadable", readable, minReadable, "ratio")
	if readable < minReadable || len(good) < 2 {
		a.cnv = "verdict.liveness.frames.unreadable"
		return a, nil
	}
	sort.SliceStable(good, func(i, j int) bool { return good[i].ts < good[j].ts })
	dur := float64(good[len(good)-1].ts - good[0].ts)
	a.add("video.duration", passIf(dur >= minDurationMS), "verdict.liveness.video.too_short", dur, minDurationMS, "ms")

	// faces on every 3rd frame, carried to the frames between
	var faceIdx []int
	for i := 0; i < len(good); i += faceEvery {
		faceIdx = append(faceIdx, i)
	}
	faces := make([][]image.Rectangle, len(good))
	if err := parallel(ctx, d.workers, faceIdx, func(i int) { faces[i] = d.cascades.faces(good[i].small) }); err != nil {
		return nil, err
	}
	faceAt := func(i int) image.Rectangle {
		j := (i + faceEvery/2) / faceEvery * faceEvery
		if j > len(good)-1 {
			j = (len(good) - 1) / faceEvery * faceEvery
		}
		if len(faces[j]) > 0 {
			return faces[j][0]
		}
		return image.Rectangle{}
	}

	// fingers on every 2nd frame after the challenge appeared
	var handIdx []int
	for i := 0; i < len(good); i += handEvery {
		if good[i].ts-good[0].ts >= req.Challenge.ShownAtMS {
			handIdx = append(handIdx, i)
		}
	}
	hobs := make([]handObs, len(good))
	if err := parallel(ctx, d.workers, handIdx, func(i int) { hobs[i] = d.countFrame(good[i], faceAt(i)) }); err != nil {
		return nil, err
	}
	handFrames, learned := 0, 0
	for _, i := range handIdx {
		a.obs = append(a.obs, sequence.Obs{TimestampMS: good[i].ts, Count: hobs[i].Count})
		a.hands = append(a.hands, hobs[i])
		if hobs[i].Count != sequence.NoHand {
			handFrames++
		}
		if hobs[i].Learned >= 0 {
			learned++
		}
	}
	held := sequence.Segment(a.obs, sequence.Defaults)
	// With display windows each number must be answered in its own window, after it appeared
	// (a recording made for another timing of the same numbers fails); without them, in order.
	windows := make([]sequence.Window, len(req.Challenge.Windows))
	for i, w := range req.Challenge.Windows {
		windows[i] = sequence.Window{StartMS: w.StartMS, EndMS: w.EndMS}
	}
	match := sequence.MatchTimed(req.Challenge.Numbers, windows, held, handFrames, sequence.DefaultTiming)
	seen := sequence.ObservedTimed(req.Challenge.Numbers, windows, held, sequence.DefaultTiming)
	for i, n := range req.Challenge.Numbers {
		a.add("sequence.number."+string(rune('1'+i)), passIf(seen[i] == n), "verdict.liveness.sequence.number_missing",
			float64(seen[i]), float64(n), "fingers")
	}
	a.add("sequence.match", passIf(match == sequence.Matched), match.Reason(), float64(len(held)), float64(len(req.Challenge.Numbers)), "holds")
	hf := 0.0
	if len(handIdx) > 0 {
		hf = float64(handFrames) / float64(len(handIdx))
	}
	lf := 0.0
	if handFrames > 0 {
		lf = float64(learned) / float64(handFrames)
	}
	a.add("hand.frames", sdk.Pass, "verdict.liveness.hand.frames", hf, 0, "ratio")
	n, out, reason := handCount(hobs, handIdx, held)
	a.add("hand.count", out, reason, float64(n), 0, "fingers")
	a.add("hand.learned_share", sdk.Pass, "verdict.liveness.hand.learned_share", lf, 0, "ratio")

	d.videoRules(a, good, faces, faceIdx, req.Guide)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	keys := keyframes(good, faces, faceIdx, req.Guide)
	for _, i := range keys {
		a.artifacts = append(a.artifacts, sdk.Artifact{Name: "liveness.keyframe", Image: good[i].src.Image, TimestampMS: good[i].ts})
	}
	d.spoofRules(a, good, faces, faceIdx, keys)
	return a, nil
}

// inGuide reports whether the face centre lies in the guide (normalised; zero guide = frame).
func inGuide(face image.Rectangle, w, h int, g sdk.Rect) bool {
	if g.W <= 0 || g.H <= 0 {
		g = sdk.Rect{W: 1, H: 1}
	}
	cx := (float64(face.Min.X+face.Max.X) / 2) / float64(w)
	cy := (float64(face.Min.Y+face.Max.Y) / 2) / float64(h)
	return cx >= g.X && cx <= g.X+g.W && cy >= g.Y && cy <= g.Y+g.H
}

func (d *Detector) videoRules(a *analysis, good []frame, faces [][]image.Rectangle, faceIdx []int, guide sdk.Rect) {
	var present, many, guided int
	var light, white, shake []float64
	var prev gocv.Mat
	hasPrev := false
	var prevTS int64
	for k, i := range faceIdx {
		f := good[i].small
		fs := faces[i]
		if len(fs) > 0 {
			present++
			if inGuide(fs[0], f.W, f.H, guide) {
				guided++
			}
		}
		if len(fs) > 1 {
			many++
		}
		light = append(light, meanGray(f, firstOr(fs, image.Rect(0, 0, f.W, f.H))))
		white = append(white, borderWhite(f))
		g, err := grayMat(f)
		if err != nil {
			continue
		}
		g32 := gocv.NewMat()
		g.ConvertTo(&g32, gocv.MatTypeCV32F)
		g.Close()
		if k > 0 && hasPrev && prev.Cols() == g32.Cols() && prev.Rows() == g32.Rows() {
			win := gocv.NewMat()
			shift, _ := gocv.PhaseCorrelate(prev, g32, win)
			win.Close()
			dt := math.Max(1, float64(good[i].ts-prevTS)/66.7)
			shake = append(shake, math.Hypot(float64(shift.X), float64(shift.Y))/dt)
		}
		if hasPrev {
			prev.Close()
		}
		prev, prevTS, hasPrev = g32, good[i].ts, true
	}
	if hasPrev {
		prev.Close()
	}
	n := float64(len(faceIdx))
	a.add("face.present", passIf(float64(present)/n >= minFacePresent), "verdict.liveness.face.missing", float64(present)/n, minFacePresent, "ratio")
	a.add("face.count", passIf(float64(many)/n <= maxManyFaces), "verdict.liveness.face.many", float64(many)/n, maxManyFaces, "ratio")
	a.add("video.guide", passIf(float64(guided)/n >= minInGuide), "verdict.liveness.face.outside_guide", float64(guided)/n, minInGuide, "ratio")
	sh := quantile(shake, 0.9)
	a.add("video.shake", passIf(math.IsNaN(sh) || sh <= maxShakePx), "verdict.liveness.video.shaky", sh, maxShakePx, "px")
	l := quantile(light, 0.5)
	lightReason := "verdict.liveness.video.too_dark"
	if l > maxLight {
		lightReason = "verdict.liveness.video.too_bright"
	}
	a.add("video.light", passIf(l >= minLight && l <= maxLight), lightReason, l, minLight, "grey")
	wb := quantile(white, 0.5)
	a.add("video.background", passIf(wb >= minWhiteBorder), "verdict.liveness.video.background_not_white", wb, minWhiteBorder, "ratio")
}

func firstOr(rs []image.Rectangle, def image.Rectangle) image.Rectangle {
	if len(rs) > 0 {
		return rs[0]
	}
	return def
}

func meanGray(f hand.Frame, r image.Rectangle) float64 {
	r = r.Intersect(image.Rect(0, 0, f.W, f.H))
	if r.Empty() {
		return math.NaN()
	}
	var s float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			p := (y*f.W + x) * 3
			s += 0.114*float64(f.BGR[p]) + 0.587*float64(f.BGR[p+1]) + 0.299*float64(f.BGR[p+2])
		}
	}
	return s / float64(area(r))
}

// borderWhite is the share of white-wall pixels in the top band and the upper side bands.
func borderWhite(f hand.Frame) float64 {
	m := hand.NotWhite(f.BGR, f.W, f.H)
	top, side, rows := f.H/8, f.W/10, f.H*6/10
	var n, w int
	for y := 0; y < rows; y++ {
		for x := 0; x < f.W; x++ {
			if y >= top && x >= side && x < f.W-side {
				continue
			}
			n++
			if m.Pix[y*f.W+x] == 0 {
				w++
			}
		}
	}
	return float64(w) / float64(max(1, n))
}

func quantile(v []float64, q float64) float64 {
	var s []float64
	for _, x := range v {
		if !math.IsNaN(x) {
			s = append(s, x)
		}
	}
	if len(s) == 0 {
		return math.NaN()
	}
	sort.Float64s(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}
