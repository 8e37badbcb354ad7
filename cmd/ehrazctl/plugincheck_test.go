package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A rule the kit could not run is reported as NOT VERIFIED with its reason, never as PASS: the
// fixture plugin declares MatchFaces but gives no calibrated estimate.
func TestPluginCheckSaysNotVerified(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "good")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/ehraz/ehraz/plugins/sdk/internal/testplugins/good")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build fixture plugin: %v", err)
	}
	var out, errb bytes.Buffer
	run(context.Background(), []string{"plugin", "check", bin}, strings.NewReader(""), &out, &errb)
	want := "NOT VERIFIED  MatchFaces.estimate_monotonic  (COULD NOT VERIFY"
	if !strings.Contains(out.String(), want) {
		t.Errorf("plugin check output lacks %q:\n%s", want, out.String())
	}
	if strings.Contains(out.String(), "PASS  MatchFaces.estimate_monotonic") {
		t.Error("an unverified rule was printed as PASS")
	}
}
