package sigcheck

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// FuzzCheckSignature: whatever the bytes, the check answers without panicking and never passes
// a picture it could not decode. Seeds are small valid and broken JPEG/PNG pictures; run longer
// with go test -fuzz FuzzCheckSignature ./plugins/signature/sigcheck.
func FuzzCheckSignature(f *testing.F) {
	img := image.NewRGBA(image.Rect(0, 0, 96, 64))
	for i := range img.Pix {
		img.Pix[i] = 230
	}
	for x := 20; x < 70; x++ {
		img.Set(x, 30+x%7, color.Black)
	}
	var j, p bytes.Buffer
	_ = jpeg.Encode(&j, img, nil)
	_ = png.Encode(&p, img)
	for _, s := range [][]byte{j.Bytes(), p.Bytes(), j.Bytes()[:len(j.Bytes())/2], p.Bytes()[:40], {}, []byte("\xff\xd8\xff\xd9")} {
		f.Add(s)
	}
	d := New(DefaultThresholds())
	f.Fuzz(func(t *testing.T, data []byte) {
		c, _, err := image.DecodeConfig(bytes.NewReader(data))
		v, cerr := d.CheckSignature(context.Background(), sdk.SignatureRequest{Image: sdk.Image{Data: data, Width: c.Width, Height: c.Height}})
		if cerr != nil || len(v.Reasons) == 0 {
			t.Fatalf("answered %v %v", v, cerr)
		}
		if err != nil && v.Outcome == sdk.Pass {
			t.Fatal("an undecodable picture passed")
		}
		_, _ = d.AnalyzeFrame(context.Background(), sdk.FrameRequest{Image: sdk.Image{Data: data, Width: c.Width, Height: c.Height}})
	})
}
