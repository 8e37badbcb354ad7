package facecheck

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // selfies may arrive as PNG

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

// picture is a decoded image reduced to at most workSide, with its JPEG encoding for go-face
// (which reads JPEG only) and the scale back to the original pixels.
type picture struct {
	rgba  *image.RGBA
	gray  *image.Gray
	jpeg  []byte
	scale float64 // original pixels per working pixel
	origW int
	origH int
}

// decode checks the header (size, pixel count) before decoding, then reduces the image.
func decode(img sdk.Image) (*picture, error) {
	if len(img.Data) == 0 {
		return nil, fmt.Errorf("empty: %w", errUnreadable)
	}
	if len(img.Data) > MaxImageBytes {
		return nil, fmt.Errorf("%d bytes: %w", len(img.Data), errTooLarge)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(img.Data))
	if err != nil {
		return nil, fmt.Errorf("header: %v: %w", err, errUnreadable)
	}
	if cfg.Width*cfg.Height > MaxImagePixels || cfg.Width > 20000 || cfg.Height > 20000 {
		return nil, fmt.Errorf("%dx%d: %w", cfg.Width, cfg.Height, errTooLarge)
	}
	if cfg.Width < MinImageSide || cfg.Height < MinImageSide {
		return nil, fmt.Errorf("%dx%d: %w", cfg.Width, cfg.Height, errTooSmall)
	}
	src, _, err := image.Decode(bytes.NewReader(img.Data))
	if err != nil {
		return nil, fmt.Errorf("decode: %v: %w", err, errUnreadable)
	}
	p := &picture{origW: cfg.Width, origH: cfg.Height, scale: 1}
	long := max(cfg.Width, cfg.Height)
	w, h := cfg.Width, cfg.Height
	if long > workSide {
		p.scale = float64(long) / workSide
		w = int(float64(cfg.Width)/p.scale + 0.5)
		h = int(float64(cfg.Height)/p.scale + 0.5)
	}
	p.rgba = resizeRGBA(src, w, h)
	p.gray = toGray(p.rgba)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, p.rgba, &jpeg.Options{Quality: 92}); err != nil {
		return nil, fmt.Errorf("encode for detector: %w", err)
	}
	p.jpeg = buf.Bytes()
	return p, nil
}

// resizeRGBA reduces src to w×h by area averaging in one pass over the source; JPEG's YCbCr
// and RGBA images are read directly, other types through At.
func resizeRGBA(src image.Image, w, h int) *image.RGBA {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	sums := make([]uint32, w*h*4)
	xmap := make([]int, sw)
	for x := range xmap {
		xmap[x] = x * w / sw
	}
	add := func(dx, dy int, r, g, bl uint8) {
		i := (dy*w + dx) * 4
		sums[i] += uint32(r)
		sums[i+1] += uint32(g)
		sums[i+2] += uint32(bl)
		sums[i+3]++
	}
	switch s := src.(type) {
	case *image.YCbCr:
		for y := 0; y < sh; y++ {
			dy := y * h / sh
			for x := 0; x < sw; x++ {
				yi := s.YOffset(b.Min.X+x, b.Min.Y+y)
				ci := s.COffset(b.Min.X+x, b.Min.Y+y)
				r, g, bl := color.YCbCrToRGB(s.Y[yi], s.Cb[ci], s.Cr[ci])
				add(xmap[x], dy, r, g, bl)
			}
		}
	case *image.RGBA:
		for y := 0; y < sh; y++ {
			dy := y * h / sh
			for x := 0; x < sw; x++ {
				i := s.PixOffset(b.Min.X+x, b.Min.Y+y)
				add(xmap[x], dy, s.Pix[i], s.Pix[i+1], s.Pix[i+2])
			}
		}
	default:
		for y := 0; y < sh; y++ {
			dy := y * h / sh
			for x := 0; x < sw; x++ {
				c := color.RGBAModel.Convert(src.At(b.Min.X+x, b.Min.Y+y)).(color.RGBA)
				add(xmap[x], dy, c.R, c.G, c.B)
			}
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(sums); i += 4 {
		n := max(sums[i+3], 1)
		dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = uint8(sums[i]/n), uint8(sums[i+1]/n), uint8(sums[i+2]/n), 255
	}
	return dst
}

func toGray(src *image.RGBA) *image.Gray {
	b := src.Bounds()
	g := image.NewGray(b)
	for i, j := 0, 0; i < len(src.Pix); i, j = i+4, j+1 {
		y, _, _ := color.RGBToYCbCr(src.Pix[i], src.Pix[i+1], src.Pix[i+2])
		g.Pix[j] = y
	}
	return g
}
