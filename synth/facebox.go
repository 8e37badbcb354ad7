package synth

import (
	"context"
	"image"

	"github.com/ehraz/ehraz/plugins/sdk"
)

// FaceBox asks a liveness plugin's AnalyzeFrame (in process or remote) for the largest face in
// an encoded JPEG of w×h pixels, for building test clips from photos.
func FaceBox(ctx context.Context, p sdk.FrameAnalyzer, jpeg []byte, w, h int) (image.Rectangle, bool) {
	fa, err := p.AnalyzeFrame(ctx, sdk.FrameRequest{Image: sdk.Image{Data: jpeg, Format: "jpeg", Width: w, Height: h}, Purpose: sdk.PurposeVideo})
	if err != nil || len(fa.Boxes) == 0 {
		return image.Rectangle{}, false
	}
	b := fa.Boxes[0]
	return image.Rect(int(b.X*float64(w)), int(b.Y*float64(h)), int((b.X+b.W)*float64(w)), int((b.Y+b.H)*float64(h))), true
}
