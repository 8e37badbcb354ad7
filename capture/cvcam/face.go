package cvcam

import (
	"image"
	"os"
	"path/filepath"

	"gocv.io/x/gocv"
)

// cascadeDirs are where Debian's opencv-data puts the Haar cascades.
var cascadeDirs = []string{"/usr/share/opencv4/haarcascades", "/usr/share/opencv/haarcascades"}

// LocateFace finds the main frontal face in img with two of OpenCV's Haar cascades (used once, to
// frame the demo source's photo): the largest box both agree on, else the default cascade's
// largest (alt2 alone misfires more often on the shared photos). ok is false when the cascades are
// missing or no face was found.
func LocateFace(img image.Image) (image.Rectangle, bool) {
	grey, scale, err := greyForDetection(img)
	if err != nil {
		return image.Rectangle{}, false
	}
	defer grey.Close()
	def := detect(grey, "haarcascade_frontalface_default.xml")
	alt := detect(grey, "haarcascade_frontalface_alt2.xml")
	var best image.Rectangle
	for _, d := range def {
		for _, a := range alt {
			if overlap(d, a) > 0.5 && area(d) > area(best) {
				best = d
			}
		}
	}
	if best.Empty() {
		for _, d := range def {
			if area(d) > area(best) {
				best = d
			}
		}
	}
	if best.Empty() {
		return image.Rectangle{}, false
	}
	b := img.Bounds()
	return image.Rect(b.Min.X+int(float64(best.Min.X)/scale), b.Min.Y+int(float64(best.Min.Y)/scale),
		b.Min.X+int(float64(best.Max.X)/scale), b.Min.Y+int(float64(best.Max.Y)/scale)), true
}

func area(r image.Rectangle) int { return r.Dx() * r.Dy() }

// overlap is the intersection over union of two boxes.
func overlap(a, b image.Rectangle) float64 {
	i := area(a.Intersect(b))
	return float64(i) / float64(area(a)+area(b)-i)
}

// detect runs one cascade (nil when it is missing).
func detect(grey gocv.Mat, name string) []image.Rectangle {
	for _, dir := range cascadeDirs {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			continue
		}
		cc := gocv.NewCascadeClassifier()
		defer cc.Close()
		if !cc.Load(p) {
			return nil
		}
		return cc.DetectMultiScaleWithParams(grey, 1.1, 6, 0, image.Pt(40, 40), image.Pt(0, 0))
	}
	return nil
}

// greyForDetection is img in grey at most 640 pixels wide, and the scale applied.
func greyForDetection(img image.Image) (gocv.Mat, float64, error) {
	m, err := gocv.ImageToMatRGB(img)
	if err != nil {
		return gocv.Mat{}, 0, err
	}
	defer m.Close()
	// Detect on a copy at most 640 pixels wide: enough for a portrait, and fast.
	scale := 1.0
	if m.Cols() > 640 {
		scale = 640 / float64(m.Cols())
		small := gocv.NewMat()
		gocv.Resize(m, &small, image.Pt(640, int(float64(m.Rows())*scale)), 0, 0, gocv.InterpolationArea)
		m.Close()
		m = small
	}
	grey := gocv.NewMat()
	gocv.CvtColor(m, &grey, gocv.ColorBGRToGray)
	return grey, scale, nil
}
