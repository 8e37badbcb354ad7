package detector

import (
	"fmt"
	"image"

	"gocv.io/x/gocv"

	"github.com/ehraz/ehraz/plugins/liveness/hand"
)

// CascadePath is OpenCV's frontal face Haar cascade from Debian opencv-data.
const CascadePath = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_alt2.xml"

// cascadePool hands out Haar classifiers (not safe for concurrent use) one per worker.
type cascadePool chan *gocv.CascadeClassifier

func newCascadePool(path string, n int) (cascadePool, error) {
	p := make(cascadePool, n)
	for range n {
		c := gocv.NewCascadeClassifier()
		if !c.Load(path) {
			c.Close()
			return nil, fmt.Errorf("load face cascade %s", path)
		}
		p <- &c
	}
	return p, nil
}

// grayMat converts a BGR frame to an equalised grey Mat (caller closes).
func grayMat(f hand.Frame) (gocv.Mat, error) {
	bgr, err := gocv.NewMatFromBytes(f.H, f.W, gocv.MatTypeCV8UC3, f.BGR)
	if err != nil {
		return gocv.Mat{}, fmt.Errorf("frame mat: %w", err)
	}
	defer bgr.Close()
	g := gocv.NewMat()
	gocv.CvtColor(bgr, &g, gocv.ColorBGRToGray)
	return g, nil
}

// faces finds frontal faces in a small frame, largest first.
func (p cascadePool) faces(f hand.Frame) []image.Rectangle {
	g, err := grayMat(f)
	if err != nil {
		return nil
	}
	defer g.Close()
	gocv.EqualizeHist(g, &g)
	c := <-p
	rs := c.DetectMultiScaleWithParams(g, 1.15, 4, 0, image.Pt(f.W/9, f.W/9), image.Pt(0, 0))
	p <- c
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && area(rs[j]) > area(rs[j-1]); j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
	return rs
}

func area(r image.Rectangle) int { return r.Dx() * r.Dy() }

func (p cascadePool) close() {
	for range cap(p) {
		c := <-p
		c.Close()
	}
}
