package facecheck

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ehraz/ehraz/plugins/face/calibration"
)

// EnvModelDir names the directory holding every plugin's models (the repo's models/ folder).
const EnvModelDir = "EHRAZ_MODEL_DIR"

// EnvCascade overrides the Haar cascade used for live hints.
const EnvCascade = "EHRAZ_FACE_CASCADE"

// DefaultCascade is OpenCV's frontal face cascade from Debian's opencv-data.
const DefaultCascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_alt2.xml"

// ModelFiles are the three files go-face insists on, in models/face.
var ModelFiles = [...]string{
	"shape_predictor_5_face_landmarks.dat",
	"dlib_face_recognition_resnet_model_v1.dat",
	"mmod_human_face_detector.dat",
}

// ModelDir returns models/face under $EHRAZ_MODEL_DIR, or under <dir of the executable>/../../models
// (bin/plugins/face → models/face) when the variable is unset.
func ModelDir() (string, error) {
	root := os.Getenv(EnvModelDir)
	if root == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("locate executable: %w", err)
		}
		root = filepath.Join(filepath.Dir(exe), "..", "..", "models")
	}
	return filepath.Join(root, "face"), nil
}

// CheckModelDir reports the first model file missing from dir.
func CheckModelDir(dir string) error {
	for _, n := range ModelFiles {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			return fmt.Errorf("face model %s: %w (run `make models`)", n, err)
		}
	}
	return nil
}

func cascadePath() string {
	if p := os.Getenv(EnvCascade); p != "" {
		return p
	}
	return DefaultCascade
}

// LoadCalibration reads the match calibration table modelDir/match_calibration.tsv (written by
// `ehrazctl eval face --calibrate`) or, when there is none, the reference table built into the
// plugin. A table that is there but unreadable or not monotonic is an error, never skipped.
func LoadCalibration(modelDir string) (calibration.Table, error) {
	path := filepath.Join(modelDir, calibration.FileName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return calibration.Reference()
	}
	if err != nil {
		return calibration.Table{}, fmt.Errorf("face calibration: %w", err)
	}
	t, err := calibration.Parse(b, strings.TrimSuffix(calibration.FileName, ".tsv"))
	if err != nil {
		return calibration.Table{}, fmt.Errorf("face calibration %s: %w", path, err)
	}
	return t, nil
}
