package sigcheck

import (
	"fmt"
	"image"
	"math"
	"unsafe"

	"gocv.io/x/gocv"
)

// int32s copies a CV_32S Mat (connected-component labels) into Go.
func int32s(m gocv.Mat) ([]int32, error) {
	if m.Type() != gocv.MatTypeCV32S {
		return nil, fmt.Errorf("labels: mat type %v, want CV_32S", m.Type())
	}
	b := m.ToBytes() // a Go-owned copy, 8-byte aligned by the allocator
	if len(b) < 4 {
		return nil, nil
	}
	return unsafe.Slice((*int32)(unsafe.Pointer(&b[0])), len(b)/4), nil
}

// inkStats are the measurements on the rectified sheet.
type inkStats struct {
	w, h       int
	mask       []byte          // 255 where kept ink lies, sheet-sized
	box        image.Rectangle // bounds of the kept ink
	inkPixels  int
	ratio      float64 // ink / interior pixels
	components int     // kept ink components
	clusters   int     // ink clusters big enough to be a signature
	evenness   float64 // 5th / 95th percentile of the paper illumination
	glare      float64 // share of the interior washed out by a highlight
	sharp      float64 // Laplacian spread on ink edges / ink contrast (0 when no ink)
	coherence  float64 // 0 isotropic edges … 1 all edges one direction (motion blur)
	contrast   float64 // median paper − ink brightness
}

// Ink segmentation: a pixel is ink when it is darker than the local paper (estimated by a
// morphological closing larger than any pen stroke) by this much.
const (
	inkMinDiff   = 18
	inkRelDiff   = 0.18
	marginFrac   = 0.04 // sheet border ignored (edges, shadow of the edge, fingers)
	minCompFrac  = 1e-5 // components smaller than this share of the sheet are specks
	clusterGap   = 0.05 // ink closer than this share of the sheet width belongs together
	clusterShare = 0.25 // a cluster counts as a signature with this share of the biggest one's ink
	glareLevel   = 250  // saturated paper
	glareRel     = 1.04 // … and this much above the paper's median level
	glareClip    = 254  // or clipped, when the paper itself is almost white
	lightSample  = 3    // subsampling step for illumination statistics
)

// analyseInk measures a rectified gray sheet.
func analyseInk(gray gocv.Mat) inkStats {
	W, H := gray.Cols(), gray.Rows()
	st := inkStats{w: W, h: H}
	g := gray.ToBytes()

	k := oddAtLeast(W/45, 9)
	kern := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(k, k))
	defer kern.Close()
	bgm := gocv.NewMat()
	defer bgm.Close()
	gocv.MorphologyEx(gray, &bgm, gocv.MorphClose, kern)
	gocv.Blur(bgm, &bgm, image.Pt(k, k))
	bg := bgm.ToBytes()

	mx, my := max(3, int(marginFrac*float64(W))), max(3, int(marginFrac*float64(H)))
	interior := image.Rect(mx, my, W-mx, H-my)
	if interior.Dx() < 8 || interior.Dy() < 8 {
		return st
	}
	raw := make([]byte, W*H)
	var bgHist [256]int
	nbg := 0
	for y := interior.Min.Y; y < interior.Max.Y; y++ {
		for x := interior.Min.X; x < interior.Max.X; x++ {
			i := y*W + x
			b := float64(bg[i])
			if b-float64(g[i]) > math.Max(inkMinDiff, inkRelDiff*b) {
				raw[i] = 255
			}
			if y%lightSample == 0 && x%lightSample == 0 {
				bgHist[bg[i]]++
				nbg++
			}
		}
	}
	p5, p50, p95 := percentile(bgHist[:], nbg, 0.05), percentile(bgHist[:], nbg, 0.5), percentile(bgHist[:], nbg, 0.95)
	st.evenness = p5 / math.Max(p95, 1)
	// Washed out: near the sensor's limit and clearly above the paper's own level (paper that is
	// itself almost white still shows glare as the clipped 254–255 plateau).
	glareFrom := math.Max(glareLevel, math.Min(glareClip, glareRel*p50))
	glare := 0
	for v := int(math.Ceil(glareFrom)); v < 256; v++ {
		glare += bgHist[v]
	}
	st.glare = float64(glare) / float64(max(nbg, 1))

	st.mask, st.components, st.inkPixels, st.box = keepComponents(raw, W, H,
		max(4, int(minCompFrac*float64(W*H))))
	st.ratio = float64(st.inkPixels) / float64(interior.Dx()*interior.Dy())
	if st.inkPixels == 0 {
		return st
	}
	st.contrast = inkContrast(g, bg, st.mask)
	st.sharp, st.coherence = edgeSharpness(gray, st.mask, W, H, st.contrast)
	st.clusters = countClusters(st.mask, W, H)
	return st
}

// keepComponents drops specks from the raw ink mask and returns the kept mask, the number of
// kept components, their pixel count and bounds.
func keepComponents(raw []byte, W, H, minArea int) ([]byte, int, int, image.Rectangle) {
	m, err := gocv.NewMatFromBytes(H, W, gocv.MatTypeCV8U, raw)
	if err != nil {
		return make([]byte, W*H), 0, 0, image.Rectangle{}
	}
	defer m.Close()
	labels, stats, cents := gocv.NewMat(), gocv.NewMat(), gocv.NewMat()
	defer labels.Close()
	defer stats.Close()
	defer cents.Close()
	n := gocv.ConnectedComponentsWithStats(m, &labels, &stats, &cents)
	keep := make([]bool, n)
	kept := 0
	for l := 1; l < n; l++ {
		if int(stats.GetIntAt(l, int(gocv.CC_STAT_AREA))) >= minArea {
			keep[l] = true
			kept++
		}
	}
	lab, err := int32s(labels)
	if err != nil {
		return make([]byte, W*H), 0, 0, image.Rectangle{}
	}
	out := make([]byte, W*H)
	minX, minY, maxX, maxY := W, H, -1, -1
	pixels := 0
	for i, l := range lab {
		if l > 0 && keep[l] {
			out[i] = 255
			pixels++
			x, y := i%W, i/W
			minX, maxX = min(minX, x), max(maxX, x)
			minY, maxY = min(minY, y), max(maxY, y)
		}
	}
	if pixels == 0 {
		return out, kept, 0, image.Rectangle{}
	}
	return out, kept, pixels, image.Rect(minX, minY, maxX+1, maxY+1)
}

// inkContrast is the median of paper − ink brightness over ink pixels.
func inkContrast(g, bg, mask []byte) float64 {
	var hist [256]int
	n := 0
	for i, v := range mask {
		if v != 0 {
			d := int(bg[i]) - int(g[i])
			hist[max(d, 0)]++
			n++
		}
	}
	return percentile(hist[:], n, 0.5)
}

// edgeSharpness measures the spread of the Laplacian on a band around the ink, relative to the
// ink's contrast (so dim light does not read as blur), and the coherence of the gradients there
// (motion blur leaves edges in one direction only).
func edgeSharpness(gray gocv.Mat, mask []byte, W, H int, contrast float64) (sharp, coherence float64) {
	if contrast <= 0 {
		return 0, 0
	}
	mm, err := gocv.NewMatFromBytes(H, W, gocv.MatTypeCV8U, mask)
	if err != nil {
		return 0, 0
	}
	defer mm.Close()
	band := gocv.NewMat()
	defer band.Close()
	k := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(5, 5))
	defer k.Close()
	gocv.Dilate(mm, &band, k)
	lap, gx, gy := gocv.NewMat(), gocv.NewMat(), gocv.NewMat()
	defer lap.Close()
	defer gx.Close()
	defer gy.Close()
	gocv.Laplacian(gray, &lap, gocv.MatTypeCV16S, 3, 1, 0, gocv.BorderReplicate)
	gocv.Sobel(gray, &gx, gocv.MatTypeCV16S, 1, 0, 3, 1, 0, gocv.BorderReplicate)
	gocv.Sobel(gray, &gy, gocv.MatTypeCV16S, 0, 1, 3, 1, 0, gocv.BorderReplicate)
	b := band.ToBytes()
	lv, err1 := lap.DataPtrInt16()
	xv, err2 := gx.DataPtrInt16()
	yv, err3 := gy.DataPtrInt16()
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, 0
	}
	var s, s2, jxx, jyy, jxy float64
	n := 0
	for i, v := range b {
		if v == 0 {
			continue
		}
		l := float64(lv[i])
		s += l
		s2 += l * l
		x, y := float64(xv[i]), float64(yv[i])
		jxx += x * x
		jyy += y * y
		jxy += x * y
		n++
	}
	if n == 0 {
		return 0, 0
	}
	mean := s / float64(n)
	sd := math.Sqrt(math.Max(s2/float64(n)-mean*mean, 0))
	tr := jxx + jyy
	if tr > 0 {
		coherence = math.Sqrt((jxx-jyy)*(jxx-jyy)+4*jxy*jxy) / tr
	}
	return sd / contrast, coherence
}

// countClusters groups the ink into clusters (ink closer than clusterGap of the sheet width
// belongs together, measured on a quarter-size mask) and counts those holding at least
// clusterShare of the biggest cluster's ink.
func countClusters(mask []byte, W, H int) int {
	m, err := gocv.NewMatFromBytes(H, W, gocv.MatTypeCV8U, mask)
	if err != nil {
		return 0
	}
	defer m.Close()
	sw, sh := max(W/4, 1), max(H/4, 1)
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(m, &small, image.Pt(sw, sh), 0, 0, gocv.InterpolationArea)
	weights := small.ToBytes()
	grown := gocv.NewMat()
	defer grown.Close()
	gocv.Threshold(small, &grown, 0, 255, gocv.ThresholdBinary)
	k := oddAtLeast(int(clusterGap*float64(sw)), 3)
	kern := gocv.GetStructuringElement(gocv.MorphEllipse, image.Pt(k, k))
	defer kern.Close()
	gocv.Dilate(grown, &grown, kern)
	labels := gocv.NewMat()
	defer labels.Close()
	n := gocv.ConnectedComponents(grown, &labels)
	lab, err := int32s(labels)
	if err != nil || n < 2 {
		return 0
	}
	mass := make([]float64, n)
	for i, l := range lab {
		mass[l] += float64(weights[i])
	}
	biggest := 0.0
	for l := 1; l < n; l++ {
		biggest = math.Max(biggest, mass[l])
	}
	count := 0
	for l := 1; l < n; l++ {
		if mass[l] >= clusterShare*biggest && mass[l] > 0 {
			count++
		}
	}
	return count
}
