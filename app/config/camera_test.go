package config

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestLoadCameraPolicy: [camera] allow and deny are read as lists; without them both are empty
// (the built-in deny-list of virtual cameras applies in package capture either way).
func TestLoadCameraPolicy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiosk.toml")
	must(t, os.WriteFile(path, []byte(`
[camera]
source = "webcam"
allow = ["usb:046d:0826", "usb:046d:085e"]
deny = ["card:Integrated Camera"]
`), 0o644))
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Camera.Allow, []string{"usb:046d:0826", "usb:046d:085e"}) || !slices.Equal(c.Camera.Deny, []string{"card:Integrated Camera"}) {
		t.Errorf("camera %+v", c.Camera)
	}
	if d := Default().Camera; len(d.Allow) != 0 || len(d.Deny) != 0 {
		t.Errorf("default camera policy %+v, want empty lists", d)
	}
}
