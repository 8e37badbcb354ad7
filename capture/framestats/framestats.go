// Package framestats tells a camera sensor's frames from synthetic or re-encoded ones by three
// statistics measured on the frames a source delivers: their timing (interval jitter, stalls and
// bursts), repeated frames (a sensor never delivers two identical pictures), and the temporal
// noise floor in flat, still, unclipped regions (a sensor's photon and read noise changes every
// pixel every frame; a rendered scene or a video codec's skipped blocks do not). It also measures
// 8×8 blockiness, which is reported but decides nothing: a USB webcam in MJPEG mode is blocky too.
package framestats

import (
	"bytes"
	"image"
	"math"
	"slices"
	"sync"
	"time"
)

// Window is how many frame pairs a Meter keeps (about 10 s at 15 fps): the report covers the
// recent frames, such as those of the capture being checked.
const Window = 150

// MaxGap is the longest interval that still counts as one between consecutive frames; a longer
// one means nobody was reading the camera (between screens), and the next frame starts afresh.
const MaxGap = time.Second

// Block is the side of the square regions the noise floor is measured on.
const Block = 8

// Shift is how far (pixels, each way) a block is searched for in the previous frame.
const Shift = 2

// maxBlocks bounds the blocks compared per pair (the search costs (2·Shift+1)² comparisons).
const maxBlocks = 256

// Thresholds of a block that counts for the noise floor.
const (
	flatStd   = 10.0 // spatial standard deviation of the block's luma at most this (DN)
	stillMean = 1.5  // its mean luma moved by less than this between the two frames (DN)
	clipLow   = 8    // every pixel strictly inside (clipLow, clipHigh): clipped pixels carry no noise
	clipHigh  = 247
)

// pair is what one frame and the one before it measured.
type pair struct {
	interval  time.Duration
	duplicate bool
	blocks    int     // flat, still, unclipped blocks
	zero      int     // of which the two frames were identical
	sigma     float64 // median temporal noise of those blocks (DN); NaN without any
	blocky    float64 // the frame's blockiness
}

// Meter accumulates the statistics of a stream of frames. Add is called by the reader, Report
// by anyone; both are safe for concurrent use.
type Meter struct {
	mu     sync.Mutex
	prevY  []uint8
	spare  []uint8 // the luma buffer before prevY, reused
	w, h   int
	prevAt time.Time
	pairs  []pair // ring of the last Window pairs
	next   int
	frames int
	sig    []float64     // scratch: per-block sigmas of one pair
	cand   []image.Point // scratch: candidate blocks of one pair
}

// NewMeter returns an empty meter.
func NewMeter() *Meter { return &Meter{} }

// Add measures a frame captured at at against the previous one (a frame after a gap longer than
// MaxGap, or of another size, starts afresh). img is only read.
func (m *Meter) Add(img *image.RGBA, at time.Time) {
	if img == nil {
		return
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	m.mu.Lock()
	defer m.mu.Unlock()
	y := m.spare
	if len(y) != w*h {
		y = make([]uint8, w*h)
	}
	luma(img, y)
	m.frames++
	if m.prevY == nil || m.w != w || m.h != h || !at.After(m.prevAt) || at.Sub(m.prevAt) > MaxGap {
		m.spare, m.prevY, m.w, m.h, m.prevAt = m.prevY, y, w, h, at
		return
	}
	p := pair{interval: at.Sub(m.prevAt), duplicate: bytes.Equal(y, m.prevY), blocky: blockiness(y, w, h)}
	p.blocks, p.zero, p.sigma = m.noise(m.prevY, y, w, h)
	if len(m.pairs) < Window {
		m.pairs = append(m.pairs, p)
	} else {
		m.pairs[m.next] = p
		m.next = (m.next + 1) % Window
	}
	m.spare, m.prevY, m.prevAt = m.prevY, y, at
}

// Reset forgets every frame (a new camera, or a new capture to judge on its own).
func (m *Meter) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.prevY, m.spare, m.pairs, m.next, m.frames = nil, nil, nil, 0, 0
}

// luma writes Rec. 601 luma of img into out (one byte per pixel, row-major).
func luma(img *image.RGBA, out []uint8) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	for yy := range h {
		row := img.Pix[yy*img.Stride : yy*img.Stride+4*w]
		o := out[yy*w : (yy+1)*w]
		for x := range o {
			p := row[4*x : 4*x+3 : 4*x+3]
			o[x] = uint8((77*uint32(p[0]) + 150*uint32(p[1]) + 29*uint32(p[2]) + 128) >> 8)
		}
	}
}

// noise measures the temporal noise between two luma frames on flat, unclipped Block×Block
// blocks of b, each compared with the best-matching block of a within ±Shift pixels (so a
// person swaying by a pixel or a drifting synthetic scene is compared with itself, not with its
// neighbour's texture). A block counts when its best match's mean moved by less than stillMean;
// its noise is the standard deviation of the pixel differences (mean removed) divided by √2.
// At most maxBlocks blocks, spread over the frame, are compared per pair. It returns the number
// of blocks, how many matched exactly (every pixel equal: no sensor noise), and the median noise
// (NaN without blocks).
func (m *Meter) noise(a, b []uint8, w, h int) (blocks, zero int, sigma float64) {
	m.sig = m.sig[:0]
	m.cand = m.cand[:0]
	const n = Block * Block
	// every other block each way: a quarter of the frame offers more candidates than are compared
	for by := Shift; by+Block+Shift <= h; by += 2 * Block {
		for bx := Shift; bx+Block+Shift <= w; bx += 2 * Block {
			var sb, sbb int
			lo, hi := 255, 0
			for yy := by; yy < by+Block; yy++ {
				for _, v := range b[yy*w+bx : yy*w+bx+Block] {
					vb := int(v)
					sb += vb
					sbb += vb * vb
					lo, hi = min(lo, vb), max(hi, vb)
				}
			}
			if lo <= clipLow || hi >= clipHigh {
				continue
			}
			if v := float64(sbb)/n - math.Pow(float64(sb)/n, 2); v > flatStd*flatStd {
				continue
			}
			m.cand = append(m.cand, image.Pt(bx, by))
		}
	}
	step := max(1, (len(m.cand)+maxBlocks-1)/maxBlocks)
	for i := 0; i < len(m.cand); i += step {
		bx, by := m.cand[i].X, m.cand[i].Y
		best, bsd := -1, 0
		for sy := -Shift; sy <= Shift; sy++ {
			for sx := -Shift; sx <= Shift; sx++ {
				var sd, sdd int
				for yy := by; yy < by+Block; yy++ {
					rb := b[yy*w+bx : yy*w+bx+Block]
					ra := a[(yy+sy)*w+bx+sx : (yy+sy)*w+bx+sx+Block]
					for x := range Block {
						d := int(rb[x]) - int(ra[x])
						sd += d
						sdd += d * d
					}
				}
				if best < 0 || sdd < best {
					best, bsd = sdd, sd
				}
			}
		}
		if math.Abs(float64(bsd))/n >= stillMean {
			continue
		}
		blocks++
		if best == 0 {
			zero++
		}
		vd := float64(best)/n - math.Pow(float64(bsd)/n, 2)
		m.sig = append(m.sig, math.Sqrt(max(vd, 0)/2))
	}
	return blocks, zero, median(m.sig)
}

// blockiness is the mean absolute luma step across the 8-pixel grid's column and row
// boundaries divided by the mean step elsewhere: about 1 for a picture never JPEG- or
// MPEG-coded, above 1 for one coded in 8×8 blocks at a visible quality loss.
func blockiness(y []uint8, w, h int) float64 {
	var edge, inner, ne, ni int
	abs := func(d int) int {
		if d < 0 {
			return -d
		}
		return d
	}
	for yy := 0; yy < h; yy += 2 { // every other row and column: enough, half the cost
		row := y[yy*w : (yy+1)*w]
		for x := 1; x < w; x++ {
			d := abs(int(row[x]) - int(row[x-1]))
			if x%8 == 0 {
				edge += d
				ne++
			} else {
				inner += d
				ni++
			}
		}
	}
	for yy := 1; yy < h; yy++ {
		cur, up := y[yy*w:(yy+1)*w], y[(yy-1)*w:yy*w]
		e := yy%8 == 0
		for x := 0; x < w; x += 2 {
			d := abs(int(cur[x]) - int(up[x]))
			if e {
				edge += d
				ne++
			} else {
				inner += d
				ni++
			}
		}
	}
	if ne == 0 || ni == 0 || inner == 0 {
		return math.NaN()
	}
	return (float64(edge) / float64(ne)) / (float64(inner) / float64(ni))
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
