package ui

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The kiosk started with LANG=C.UTF-8 (Debian containers, systemd) prints no Fyne locale error:
// this test binary, which links the UI as the kiosk does, is run again in that environment.
func TestNoLocaleNoiseUnderCUTF8(t *testing.T) {
	if os.Getenv("EHRAZ_LOCALE_CHILD") != "" {
		return // the child only starts and ends
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoLocaleNoiseUnderCUTF8$", "-test.count=1")
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k != "LANG" && k != "LC_ALL" && k != "LC_MESSAGES" && k != "LANGUAGE" {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "LANG=C.UTF-8", "EHRAZ_LOCALE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "Error parsing user locale") {
		t.Errorf("Fyne still complains about the locale:\n%s", out)
	}
	if !strings.Contains(string(out), "PASS") {
		t.Errorf("the child did not run: %s", out)
	}
}
