package facecheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/plugins/face/calibration"
)

// The plugin reads the table --calibrate wrote into its models folder, falls back to the built-in
// reference table when there is none, and refuses one it cannot trust.
func TestLoadCalibration(t *testing.T) {
	ref, err := calibration.Reference()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		file   string // "" writes no file
		wantID string // prefix
		ok     bool
	}{
		{"none: the reference", "", ref.ID, true},
		{"a fitted table", "# test\ndistance\test_fmr\n0\t0.01\n0.5\t0.2\n1\t1\n", "match_calibration@", true},
		{"decreasing", "distance\test_fmr\n0\t0.5\n0.5\t0.2\n", "", false},
		{"garbage", "not a table", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.file != "" {
				if err := os.WriteFile(filepath.Join(dir, calibration.FileName), []byte(tc.file), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			tab, err := LoadCalibration(dir)
			if (err == nil) != tc.ok {
				t.Fatalf("error %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && !strings.HasPrefix(tab.ID, tc.wantID) {
				t.Errorf("table %s, want %s…", tab.ID, tc.wantID)
			}
		})
	}
}

// matchRule follows the estimate through the configured limits and names the distance where the
// limit it was judged by is crossed.
func TestMatchRuleByEstimate(t *testing.T) {
	tab := calibration.Table{Rows: []calibration.Row{{Distance: 0.3, FMR: 0.01}, {Distance: 0.4, FMR: 0.05}, {Distance: 0.5, FMR: 0.3}, {Distance: 0.6, FMR: 0.95}, {Distance: 0.7, FMR: 1}}}
	d := &Detector{th: Thresholds{MatchPassFMR: 0.05, MatchFailFMR: 0.95}, cal: tab}
	tests := []struct {
		dist      float64
		outcome   string
		threshold float64
	}{
		{0.2, "pass", 0.4},
		{0.4, "pass", 0.4},
		{0.41, "needs-review", 0.6},
		{0.6, "needs-review", 0.6},
		{0.61, "fail", 0.6},
	}
	for _, tc := range tests {
		r := d.matchRule(tc.dist, tab.FMR(tc.dist))
		if r.Outcome.String() != tc.outcome || r.Threshold != tc.threshold || r.Value != tc.dist {
			t.Errorf("distance %v: %v threshold %v, want %s %v", tc.dist, r.Outcome, r.Threshold, tc.outcome, tc.threshold)
		}
	}
}
