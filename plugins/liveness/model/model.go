// Package model finds the liveness plugin's converted ONNX models (models/liveness, prepared by
// `make liveness-models`) and runs them with onnxruntime through plugins/onnxrun (onnxruntime_go
// and the libonnxruntime.so shipped in npm onnxruntime-node). onnxruntime was chosen over OpenCV 4.6 DNN
// because it runs the plain opset-13 export and measured ~4× faster per hand crop (see
// BenchmarkHandLandmarks in package hand), and a model OpenCV rejects aborts the process.
package model

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ehraz/ehraz/plugins/onnxrun"
)

// Files the plugin ships in models/liveness.
const (
	LibName       = "libonnxruntime.so.1"
	HandLandmarks = "handlandmark-lite.onnx"
	AntiSpoof     = "antispoof.onnx"
)

// Spec, Runtime and Session are the shared ONNX runtime's (plugins/onnxrun), which the face
// plugin uses too.
type (
	Spec    = onnxrun.Spec
	Runtime = onnxrun.Runtime
	Session = onnxrun.Session
)

// Shipped lists every model `make liveness-models` prepares.
var Shipped = []Spec{
	{File: HandLandmarks, Input: "input_1", Shape: []int64{1, 3, 224, 224}, Outputs: []string{"Identity", "Identity_1", "Identity_2", "Identity_3"}},
	{File: AntiSpoof, Input: "conv2d_input", Shape: []int64{1, 3, 128, 128}, Outputs: []string{"Identity"}},
}

// ErrMissing means the models were not prepared (run `make setup`).
var ErrMissing = onnxrun.ErrMissing

// Dir is where the liveness models live: $EHRAZ_MODEL_DIR/liveness, else
// <dir of the executable>/../../models/liveness (bin/plugins/liveness → models/liveness).
func Dir() string {
	if d := os.Getenv("EHRAZ_MODEL_DIR"); d != "" {
		return filepath.Join(d, "liveness")
	}
	exe, err := os.Executable()
	if err != nil {
		return filepath.Join("models", "liveness")
	}
	return filepath.Join(filepath.Dir(exe), "..", "..", "models", "liveness")
}

// Open initialises onnxruntime from dir's libonnxruntime (once per process; later calls reuse it).
func Open(dir string, threads int) (*Runtime, error) {
	r, err := onnxrun.Open(dir, LibName, threads)
	if err != nil {
		return nil, fmt.Errorf("liveness: %w", err)
	}
	return r, nil
}
