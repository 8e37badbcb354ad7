package sigcheck

import (
	"bytes"
	"fmt"
	"image"
	"image/png"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// cleanMargin is the white margin around the ink in the cleaned signature, as a share of the
// sheet width.
const cleanMargin = 0.03

// cleanPNG renders the kept ink as black on white, cropped tightly with a margin, from the
// rectified (deskewed) sheet.
func cleanPNG(st *inkStats) (sdk.Image, error) {
	m := max(4, int(cleanMargin*float64(st.w)))
	r := st.box.Inset(-m).Intersect(image.Rect(0, 0, st.w, st.h))
	if r.Empty() {
		return sdk.Image{}, fmt.Errorf("clean signature: no ink")
	}
	out := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := out.Pix[(y-r.Min.Y)*out.Stride:]
		for x := r.Min.X; x < r.Max.X; x++ {
			if st.mask[y*st.w+x] != 0 {
				row[x-r.Min.X] = 0
			} else {
				row[x-r.Min.X] = 255
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, out); err != nil {
		return sdk.Image{}, fmt.Errorf("clean signature: encode: %w", err)
	}
	return sdk.Image{Data: b.Bytes(), Format: "png", Width: r.Dx(), Height: r.Dy()}, nil
}
