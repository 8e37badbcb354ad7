package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadFacePolicy(t *testing.T) {
	t.Setenv("EHRAZ_DATA_DIR", "")
	t.Setenv("EHRAZ_LANG", "")
	tests := []struct {
		name       string
		toml       string
		pass, fail float64
		ok         bool
	}{
		{"defaults", ``, 0.05, 0.95, true},
		{"stricter", "[face]\npass_fmr = 0.01\nfail_fmr = 0.5\n", 0.01, 0.5, true},
		{"only the pass limit", "[face]\npass_fmr = 0.02\n", 0.02, 0.95, true},
		{"pass above fail", "[face]\npass_fmr = 0.6\nfail_fmr = 0.5\n", 0, 0, false},
		{"not a rate", "[face]\nfail_fmr = 2\n", 0, 0, false},
		{"negative", "[face]\npass_fmr = -0.1\n", 0, 0, false},
		{"fail everything", "[face]\npass_fmr = 0\nfail_fmr = 0\n", 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kiosk.toml")
			must(t, os.WriteFile(path, []byte(tc.toml), 0o600))
			c, err := Load(path)
			if (err == nil) != tc.ok {
				t.Fatalf("error %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && (c.Face.PassFMR != tc.pass || c.Face.FailFMR != tc.fail) {
				t.Errorf("face %+v, want %v %v", c.Face, tc.pass, tc.fail)
			}
		})
	}
}
