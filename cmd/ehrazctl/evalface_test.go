package main

import (
	"math"
	"testing"
)

func TestFaceAtFMR(t *testing.T) {
	genuine := []float64{0.30, 0.35, 0.40, 0.45, 0.60}
	impostor := []float64{0.42, 0.50, 0.55, 0.58, 0.62, 0.65, 0.70, 0.72, 0.75, 0.80}
	tests := []struct {
		name             string
		target           float64
		wantFMR, wantFNM float64
		below            float64 // threshold must be just under this impostor distance
	}{
		{"zero", 0, 0, 0.4, 0.42},     // accept < 0.42: 0.30 0.35 0.40 → FNMR 2/5
		{"10%", 0.10, 0.1, 0.2, 0.50}, // one impostor (0.42) allowed
		{"tiny", 0.001, 0, 0.4, 0.42}, // under 1/n: same as zero
		{"30%", 0.30, 0.3, 0.2, 0.58}, // 0.42 0.50 0.55 allowed
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			op := faceAtFMR(genuine, impostor, tc.target)
			if math.Abs(op.FMR-tc.wantFMR) > 1e-9 || math.Abs(op.FNMR-tc.wantFNM) > 1e-9 {
				t.Errorf("FMR %v FNMR %v, want %v %v", op.FMR, op.FNMR, tc.wantFMR, tc.wantFNM)
			}
			if !(op.Threshold < tc.below && op.Threshold > tc.below-1e-6) {
				t.Errorf("threshold %v, want just under %v", op.Threshold, tc.below)
			}
		})
	}
	if op := faceAtFMR(genuine, impostor, 1); !math.IsInf(op.Threshold, 1) || op.FNMR != 0 {
		t.Errorf("FMR 100%%: %+v", op)
	}
}

func TestFaceAtFNMR(t *testing.T) {
	genuine := []float64{0.30, 0.35, 0.40, 0.45, 0.60}
	impostor := []float64{0.42, 0.50, 0.55, 0.58, 0.62, 0.65, 0.70}
	tests := []struct {
		target, threshold, fnmr, fmr float64
	}{
		{0, 0.60, 0, 4.0 / 7},     // keep every genuine pair
		{0.2, 0.45, 0.2, 1.0 / 7}, // give up the worst one
		{0.05, 0.60, 0, 4.0 / 7},  // under 1/n: same as zero
	}
	for _, tc := range tests {
		op := faceAtFNMR(genuine, impostor, tc.target)
		if op.Threshold != tc.threshold || math.Abs(op.FNMR-tc.fnmr) > 1e-9 || math.Abs(op.FMR-tc.fmr) > 1e-9 {
			t.Errorf("target %v: %+v, want threshold %v fnmr %v fmr %v", tc.target, op, tc.threshold, tc.fnmr, tc.fmr)
		}
	}
}
