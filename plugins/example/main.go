// Command acme is a minimal third-party detector plugin, the starting point for a vendor: its
// own Go module that depends only on Ehraz's published SDK types (plugins/sdk) and transport
// (plugins/sdk/transport). It checks signatures by the share of dark ink on the paper, emits one
// reason key of its own with fa and en texts (locales/), and is built, signed and checked like
// any vendor's plugin (`make plugin-example`; README, "Detector plugins for vendors").
package main

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg" // the kiosk sends JPEG or PNG
	_ "image/png"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/transport"
)

// Ink share bounds: less is a blank page, more is not a signature on white paper.
const (
	minInk = 0.002
	maxInk = 0.5
	// maxSide keeps a hostile declared size from costing memory before decoding.
	maxSide = 8000
)

type detector struct{}

func (detector) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: "acme-signature", Vendor: "Acme Vision", Version: "0.1.0", ProtocolVersion: sdk.ProtocolVersion,
		Kinds: []sdk.Kind{sdk.KindSignature}, Capabilities: []string{"CheckSignature"}}, nil
}

func (detector) CheckSignature(ctx context.Context, r sdk.SignatureRequest) (sdk.Verdict, error) {
	if ctx.Err() != nil {
		return sdk.CouldNotVerifyVerdict("verdict.plugin.cancelled"), nil
	}
	invalid := sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{"verdict.plugin.image_invalid"}}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(r.Image.Data))
	if err != nil || cfg.Width != r.Image.Width || cfg.Height != r.Image.Height || cfg.Width > maxSide || cfg.Height > maxSide {
		return invalid, nil
	}
	img, _, err := image.Decode(bytes.NewReader(r.Image.Data))
	if err != nil {
		return invalid, nil
	}
	ink := inkShare(img)
	rule := sdk.Rule{Name: "acme.ink", Outcome: sdk.Pass, Value: ink, Threshold: minInk, Unit: "ratio"}
	switch {
	case ink < minInk:
		rule.Outcome, rule.Reason = sdk.Fail, "verdict.acme.ink.too_little"
	case ink > maxInk:
		rule.Outcome, rule.Reason, rule.Threshold = sdk.Fail, "verdict.acme.ink.too_much", maxInk
	}
	v := sdk.Verdict{Outcome: rule.Outcome, Rules: []sdk.Rule{rule}}
	if rule.Reason != "" {
		v.Reasons = []string{rule.Reason}
	}
	return v, nil
}

// inkShare is the share of dark pixels, sampled every 4th pixel each way.
func inkShare(img image.Image) float64 {
	b := img.Bounds()
	var dark, n int
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if (r+g+bl)/3 < 0x4000 {
				dark++
			}
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(dark) / float64(n)
}

func main() { transport.Serve(detector{}) }
