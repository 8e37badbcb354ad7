// Command facemodel prepares go-face's model directory from sources this machine can reach:
// the dlib ResNet face descriptor converted from npm @vladmandic/face-api (dequantized here, then
// rebuilt and saved by dlib itself through cxx/resnet_convert.cc), a landmark predictor under the
// file name go-face expects, and dlib's mmod face detector. It prints each file's SHA-256. Output
// is deterministic; `make models` runs it (mk/face.mk).
package main

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// The three file names go-face's C++ init insists on.
const (
	landmarksName = "shape_predictor_5_face_landmarks.dat"
	resnetName    = "dlib_face_recognition_resnet_model_v1.dat"
	mmodName      = "mmod_human_face_detector.dat"
)

func main() {
	faceAPI := flag.String("faceapi", "", "directory holding face_recognition_model-weights_manifest.json and its .bin (npm @vladmandic/face-api model/)")
	converter := flag.String("converter", "", "the compiled cxx/resnet_convert program")
	landmarks := flag.String("landmarks", "/usr/share/dlib/shape_predictor_68_face_landmarks.dat", "landmark predictor copied under the 5-point name (a genuine 5-point file, or Debian's 68-point one)")
	mmod := flag.String("mmod", "", "dlib's mmod_human_face_detector.dat")
	out := flag.String("out", "models/face", "output directory")
	flag.Parse()
	if err := run(*faceAPI, *converter, *landmarks, *mmod, *out); err != nil {
		fmt.Fprintln(os.Stderr, "facemodel:", err)
		os.Exit(1)
	}
}

func run(faceAPI, converter, landmarks, mmod, out string) error {
	if faceAPI == "" || converter == "" || mmod == "" {
		return fmt.Errorf("-faceapi, -converter and -mmod are required")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", out, err)
	}
	if err := convertResNet(faceAPI, converter, filepath.Join(out, resnetName)); err != nil {
		return err
	}
	if err := copyFile(landmarks, filepath.Join(out, landmarksName)); err != nil {
		return err
	}
	if err := copyFile(mmod, filepath.Join(out, mmodName)); err != nil {
		return err
	}
	for _, n := range []string{resnetName, landmarksName, mmodName} {
		sum, size, err := digest(filepath.Join(out, n))
		if err != nil {
			return err
		}
		fmt.Printf("facemodel: %s sha256=%s bytes=%d\n", n, sum, size)
	}
	return nil
}

// convertResNet dequantizes the face-api ResNet, lays it out for dlib and lets the C++ converter
// build and serialize go-face's network type.
func convertResNet(faceAPI, converter, dst string) error {
	ts, err := loadFaceAPI(faceAPI, "face_recognition_model-weights_manifest.json")
	if err != nil {
		return err
	}
	recs, err := dlibRecords(ts)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := writeRecords(&buf, recs); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".resnet-*.f32")
	if err != nil {
		return fmt.Errorf("temp weights: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("write temp weights: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close temp weights: %w", err)
	}
	part := dst + ".part"
	cmd := exec.Command(converter, tmp.Name(), part)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		os.Remove(part)
		return fmt.Errorf("run %s: %w", converter, err)
	}
	if err := os.Rename(part, dst); err != nil {
		return fmt.Errorf("install %s: %w", dst, err)
	}
	return nil
}

// copyFile copies src to dst through a temporary file, so dst is either complete or absent.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("open %s: %w", src, err)
	}
	defer in.Close()
	part := dst + ".part"
	o, err := os.Create(part)
	if err != nil {
		return fmt.Errorf("create %s: %w", part, err)
	}
	if _, err := io.Copy(o, in); err != nil {
		o.Close()
		os.Remove(part)
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := o.Close(); err != nil {
		os.Remove(part)
		return fmt.Errorf("close %s: %w", part, err)
	}
	if err := os.Rename(part, dst); err != nil {
		return fmt.Errorf("install %s: %w", dst, err)
	}
	return nil
}

func digest(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("hash %s: %w", path, err)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), n, nil
}
