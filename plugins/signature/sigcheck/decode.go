package sigcheck

import (
	"bytes"
	"image"
	_ "image/jpeg" // header-only size checks before OpenCV decodes
	_ "image/png"

	"gocv.io/x/gocv"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// Limits on what the plugin agrees to decode: a kiosk camera sends at most a few megapixels.
const (
	maxBytes  = 24 << 20
	maxSide   = 8000
	maxPixels = 40_000_000
	// halveMinWidth is the smallest preview frame decoded at half size.
	halveMinWidth = 960
)

// Reason keys for pictures that cannot be judged.
const (
	reasonInvalid   = "verdict.signature.image.invalid"
	reasonTooLarge  = "verdict.signature.image.too_large"
	reasonCancelled = "verdict.plugin.cancelled"
)

// decode checks the header (format, declared size, limits, completeness) before the full decode,
// so a hostile or broken picture costs nothing and never reaches OpenCV. On success the caller
// owns the returned BGR Mat. With halve set, a picture at least halveMinWidth wide is decoded at
// half size (libjpeg scales while decoding, far cheaper than decoding and resizing).
func decode(img sdk.Image, halve bool) (gocv.Mat, string) {
	if len(img.Data) == 0 {
		return gocv.Mat{}, reasonInvalid
	}
	if len(img.Data) > maxBytes {
		return gocv.Mat{}, reasonTooLarge
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(img.Data))
	if err != nil || (format != "jpeg" && format != "png") {
		return gocv.Mat{}, reasonInvalid
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return gocv.Mat{}, reasonInvalid
	}
	if cfg.Width > maxSide || cfg.Height > maxSide || cfg.Width*cfg.Height > maxPixels {
		return gocv.Mat{}, reasonTooLarge
	}
	if (img.Width != 0 || img.Height != 0) && (img.Width != cfg.Width || img.Height != cfg.Height) {
		return gocv.Mat{}, reasonInvalid // the sender and the picture disagree: not the photo taken
	}
	if !complete(format, img.Data) {
		return gocv.Mat{}, reasonInvalid
	}
	flag, wantW, wantH := gocv.IMReadColor, cfg.Width, cfg.Height
	if halve && cfg.Width >= halveMinWidth {
		flag, wantW, wantH = gocv.IMReadReducedColor2, (cfg.Width+1)/2, (cfg.Height+1)/2
	}
	m, err := gocv.IMDecode(img.Data, flag)
	if err != nil {
		return gocv.Mat{}, reasonInvalid
	}
	if m.Empty() || m.Cols() != wantW || m.Rows() != wantH {
		m.Close()
		return gocv.Mat{}, reasonInvalid
	}
	return m, ""
}

// complete reports whether the encoded picture ends properly: OpenCV decodes a truncated JPEG
// into a grey-padded picture without an error, which must not be judged as a photo.
func complete(format string, b []byte) bool {
	tail := b[max(0, len(b)-64):]
	switch format {
	case "jpeg":
		return bytes.Contains(tail, []byte{0xFF, 0xD9})
	case "png":
		return bytes.Contains(tail, []byte("IEND"))
	}
	return false
}
