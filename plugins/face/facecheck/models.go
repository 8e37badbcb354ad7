package facecheck

import (
	"fmt"
	"os"
	"path/filepath"
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
