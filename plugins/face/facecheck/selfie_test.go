package facecheck

import (
	"context"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// goodSelfie is a frontal, well-lit, open-eyed test photo that passes every rule with the whole
// picture as guide.
const goodSelfie = "eunwoo.jpg"

func TestCheckSelfieGoodPhoto(t *testing.T) {
	d := openTest(t)
	img := loadImage(t, facesDir(t), goodSelfie, 1024)
	v, err := d.CheckSelfie(context.Background(), sdk.SelfieRequest{Image: encode(t, img)})
	if err != nil {
		t.Fatal(err)
	}
	if v.Outcome != sdk.Pass {
		t.Fatalf("outcome %v, reasons %v, rules %+v", v.Outcome, v.Reasons, v.Rules)
	}
	for _, name := range []string{"face.count", "face.position", "face.size", "face.resolution", "face.pose.yaw",
		"face.pose.pitch", "face.pose.roll", "face.eyes", "face.covering", "face.sharpness", "face.exposure", "face.contrast", "face.frame"} {
		r, ok := findRule(v, name)
		if !ok || r.Outcome != sdk.Pass || r.Reason == "" {
			t.Errorf("rule %s: %+v (present %v)", name, r, ok)
		}
	}
	// The same photo with a dress-code review asked for needs review, nothing else changes.
	v, _ = d.CheckSelfie(context.Background(), sdk.SelfieRequest{Image: encode(t, img), DressCodeReview: true})
	if v.Outcome != sdk.NeedsReview || len(v.Reasons) != 1 || v.Reasons[0] != "verdict.face.dress_code.review" {
		t.Errorf("dress code: %v %v", v.Outcome, v.Reasons)
	}
}

// TestCheckSelfieDefects spoils the good photo one way at a time and expects that rule to fail.
func TestCheckSelfieDefects(t *testing.T) {
	d := openTest(t)
	good := loadImage(t, facesDir(t), goodSelfie, 1024)
	base, err := d.CheckSelfie(context.Background(), sdk.SelfieRequest{Image: encode(t, good)})
	if err != nil || base.Outcome != sdk.Pass {
		t.Fatalf("base photo: %v %v", base.Outcome, err)
	}
	tests := []struct {
		name   string
		img    image.Image
		guide  sdk.Rect
		rule   string
		reason string
	}{
		{"blurred", boxBlur(good, 12), sdk.Rect{}, "face.sharpness", "verdict.face.sharpness.blurred"},
		{"dark", scaleLight(good, 0.3), sdk.Rect{}, "face.exposure", "verdict.face.exposure.too_dark"},
		{"outside guide", good, sdk.Rect{X: 0, Y: 0, W: 0.3, H: 0.3}, "face.position", "verdict.face.position.outside_guide"},
		{"far away", good, sdk.Rect{X: -1, Y: -1, W: 3, H: 3}, "face.size", "verdict.face.size.too_small"},
		{"photo held up", inFrame(good), sdk.Rect{}, "face.frame", "verdict.face.frame.detected"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := d.CheckSelfie(context.Background(), sdk.SelfieRequest{Image: encode(t, tc.img), Guide: tc.guide})
			if err != nil {
				t.Fatal(err)
			}
			r, ok := findRule(v, tc.rule)
			if v.Outcome != sdk.Fail || !ok || r.Outcome != sdk.Fail || r.Reason != tc.reason {
				t.Fatalf("outcome %v, rule %s %+v (present %v); reasons %v", v.Outcome, tc.rule, r, ok, v.Reasons)
			}
		})
	}
}

func TestCheckSelfieGroupPhoto(t *testing.T) {
	d := openTest(t)
	img := loadImage(t, facesDir(t), "pristin.jpg", 2100)
	v, err := d.CheckSelfie(context.Background(), sdk.SelfieRequest{Image: encode(t, img)})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := findRule(v, "face.count")
	if v.Outcome != sdk.Fail || r.Reason != "verdict.face.count.several" || r.Value < 3 {
		t.Fatalf("group photo: %v, count rule %+v", v.Outcome, r)
	}
}

func TestCheckSelfieBadImages(t *testing.T) {
	d := openTest(t)
	good := encode(t, loadImage(t, facesDir(t), goodSelfie, 640))
	tests := []struct {
		name   string
		data   []byte
		reason string
	}{
		{"empty", nil, "verdict.face.image.unreadable"},
		{"garbage", []byte("definitely not a picture, just words"), "verdict.face.image.unreadable"},
		{"truncated", good.Data[:len(good.Data)/3], "verdict.face.image.unreadable"},
		{"huge header", hugePNGHeader(30000, 30000), "verdict.face.image.too_large"},
		{"tiny", encode(t, image.NewRGBA(image.Rect(0, 0, 10, 10))).Data, "verdict.face.image.too_small"},
		{"no face", encode(t, scaleLight(image.NewRGBA(image.Rect(0, 0, 640, 480)), 1)).Data, "verdict.face.count.none"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := d.CheckSelfie(context.Background(), sdk.SelfieRequest{Image: sdk.Image{Data: tc.data, Format: "jpeg"}})
			if err != nil {
				t.Fatal(err)
			}
			if v.Outcome != sdk.Fail || len(v.Reasons) == 0 || v.Reasons[0] != tc.reason {
				t.Fatalf("outcome %v reasons %v, want fail %s", v.Outcome, v.Reasons, tc.reason)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if v, _ := d.CheckSelfie(ctx, sdk.SelfieRequest{Image: good}); v.Outcome != sdk.CouldNotVerify {
		t.Errorf("cancelled call: %v", v.Outcome)
	}
}

// boxBlur averages each pixel with its (2r+1)² neighbourhood.
func boxBlur(src *image.RGBA, r int) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			var s [3]int
			n := 0
			for yy := max(y-r, b.Min.Y); yy <= min(y+r, b.Max.Y-1); yy += 2 {
				for xx := max(x-r, b.Min.X); xx <= min(x+r, b.Max.X-1); xx += 2 {
					i := src.PixOffset(xx, yy)
					s[0], s[1], s[2] = s[0]+int(src.Pix[i]), s[1]+int(src.Pix[i+1]), s[2]+int(src.Pix[i+2])
					n++
				}
			}
			i := dst.PixOffset(x, y)
			dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = uint8(s[0]/n), uint8(s[1]/n), uint8(s[2]/n), 255
		}
	}
	return dst
}

// scaleLight multiplies every channel by f; f=1 on an empty image gives mid-grey.
func scaleLight(src *image.RGBA, f float64) *image.RGBA {
	dst := image.NewRGBA(src.Bounds())
	for i := 0; i < len(src.Pix); i += 4 {
		if src.Pix[i+3] == 0 {
			dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = 128, 128, 128, 255
			continue
		}
		for c := 0; c < 3; c++ {
			dst.Pix[i+c] = uint8(min(255, float64(src.Pix[i+c])*f))
		}
		dst.Pix[i+3] = 255
	}
	return dst
}

// inFrame shows the photo as a print / phone screen held up: reduced, inside a thick dark bezel,
// on a plain wall.
func inFrame(src *image.RGBA) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(b)
	draw.Draw(dst, b, &image.Uniform{color.RGBA{170, 165, 150, 255}}, image.Point{}, draw.Src)
	w, h := b.Dx()*55/100, b.Dy()*55/100
	x0, y0 := (b.Dx()-w)/2, (b.Dy()-h)/2
	bezel := image.Rect(x0-24, y0-40, x0+w+24, y0+h+40)
	draw.Draw(dst, bezel, &image.Uniform{color.RGBA{20, 20, 22, 255}}, image.Point{}, draw.Src)
	small := resizeRGBA(src, w, h)
	draw.Draw(dst, image.Rect(x0, y0, x0+w, y0+h), small, image.Point{}, draw.Src)
	return dst
}

// hugePNGHeader is a PNG signature and IHDR claiming w×h pixels, with no pixel data.
func hugePNGHeader(w, h uint32) []byte {
	b := []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'}
	b = append(b, byte(w>>24), byte(w>>16), byte(w>>8), byte(w), byte(h>>24), byte(h>>16), byte(h>>8), byte(h), 8, 2, 0, 0, 0)
	c := crc32.ChecksumIEEE(b[12:])
	return append(b, byte(c>>24), byte(c>>16), byte(c>>8), byte(c))
}

func imageRGBA(w, h int) *image.RGBA { return image.NewRGBA(image.Rect(0, 0, w, h)) }
