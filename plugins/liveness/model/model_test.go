package model

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func modelDir() string {
	if d := os.Getenv("EHRAZ_MODEL_DIR"); d != "" {
		return filepath.Join(d, "liveness")
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "models", "liveness")
}

// TestEveryShippedModelLoads loads and runs each model in a child process, so a runtime that
// aborts on a bad model fails this test instead of killing the test binary.
func TestEveryShippedModelLoads(t *testing.T) {
	if os.Getenv("LIVENESS_MODEL_CHILD") != "" {
		t.Skip("child")
	}
	if _, err := os.Stat(filepath.Join(modelDir(), LibName)); err != nil {
		t.Skipf("liveness models not prepared (run `make liveness-models`): %v", err)
	}
	for _, s := range Shipped {
		t.Run(s.File, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestLoadChild$", "-test.v")
			cmd.Env = append(os.Environ(), "LIVENESS_MODEL_CHILD="+s.File)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "MODEL-OK") {
				t.Fatalf("model %s did not load and run: %v\n%s", s.File, err, out)
			}
		})
	}
}

func TestLoadChild(t *testing.T) {
	name := os.Getenv("LIVENESS_MODEL_CHILD")
	if name == "" {
		t.Skip("only run as a child of TestEveryShippedModelLoads")
	}
	rt, err := Open(modelDir(), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Shipped {
		if s.File != name {
			continue
		}
		sess, err := rt.LoadSpec(s)
		if err != nil {
			t.Fatal(err)
		}
		n := int64(1)
		for _, d := range s.Shape {
			n *= d
		}
		in := make([]float32, n)
		for i := range in {
			in[i] = 0.5
		}
		out, err := sess.Run(in)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != len(s.Outputs) || len(out[0]) == 0 {
			t.Fatalf("outputs %d, want %d", len(out), len(s.Outputs))
		}
		t.Log("MODEL-OK", s.File, len(out[0]))
		_ = sess.Close()
		return
	}
	t.Fatalf("unknown model %s", name)
}

func TestMissingDirIsErrMissing(t *testing.T) {
	if _, err := Open(t.TempDir(), 1); !errors.Is(err, ErrMissing) {
		t.Fatalf("got %v, want ErrMissing", err)
	}
}
