package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseLdd(t *testing.T) {
	out := []byte(`	linux-vdso.so.1 (0x00007ffd4b5f2000)
	libopencv_core.so.406 => /lib/x86_64-linux-gnu/libopencv_core.so.406 (0x00007f0a)
	libgone.so.1 => not found
	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0b)
	/lib64/ld-linux-x86-64.so.2 (0x00007f0c)
`)
	want := map[string]string{
		"libopencv_core.so.406": "/lib/x86_64-linux-gnu/libopencv_core.so.406",
		"libgone.so.1":          "",
		"libc.so.6":             "/lib/x86_64-linux-gnu/libc.so.6",
		"ld-linux-x86-64.so.2":  "/lib64/ld-linux-x86-64.so.2",
	}
	if got := parseLdd(out); !reflect.DeepEqual(got, want) {
		t.Errorf("parseLdd = %v, want %v", got, want)
	}
}

func TestParseDpkgSearch(t *testing.T) {
	out := []byte(`libopencv-core406:amd64: /usr/lib/x86_64-linux-gnu/libopencv_core.so.406
diversion by foo from: /usr/lib/x
libc6:amd64, libc6-dbg:amd64: /lib/x86_64-linux-gnu/libc.so.6
libgl1:amd64: /usr/lib/x86_64-linux-gnu/libGL.so.1
`)
	want := map[string]string{
		"/usr/lib/x86_64-linux-gnu/libopencv_core.so.406": "libopencv-core406",
		"/lib/x86_64-linux-gnu/libc.so.6":                 "libc6",
		"/usr/lib/x86_64-linux-gnu/libGL.so.1":            "libgl1",
	}
	if got := parseDpkgSearch(out); !reflect.DeepEqual(got, want) {
		t.Errorf("parseDpkgSearch = %v, want %v", got, want)
	}
}

func TestCandidatesCoverMergedUsr(t *testing.T) {
	tests := []struct {
		lib  string
		want []string
	}{
		{"/nonexistent/lib/libx.so.1", []string{"/nonexistent/lib/libx.so.1", "/usr/nonexistent/lib/libx.so.1"}},
		{"/usr/nonexistent/libx.so.1", []string{"/usr/nonexistent/libx.so.1", "/nonexistent/libx.so.1"}},
	}
	for _, tt := range tests {
		if got := candidates(tt.lib); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("candidates(%s) = %v, want %v", tt.lib, got, tt.want)
		}
	}
}

func TestMergeDepends(t *testing.T) {
	got := mergeDepends([]string{"cage", "debconf (>= 0.5) | debconf-2.0"}, []string{"libc6", "debconf", "cage", "libgl1"})
	want := []string{"cage", "debconf (>= 0.5) | debconf-2.0", "libc6", "libgl1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("mergeDepends = %v, want %v", got, want)
	}
}

func TestFyneAppMetadataMakesTheDesktopEntry(t *testing.T) {
	a, err := readFyneApp(filepath.Join("..", "..", "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	d := desktopEntry(a)
	for _, want := range []string{"Name=" + a.Details.Name + "\n", "Icon=" + a.Details.ID + "\n", "X-Ehraz-Version=" + a.Details.Version + "\n", "Type=Application\n"} {
		if !strings.Contains(d, want) {
			t.Errorf("desktop entry lacks %q:\n%s", want, d)
		}
	}
	bad := filepath.Join(t.TempDir(), "FyneApp.toml")
	os.WriteFile(bad, []byte("[Details]\nName = \"x\"\n"), 0o644)
	if _, err := readFyneApp(bad); err == nil {
		t.Error("a FyneApp.toml without ID, Version and Icon was accepted")
	}
}

func TestBuildRefusesUnknownPackage(t *testing.T) {
	if _, err := Build(t.Context(), Options{Root: "../..", Out: t.TempDir(), Only: "printer"}); err == nil {
		t.Error("-only printer was accepted")
	}
}

// TestKioskBackoff runs packaging/kiosk/kiosk-backoff as the unit would, start after start, and
// checks the waits double up to the cap and start again from nothing after a long run.
func TestKioskBackoff(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("SKIP (could not verify): no sh")
	}
	script, _ := filepath.Abs(filepath.Join("..", "..", "packaging", "kiosk", "kiosk-backoff"))
	dir := t.TempDir()
	run := func(extra ...string) string {
		cmd := exec.Command("sh", script)
		cmd.Env = append(os.Environ(), append([]string{"RUNTIME_DIRECTORY=" + dir, "EHRAZ_BACKOFF_SLEEP=true"}, extra...)...)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("kiosk-backoff: %v\n%s", err, b)
		}
		return strings.TrimSpace(string(b))
	}
	var waits []string
	for range 8 {
		out := run()
		w := "0s"
		if i := strings.LastIndex(out, "waiting "); i >= 0 {
			w = out[i+len("waiting "):]
		}
		waits = append(waits, w)
	}
	want := []string{"0s", "2s", "4s", "8s", "16s", "32s", "60s", "60s"}
	if !reflect.DeepEqual(waits, want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
	// A kiosk that stayed up longer than the reset period (its last start long ago) starts at once.
	long := fmt.Sprintf("%d 6\n", time.Now().Add(-10*time.Minute).Unix())
	if err := os.WriteFile(filepath.Join(dir, "backoff"), []byte(long), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := run(); out != "" {
		t.Errorf("after a long run: %q, want no wait", out)
	}
	if out := run(); !strings.HasSuffix(out, "waiting 2s") {
		t.Errorf("first quick restart after the reset: %q, want a 2s wait", out)
	}
	// A garbled state file does not stop the kiosk from starting.
	os.WriteFile(filepath.Join(dir, "backoff"), []byte("garbage\n"), 0o644)
	if out := run(); out != "" {
		t.Errorf("garbled state: %q, want a start without waiting", out)
	}
}
