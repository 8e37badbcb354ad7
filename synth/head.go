package synth

import (
	"image"
	"image/color"

	xdraw "golang.org/x/image/draw"
)

// faceShare is the face box's height as a share of the frame height: the face then fills the
// kiosk screen's face guide with a margin, as a person at the right distance would.
const faceShare = 0.30

// headCutout scales the photo so the face box is faceShare of frameH and cuts out the head and
// shoulders around it with a soft oval edge. The face centre lands at (0.5, 0.42) of the cut-out.
func headCutout(photo image.Image, face image.Rectangle, frameH int) (*image.RGBA, *image.Alpha) {
	k := faceShare * float64(frameH) / float64(face.Dy())
	w := int(2.3 * float64(face.Dx()) * k)
	h := min(int(2.4*float64(face.Dy())*k), frameH)
	cx, cy := float64(face.Min.X+face.Max.X)/2, float64(face.Min.Y+face.Max.Y)/2
	src := image.Rect(int(cx-0.5*float64(w)/k), int(cy-0.42*float64(h)/k),
		int(cx+0.5*float64(w)/k), int(cy+0.58*float64(h)/k))
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	// Parts of src outside the photo stay transparent and show the white background.
	dst := image.Rect(0, 0, w, h)
	vis := src.Intersect(photo.Bounds())
	if !vis.Empty() {
		fx := func(x int) int { return int(float64(x-src.Min.X) * k) }
		fy := func(y int) int { return int(float64(y-src.Min.Y) * k) }
		dst = image.Rect(fx(vis.Min.X), fy(vis.Min.Y), fx(vis.Max.X), fy(vis.Max.Y))
		xdraw.ApproxBiLinear.Scale(out, dst, photo, vis, xdraw.Src, nil)
	}
	return out, softOval(w, h, 0.5, 0.5, 0.47, 0.49, 0.12)
}

// softOval is an alpha mask: opaque inside the ellipse centred at (cx, cy) with semi-axes (ax,
// ay), all as shares of the size, fading to transparent over feather.
func softOval(w, h int, cx, cy, ax, ay, feather float64) *image.Alpha {
	m := image.NewAlpha(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx := (float64(x)/float64(w) - cx) / ax
			dy := (float64(y)/float64(h) - cy) / ay
			d := dx*dx + dy*dy
			var a float64
			switch {
			case d <= 1-feather:
				a = 1
			case d < 1:
				a = (1 - d) / feather
			}
			m.Pix[y*m.Stride+x] = uint8(255 * a)
		}
	}
	return m
}

// drawnHead is the fallback when no photo is available: a simple drawn face with hair, eyes,
// brows and a mouth, sized like headCutout's.
func drawnHead(frameH int) (*image.RGBA, *image.Alpha) {
	fh := faceShare * float64(frameH)
	w, h := int(2.2*fh), frameH
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fcx, fcy := 0.5*float64(w), 0.42*float64(h)
	skin := color.RGBA{R: 0xe8, G: 0xbe, B: 0x9c, A: 0xff}
	hair := color.RGBA{R: 0x3a, G: 0x2a, B: 0x20, A: 0xff}
	dark := color.RGBA{R: 0x30, G: 0x25, B: 0x20, A: 0xff}
	shirt := color.RGBA{R: 0x2f, G: 0x55, B: 0x8f, A: 0xff}
	lips := color.RGBA{R: 0xb0, G: 0x50, B: 0x50, A: 0xff}
	fill := func(cx, cy, ax, ay float64, c color.RGBA) {
		for y := max(0, int(cy-ay)); y < min(h, int(cy+ay)+1); y++ {
			for x := max(0, int(cx-ax)); x < min(w, int(cx+ax)+1); x++ {
				dx, dy := (float64(x)-cx)/ax, (float64(y)-cy)/ay
				if dx*dx+dy*dy <= 1 {
					img.SetRGBA(x, y, c)
				}
			}
		}
	}
	fill(fcx, fcy+1.45*fh, 1.0*fh, 0.75*fh, shirt)        // shoulders
	fill(fcx, fcy+0.55*fh, 0.17*fh, 0.3*fh, skin)         // neck
	fill(fcx, fcy-0.12*fh, 0.42*fh, 0.5*fh, hair)         // hair
	fill(fcx, fcy+0.03*fh, 0.36*fh, 0.5*fh, skin)         // face
	fill(fcx-0.37*fh, fcy+0.05*fh, 0.06*fh, 0.1*fh, skin) // ears
	fill(fcx+0.37*fh, fcy+0.05*fh, 0.06*fh, 0.1*fh, skin) //
	fill(fcx-0.14*fh, fcy-0.04*fh, 0.07*fh, 0.035*fh, color.RGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff})
	fill(fcx+0.14*fh, fcy-0.04*fh, 0.07*fh, 0.035*fh, color.RGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff})
	fill(fcx-0.14*fh, fcy-0.04*fh, 0.03*fh, 0.03*fh, dark)                                   // eyes
	fill(fcx+0.14*fh, fcy-0.04*fh, 0.03*fh, 0.03*fh, dark)                                   //
	fill(fcx-0.14*fh, fcy-0.12*fh, 0.08*fh, 0.015*fh, hair)                                  // brows
	fill(fcx+0.14*fh, fcy-0.12*fh, 0.08*fh, 0.015*fh, hair)                                  //
	fill(fcx, fcy+0.1*fh, 0.035*fh, 0.06*fh, color.RGBA{R: 0xd9, G: 0xa5, B: 0x85, A: 0xff}) // nose
	fill(fcx, fcy+0.27*fh, 0.12*fh, 0.035*fh, lips)                                          // mouth
	m := image.NewAlpha(img.Rect)
	for i := range m.Pix {
		m.Pix[i] = img.Pix[4*i+3]
	}
	return img, m
}

// drawnFaceBox is the face's box in drawnHead's picture b for a frame of height frameH.
func drawnFaceBox(b image.Rectangle, frameH int) image.Rectangle {
	fh := faceShare * float64(frameH)
	cx, cy := 0.5*float64(b.Dx()), 0.42*float64(b.Dy())+0.03*fh
	return image.Rect(int(cx-0.36*fh), int(cy-0.5*fh), int(cx+0.36*fh), int(cy+0.5*fh))
}
