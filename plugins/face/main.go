// Command face is Ehraz's face detector plugin: selfie rules, face matching (go-face, dlib's
// ResNet descriptor) and live hints, served over the plugin protocol. Models come from
// $EHRAZ_MODEL_DIR/face or <executable dir>/../../models/face (`make models`).
package main

import (
	"fmt"
	"os"

	"github.com/ehraz/ehraz/plugins/face/facecheck"
	"github.com/ehraz/ehraz/plugins/sdk/transport"
)

func main() {
	dir, err := facecheck.ModelDir()
	if err == nil {
		var d *facecheck.Detector
		if d, err = facecheck.Open(dir, facecheck.DefaultThresholds()); err == nil {
			defer d.Close()
			transport.Serve(d)
			return
		}
	}
	fmt.Fprintln(os.Stderr, "face plugin:", err)
	os.Exit(1)
}
