//go:build matprofile

package sigcheck

import (
	"bytes"
	"context"
	"testing"

	"gocv.io/x/gocv"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/conformance"
	"github.com/ehraz/ehraz/synth"
)

// TestNoMatLeaks runs every path (each scene kind, each bad picture, checks and hints) and
// asserts that no OpenCV Mat outlives its call: go test -tags matprofile ./plugins/signature/...
func TestNoMatLeaks(t *testing.T) {
	d := New(DefaultThresholds())
	var imgs []sdk.Image
	for _, k := range synth.SheetKinds() {
		imgs = append(imgs, render(t, k, 1).Image)
	}
	for _, b := range conformance.BadImages() {
		imgs = append(imgs, b.Image)
	}
	before := gocv.MatProfile.Count()
	for _, img := range imgs {
		if _, err := d.CheckSignature(context.Background(), sdk.SignatureRequest{Image: img}); err != nil {
			t.Fatal(err)
		}
		_, _ = d.AnalyzeFrame(context.Background(), sdk.FrameRequest{Image: img, Purpose: sdk.PurposeSignature})
	}
	if after := gocv.MatProfile.Count(); after != before {
		var b bytes.Buffer
		_ = gocv.MatProfile.WriteTo(&b, 1)
		t.Fatalf("%d Mats leaked:\n%s", after-before, b.String())
	}
}
