package conformance

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// SyntheticJPEG draws a w×h test scene (a lit gradient with a skin-toned ellipse where a face
// would be) and encodes it as JPEG quality 85, as the kiosk camera would send it.
func SyntheticJPEG(w, h int) sdk.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	cx, cy, rx, ry := float64(w)/2, float64(h)/2, float64(w)/6, float64(h)/4
	// The gradient depends on x+y only: one sine per diagonal, and the pixels written straight
	// into Pix (img.Set per pixel made the suite slow, above all under the race detector).
	grey := make([]uint8, w+h)
	for i := range grey {
		grey[i] = uint8(120 + 80*math.Sin(float64(i)/40))
	}
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for x := 0; x < w; x++ {
			px := row[4*x : 4*x+4 : 4*x+4]
			dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
			if dx*dx+dy*dy <= 1 {
				px[0], px[1], px[2], px[3] = 224, 172, 140, 255
				continue
			}
			g := grey[x+y]
			px[0], px[1], px[2], px[3] = g, g, uint8(int(g)*9/10), 255
		}
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	return sdk.Image{Data: b.Bytes(), Format: "jpeg", Width: w, Height: h}
}

// SyntheticPNG is a w×h white sheet with a dark stroke, like a signature on paper.
func SyntheticPNG(w, h int) sdk.Image {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 245
	}
	for x := w / 4; x < 3*w/4; x++ {
		y := h/2 + int(float64(h)/8*math.Sin(float64(x)/15))
		for d := -2; d <= 2; d++ {
			img.SetGray(x, y+d, color.Gray{20})
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return sdk.Image{Data: b.Bytes(), Format: "png", Width: w, Height: h}
}

// BadImage is one hostile input and its name in reports.
type BadImage struct {
	Name  string
	Image sdk.Image
}

// BadImages are inputs no plugin may pass: corrupt bytes, empty, truncated JPEG, a declared size
// that differs from the real one, and a huge (12000×12000 declared, 20 MB) garbage payload.
func BadImages() []BadImage {
	good := SyntheticJPEG(640, 480)
	huge := make([]byte, 20<<20)
	copy(huge, good.Data[:64]) // a JPEG header followed by zeros
	return []BadImage{
		{"empty", sdk.Image{Format: "jpeg", Width: 640, Height: 480}},
		{"corrupt", sdk.Image{Data: []byte("this is not an image at all"), Format: "jpeg", Width: 640, Height: 480}},
		{"truncated", sdk.Image{Data: good.Data[:len(good.Data)/3], Format: "jpeg", Width: 640, Height: 480}},
		{"wrong-size", sdk.Image{Data: good.Data, Format: "jpeg", Width: 1920, Height: 1080}},
		{"huge", sdk.Image{Data: huge, Format: "jpeg", Width: 12000, Height: 12000}},
	}
}

// BlankLike is a plain white image of img's size and format: no face, no signature, no hand.
// The suite sends it to every declared check for the reason keys a plugin emits when there is
// nothing to find.
func BlankLike(img sdk.Image) sdk.Image {
	g := image.NewGray(image.Rect(0, 0, img.Width, img.Height))
	for i := range g.Pix {
		g.Pix[i] = 250
	}
	var b bytes.Buffer
	if img.Format == "png" {
		_ = png.Encode(&b, g)
	} else {
		_ = jpeg.Encode(&b, g, &jpeg.Options{Quality: 85})
	}
	return sdk.Image{Data: b.Bytes(), Format: img.Format, Width: img.Width, Height: img.Height}
}
