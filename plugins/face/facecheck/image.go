package facecheck

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // headers: JPEG, PNG and WebP, whatever the extension
	_ "image/png"

	"gocv.io/x/gocv"
	_ "golang.org/x/image/webp"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// Limits checked from the image header, before any pixel is decoded.
const (
	MaxImageBytes  = 20 << 20
	MaxImagePixels = 40_000_000
	MinImageSide   = 64
	// workSide is the long side images are reduced to before detection: HOG time grows with the
	// pixel count and a kiosk selfie's face stays far above the detector's 80 px minimum.
	workSide = 1024
)

// Image problems, each with its reason key.
var (
	errUnreadable = errors.New("image unreadable")
	errTooLarge   = errors.New("image too large")
	errTooSmall   = errors.New("image too small")
)

func imageReason(err error) string {
	switch {
	case errors.Is(err, errTooLarge):
		return "verdict.face.image.too_large"
	case errors.Is(err, errTooSmall):
		return "verdict.face.image.too_small"
	default:
		return "verdict.face.image.unreadable"
	}
}

// picture is a decoded image reduced to at most workSide, and the scale back to the original
// pixels. go-face reads JPEG only: faces encodes the part of it that it needs (see goFaceInput).
type picture struct {
	rgba  *image.RGBA
	gray  *image.Gray
	scale float64 // original pixels per working pixel
	origW int
	origH int
}

// decode checks the header (size, pixel count) before decoding, then decodes with OpenCV's
// codecs (libjpeg-turbo, libpng, libwebp: about a tenth of Go's JPEG decoder's time on a kiosk
// frame) and reduces the image by area averaging. EXIF orientation is ignored, as go-face did
// when it decoded the JPEG itself and as the calibration table was measured.
func decode(img sdk.Image) (*picture, error) {
	if len(img.Data) == 0 {
		return nil, fmt.Errorf("empty: %w", errUnreadable)
	}
	if len(img.Data) > MaxImageBytes {
		return nil, fmt.Errorf("%d bytes: %w", len(img.Data), errTooLarge)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(img.Data))
	if err != nil {
		return nil, fmt.Errorf("header: %v: %w", err, errUnreadable)
	}
	if cfg.Width*cfg.Height > MaxImagePixels || cfg.Width > 20000 || cfg.Height > 20000 {
		return nil, fmt.Errorf("%dx%d: %w", cfg.Width, cfg.Height, errTooLarge)
	}
	if cfg.Width < MinImageSide || cfg.Height < MinImageSide {
		return nil, fmt.Errorf("%dx%d: %w", cfg.Width, cfg.Height, errTooSmall)
	}
	// libjpeg fills a cut-off JPEG with grey and only warns; a truncated picture is unreadable.
	if format == "jpeg" && !jpegComplete(img.Data) {
		return nil, fmt.Errorf("decode: JPEG ends before its end-of-image marker: %w", errUnreadable)
	}
	src, err := gocv.IMDecode(img.Data, gocv.IMReadColor|gocv.IMReadIgnoreOrientation)
	if err != nil {
		return nil, fmt.Errorf("decode: %v: %w", err, errUnreadable)
	}
	defer src.Close()
	if src.Empty() {
		return nil, fmt.Errorf("decode: no pixels: %w", errUnreadable)
	}
	// The header was checked by Go's reader; the pixels come from OpenCV's. They must agree.
	if src.Cols() != cfg.Width || src.Rows() != cfg.Height {
		return nil, fmt.Errorf("decode: %dx%d pixels under a %dx%d header: %w", src.Cols(), src.Rows(), cfg.Width, cfg.Height, errUnreadable)
	}
	p := &picture{origW: cfg.Width, origH: cfg.Height, scale: 1}
	work := src
	if long := max(cfg.Width, cfg.Height); long > workSide {
		p.scale = float64(long) / workSide
		w := int(float64(cfg.Width)/p.scale + 0.5)
		h := int(float64(cfg.Height)/p.scale + 0.5)
		work = gocv.NewMat()
		defer work.Close()
		gocv.Resize(src, &work, image.Pt(w, h), 0, 0, gocv.InterpolationArea)
	}
	w, h := work.Cols(), work.Rows()
	rgba, gray := gocv.NewMat(), gocv.NewMat()
	defer rgba.Close()
	defer gray.Close()
	gocv.CvtColor(work, &rgba, gocv.ColorBGRToRGBA)
	gocv.CvtColor(work, &gray, gocv.ColorBGRToGray)
	p.rgba = &image.RGBA{Pix: rgba.ToBytes(), Stride: 4 * w, Rect: image.Rect(0, 0, w, h)}
	p.gray = &image.Gray{Pix: gray.ToBytes(), Stride: w, Rect: image.Rect(0, 0, w, h)}
	if len(p.rgba.Pix) != 4*w*h || len(p.gray.Pix) != w*h {
		return nil, fmt.Errorf("decode: unexpected pixel layout: %w", errUnreadable)
	}
	return p, nil
}

// jpegComplete reports whether a JPEG's end-of-image marker (FF D9) follows the start of its
// first scan. Segments before the scan are skipped by their lengths, so the end marker of an EXIF
// thumbnail does not count; inside a scan FF is always followed by 00 or a restart marker, so FF D9
// there is the real end.
func jpegComplete(b []byte) bool {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return false
	}
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return false
		}
		m := b[i+1]
		switch {
		case m == 0xFF: // fill byte
			i++
			continue
		case m == 0xDA: // start of scan
			return bytes.LastIndex(b[i:], []byte{0xFF, 0xD9}) > 0
		case m == 0x01 || (m >= 0xD0 && m <= 0xD7): // markers without a length
			i += 2
			continue
		}
		i += 2 + (int(b[i+2])<<8 | int(b[i+3]))
	}
	return false
}

// goFaceInput encodes the part r of the picture for go-face, reduced by factor s (≤ 1), as a
// high-quality JPEG (the only format go-face reads).
func goFaceInput(p *picture, r image.Rectangle, s float64) ([]byte, error) {
	r = r.Intersect(p.rgba.Bounds())
	if r.Empty() {
		return nil, errors.New("empty region")
	}
	pix := make([]byte, 0, 4*r.Dx()*r.Dy())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		i := p.rgba.PixOffset(r.Min.X, y)
		pix = append(pix, p.rgba.Pix[i:i+4*r.Dx()]...)
	}
	m, err := gocv.NewMatFromBytes(r.Dy(), r.Dx(), gocv.MatTypeCV8UC4, pix)
	if err != nil {
		return nil, fmt.Errorf("region: %w", err)
	}
	defer m.Close()
	bgr := gocv.NewMat()
	defer bgr.Close()
	gocv.CvtColor(m, &bgr, gocv.ColorRGBAToBGR)
	if s < 1 {
		w, h := max(int(float64(r.Dx())*s+0.5), 1), max(int(float64(r.Dy())*s+0.5), 1)
		gocv.Resize(bgr, &bgr, image.Pt(w, h), 0, 0, gocv.InterpolationArea)
	}
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, bgr, []int{gocv.IMWriteJpegQuality, 95})
	if err != nil {
		return nil, fmt.Errorf("encode for detector: %w", err)
	}
	defer buf.Close()
	return bytes.Clone(buf.GetBytes()), nil
}
