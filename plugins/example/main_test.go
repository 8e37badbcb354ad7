package main

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/conformance"
)

// The kit every vendor runs: all the protocol's rules, in process.
func TestConformance(t *testing.T) {
	conformance.RunImpl(t, detector{})
}

// paper is a white page with a dark stroke of the given length.
func paper(stroke int) sdk.Image {
	img := image.NewGray(image.Rect(0, 0, 400, 200))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for x := 50; x < 50+stroke; x++ {
		for y := 95; y < 105; y++ {
			img.SetGray(x, y, color.Gray{Y: 0x10})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return sdk.Image{Data: b.Bytes(), Format: "png", Width: 400, Height: 200}
}

func TestInk(t *testing.T) {
	for _, tc := range []struct {
		name    string
		img     sdk.Image
		outcome sdk.Outcome
		reason  string
	}{
		{"blank page", paper(0), sdk.Fail, "verdict.acme.ink.too_little"},
		{"a signature", paper(300), sdk.Pass, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := detector{}.CheckSignature(context.Background(), sdk.SignatureRequest{Image: tc.img})
			if err != nil || v.Outcome != tc.outcome || (tc.reason != "" && (len(v.Reasons) == 0 || v.Reasons[0] != tc.reason)) {
				t.Fatalf("%v %v %v; want %v %s", v.Outcome, v.Reasons, err, tc.outcome, tc.reason)
			}
		})
	}
}
